"""Answer rows packed in one literal: the codec.

A headline answer (departments or recipients under an item) has thousands of rows at national
scale, each with eight columns read from as many triples. Read triple by triple, every row
costs eight index lookups of the store (about 6 µs each in Oxigraph on disk: 0.5 s for 6,000
rows at 5,000 documents). So each document's derivation also writes every such row once, as
one literal on the item its citation meant (pia_kg/derive/answer_rows.py), and the question
reads an item's rows in one index scan; this module packs and unpacks them.

A packed row is a JSON object whose members are the row's columns in the answer's sort order,
each value as in JSON-LD: a plain string for a plain literal, ``{"@value", "@language"}`` or
``{"@value", "@type"}`` for a tagged or typed literal, ``{"@id"}`` for an IRI, ``null`` for
no value. Ordering rows by the packed text orders them by their columns in turn (each value
is one JSON string behind the same keys).

>>> import pyoxigraph as ox
>>> text = pack({"body": ox.Literal("いわき市", language="ja"), "item": ox.Literal("81"),
...              "doc": ox.NamedNode("http://x/d"), "n": ox.Literal("2", datatype=ox.NamedNode(
...              "http://www.w3.org/2001/XMLSchema#integer")), "purpose": None})
>>> text
'{"body":{"@value":"いわき市","@language":"ja"},"item":"81","doc":{"@id":"http://x/d"},"n":{"@value":"2","@type":"http://www.w3.org/2001/XMLSchema#integer"},"purpose":null}'
>>> unpack(text)["body"], unpack(text)["item"], unpack(text)["doc"], unpack(text)["purpose"]
(rdflib.term.Literal('いわき市', lang='ja'), rdflib.term.Literal('81'), rdflib.term.URIRef('http://x/d'), None)
>>> unpack('["not", "a row"]')
Traceback (most recent call last):
...
pia_kg.errors.QueryError: a packed answer row is not a JSON object: '["not", "a row"]'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from pia_kg.errors import QueryError

__all__ = ["pack", "pack_keyed", "split_keyed", "pack_lines", "lines", "unpack", "members", "term", "row_terms"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _json_value(term: ox.NamedNode | ox.Literal | ox.BlankNode | Node | None) -> object:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if isinstance(term, Literal):  # rdflib's, as a store's query gives them
        if term.language:
            return {"@value": str(term), "@language": term.language}
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return {"@value": str(term), "@type": str(term.datatype)}
        return str(term)
    if isinstance(term, BNode):
        return {"@id": f"_:{term}"}
    if isinstance(term, URIRef):
        return {"@id": str(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value != _XSD_STRING:
        return {"@value": term.value, "@type": term.datatype.value}
    return term.value


def pack(row: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode | Node | None]) -> str:
    """The row (column → Oxigraph or rdflib term, or None) as one JSON text, its members in
    the mapping's order.

    >>> pack({"a": Literal("81"), "b": URIRef("http://x/i"), "c": Literal("2", datatype=URIRef(_XSD_STRING))})
    '{"a":"81","b":{"@id":"http://x/i"},"c":"2"}'
    """
    return json.dumps({k: _json_value(v) for k, v in row.items()}, ensure_ascii=False, separators=(",", ":"))


def pack_keyed(keys: Sequence[ox.NamedNode | ox.Literal | Node | None], packed: str) -> str:
    """A packed row behind the values a question joins on, each followed by a tab: "" for no
    value, else "=" and the term's text (an IRI's or a literal's, a tab in it a space). The
    question's join reads them with :func:`split_keyed`, without unpacking the row, and the
    row as the text after the last tab.

    >>> pack_keyed([Literal("番号法別表第一"), None, URIRef("http://x/i")], '{"a":"81"}')
    '=番号法別表第一\\t\\t=http://x/i\\t{"a":"81"}'
    >>> pack_keyed([Literal("36\\tの\\n2")], "{}")
    '=36 の 2\\t{}'
    """
    cells = ["" if k is None else "=" + _one_cell(k.value if isinstance(k, ox.NamedNode | ox.Literal) else str(k))
             for k in keys]
    return "".join(c + "\t" for c in cells) + packed


def _one_cell(text: str) -> str:
    # a tab ends a cell and a line feed a row (:func:`pack_lines`): neither is left in one
    return text.replace("\t", " ").replace("\n", " ")


def split_keyed(text: str, count: int) -> tuple[list[str | None], str]:
    """The ``count`` values written before a packed row by :func:`pack_keyed` (None for no
    value), and the packed row.

    >>> split_keyed('=番号法別表第一\\t\\t=http://x/i\\t{"a":"81"}', 3)
    (['番号法別表第一', None, 'http://x/i'], '{"a":"81"}')
    """
    *cells, packed = text.split("\t", count)
    return [c[1:] if c else None for c in cells], packed


def pack_lines(rows: Iterable[str]) -> str:
    """Packed rows (:func:`pack` or :func:`pack_keyed`) in one text, a line each, each once
    and in order: the rows of one node read in one index look-up (an amendment's 138,000
    citation rows at 5,000 documents are read in 0.2 s as 2,000 such texts, in 2.7 s a row
    a literal: each literal read is a look-up of its own). A packed row holds no line feed
    (JSON escapes it in a value; :func:`pack_keyed` drops it from a cell).

    >>> pack_lines(['{"a":"y\\\\n"}', '=x\\t{"a":"z"}', '{"a":"y\\\\n"}'])
    '=x\\t{"a":"z"}\\n{"a":"y\\\\n"}'
    >>> lines(pack_lines(['{"a":"\\u2028"}', '{"b":1}'])) == ['{"a":"\\u2028"}', '{"b":1}']
    True
    """
    return "\n".join(sorted(set(rows)))


def lines(text: str) -> list[str]:
    """The packed rows of a text :func:`pack_lines` wrote (not ``splitlines``: a JSON text
    keeps U+2028 and other line breaks of Unicode as they are)."""
    return text.split("\n") if text else []


# Rows repeat the same names (bodies, departments, tables, purposes) many times, and rdflib's
# Literal constructor is slow: the terms are immutable, so they are shared (a plain dict,
# emptied when full: a cache lookup is most of what unpacking a row costs).
_PLAIN: dict[str, Literal] = {}
_CACHE_SIZE = 262_144


@lru_cache(maxsize=65_536)
def _tagged(value: str, language: str | None, datatype: str | None) -> Literal:
    return Literal(value, lang=language, datatype=URIRef(datatype) if datatype else None)


@lru_cache(maxsize=65_536)
def _iri(value: str) -> URIRef:
    # the same bodies' assessments and documents recur from row to row: URIRef checks each text
    return URIRef(value)


def term(value: object) -> Node | None:
    """The rdflib term of one member's value (None for null)."""
    if value.__class__ is str:
        found = _PLAIN.get(value)  # type: ignore[arg-type]
        if found is None:
            if len(_PLAIN) >= _CACHE_SIZE:
                _PLAIN.clear()
            found = _PLAIN[value] = Literal(value)  # type: ignore[index]
        return found
    if value is None:
        return None
    if isinstance(value, dict):
        if "@id" in value:
            return _iri(value["@id"])
        if "@value" in value:
            return _tagged(str(value["@value"]), value.get("@language"), value.get("@type"))
    raise QueryError(f"a packed answer row has a value that is no RDF term: {value!r}")


_DECODE = json.JSONDecoder().decode


def members(text: str) -> dict[str, object]:
    """The members of one packed row as JSON values (see :func:`term`)."""
    try:
        found = _DECODE(text)
    except ValueError:
        found = None
    if found.__class__ is not dict:
        raise QueryError(f"a packed answer row is not a JSON object: {text[:80]!r}")
    return found  # type: ignore[return-value]


def row_terms(text: str, names: Sequence[str]) -> list[Node | None]:
    """The terms of the members ``names`` of one packed row, in that order (None for null or
    a missing member): what spreading a row into its columns costs, a few µs a row.

    >>> row_terms('{"a":"81","b":{"@id":"http://x/i"}}', ["b", "c", "a"])
    [rdflib.term.URIRef('http://x/i'), None, rdflib.term.Literal('81')]
    """
    cells = members(text)
    found = _PLAIN.get  # most values are plain texts already made (the inline path of term())
    out: list[Node | None] = []
    for name in names:
        value = cells.get(name)
        known = found(value) if value.__class__ is str else None  # type: ignore[arg-type]
        out.append(known if known is not None else term(value))
    return out


def unpack(text: str) -> dict[str, Node | None]:
    """The columns of one packed row, as rdflib terms (None for no value)."""
    return {k: term(v) for k, v in members(text).items()}
