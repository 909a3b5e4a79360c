"""Answer rows packed in one literal: the codec.

A headline answer (departments or recipients under an item) has thousands of rows at national
scale, each with eight columns read from as many triples. Read triple by triple, every row
costs eight index lookups of the store (about 6 µs each in Oxigraph on disk: 0.5 s for 6,000
rows at 5,000 documents). So each document's derivation also writes every such row once, as
one literal on the item its citation meant (pia_kg/derive/answer_rows.py), and the question
reads an item's rows in one index scan; this module packs and unpacks them.

A packed row is its cells, one per member, separated by tabs. The members are the answer's
columns in its sort order, declared by the named query that reads them (``#+ members:``,
pia_kg/named_queries.py). A cell is one RDF term, its kind told by its first character:

    (empty)          no value
    <http://x/i      an IRI
    _b0              a blank node
    @ja 青森市        a literal with a language tag: the tag, a space, the text
    ^http://…#integer 2
                     a typed literal: its datatype, a space, the text
    "text            a plain literal (written so when the text is empty or starts with one
                     of the characters above, or with a double quote)
    text             any other plain literal

In every text a backslash, tab, line feed and carriage return are written ``\\\\``, ``\\t``,
``\\n``, ``\\r``: a tab ends a cell and a line feed a row (:func:`pack_lines`). Ordering rows by
their packed texts orders them by their cells in turn (a tab sorts before any character a
cell holds; only escaped characters, and an empty text against one starting with a space or
"!", sort otherwise), as the queries' ``ORDER BY ?row`` does on any endpoint.

Spreading a row is a split and a dictionary look-up a cell: the names, departments, tables
and purposes repeat from row to row, and their terms are made once. (Packed as JSON objects,
6,000 rows took 32 ms to spread, most of it decoding nested objects and their members' names.)

>>> import pyoxigraph as ox
>>> text = pack([ox.Literal("いわき市", language="ja"), ox.Literal("81"), ox.NamedNode("http://x/d"),
...              ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), None])
>>> text
'@ja いわき市\\t81\\t<http://x/d\\t^http://www.w3.org/2001/XMLSchema#integer 2\\t'
>>> row_terms(text, 5)
[rdflib.term.Literal('いわき市', lang='ja'), rdflib.term.Literal('81'), rdflib.term.URIRef('http://x/d'), rdflib.term.Literal('2', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer')), None]
>>> row_terms(text, 4)
Traceback (most recent call last):
...
pia_kg.errors.QueryError: a packed answer row has 5 cells where its query declares 4 members (run `pia-kg rederive` if the store was derived by another pia-kg): '@ja いわき市\\t81\\t<http://x/d\\t^http://www.w3.org/2001/XMLSchema#integer 2\\t'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from pia_kg.errors import QueryError

__all__ = ["pack", "cell", "row_terms", "unpack", "pack_keyed", "split_keyed", "pack_lines", "lines", "term"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: The first characters that say a cell's kind (a plain text starting with one is quoted).
_KINDS = frozenset('<_@^"')
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
_ESCAPED = re.compile(r"\\(.)", re.S)
_TO_ESCAPE = re.compile(r"[\\\t\n\r]")


def _escape(text: str) -> str:
    # translate looks every character up in a dict: 5 µs for a purpose text, where a search
    # finds in 0.3 µs that there is nothing to escape
    return text.translate(_ESCAPES) if _TO_ESCAPE.search(text) else text


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text)


def cell(term: ox.NamedNode | ox.Literal | ox.BlankNode | Node | None) -> str:
    """One term (Oxigraph's or rdflib's, or None) as a cell of a packed row.

    >>> [cell(t) for t in (None, Literal(""), Literal("@home"), Literal("a\\tb\\\\c"), URIRef("http://x/i"),
    ...                    BNode("b1"), Literal("x", datatype=URIRef(_XSD_STRING)))]
    ['', '"', '"@home', 'a\\\\tb\\\\\\\\c', '<http://x/i', '_b1', 'x']
    >>> cell(ox.Literal("2", datatype=ox.NamedNode("http://x/t"))), cell(ox.BlankNode("b2"))
    ('^http://x/t 2', '_b2')
    """
    kind = term.__class__
    if kind is ox.Literal:  # the derivations' terms: most cells
        text, language = term.value, term.language  # type: ignore[union-attr]
        datatype = None if language else term.datatype.value  # type: ignore[union-attr]
    elif term is None:
        return ""
    elif kind is ox.NamedNode or kind is URIRef:
        return "<" + _escape(term.value if kind is ox.NamedNode else str(term))  # type: ignore[union-attr]
    elif kind is ox.BlankNode or kind is BNode:
        return "_" + (term.value if kind is ox.BlankNode else str(term))  # type: ignore[union-attr]
    elif isinstance(term, Literal):  # rdflib's, as a store's query gives them
        text, language = str(term), term.language
        datatype = None if term.datatype is None else str(term.datatype)
    else:
        raise TypeError(f"not an RDF term: {term!r}")
    text = _escape(text)
    if language:
        return f"@{language} {text}"
    if datatype is not None and datatype != _XSD_STRING:
        return f"^{datatype} {text}"
    return '"' + text if not text or text[0] in _KINDS else text


def pack(row: Iterable[ox.NamedNode | ox.Literal | ox.BlankNode | Node | None]) -> str:
    """A row's terms (None for no value), its members in order, as one text.

    >>> pack([Literal("81"), URIRef("http://x/i"), None, Literal("2", datatype=URIRef(_XSD_STRING))])
    '81\\t<http://x/i\\t\\t2'
    """
    return "\t".join([cell(t) for t in row])


def _term_of(text: str) -> Node | None:
    kind = text[:1]
    if kind == "<":
        return URIRef(_unescape(text[1:]))
    if kind == "_":
        return BNode(text[1:])
    if kind == "@":
        language, _, value = text[1:].partition(" ")
        return Literal(_unescape(value), lang=language)
    if kind == "^":
        datatype, _, value = text[1:].partition(" ")
        return Literal(_unescape(value), datatype=URIRef(datatype))
    if kind == '"':
        return Literal(_unescape(text[1:]))
    return None if not text else Literal(_unescape(text))


# Cell text → term. Rows repeat the same names (bodies, departments, tables, purposes) many
# times and rdflib's constructors are slow; the terms are immutable, so they are shared (a
# plain dict, emptied when full).
_TERMS: dict[str, Node | None] = {"": None}
_CACHE_SIZE = 262_144
_MISSING = object()


def _made(text: str) -> Node | None:
    if len(_TERMS) >= _CACHE_SIZE:
        _TERMS.clear()
    found = _TERMS[text] = _term_of(text)
    return found


def row_terms(text: str, count: int) -> list[Node | None]:
    """The terms of a packed row's ``count`` members, in order: a split and a dictionary
    look-up a cell. Raises QueryError when the row has another number of cells (a store
    derived by another pia-kg, or another predicate's rows).

    >>> row_terms('"\\t@ja 子育て支援課\\ta\\\\tb\\\\\\\\c\\t"@home', 4)
    [rdflib.term.Literal(''), rdflib.term.Literal('子育て支援課', lang='ja'), rdflib.term.Literal('a\\tb\\\\c'), rdflib.term.Literal('@home')]
    """
    cells = text.split("\t")
    try:  # every cell seen before (most rows): the look-ups in C
        out = list(map(_TERMS.__getitem__, cells))
    except KeyError:
        get = _TERMS.get
        out = [found if (found := get(c, _MISSING)) is not _MISSING else _made(c) for c in cells]
    if len(out) != count:
        raise QueryError(
            f"a packed answer row has {len(out)} cells where its query declares {count} members "
            f"(run `pia-kg rederive` if the store was derived by another pia-kg): {text[:120]!r}"
        )
    return out  # type: ignore[return-value]


def unpack(text: str, members: Sequence[str]) -> dict[str, Node | None]:
    """A packed row's terms by member name.

    >>> unpack("@ja いわき市\\t", ["body", "purpose"])
    {'body': rdflib.term.Literal('いわき市', lang='ja'), 'purpose': None}
    """
    return dict(zip(members, row_terms(text, len(members)), strict=True))


def pack_keyed(keys: Sequence[ox.NamedNode | ox.Literal | Node | None], packed: str) -> str:
    """A packed row behind the values a question joins on, each followed by a tab: "" for no
    value, else "=" and the term's text (an IRI's or a literal's, a tab in it a space). The
    question's join reads them with :func:`split_keyed`, without unpacking the row, and the
    row as the text after the last tab.

    >>> pack_keyed([Literal("番号法別表第一"), None, URIRef("http://x/i")], pack([Literal("81"), None]))
    '=番号法別表第一\\t\\t=http://x/i\\t81\\t'
    >>> pack_keyed([Literal("36\\tの\\n2")], "x")
    '=36 の 2\\tx'
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

    >>> split_keyed('=番号法別表第一\\t\\t=http://x/i\\t81\\t', 3)
    (['番号法別表第一', None, 'http://x/i'], '81\\t')
    """
    *cells, packed = text.split("\t", count)
    return [c[1:] if c else None for c in cells], packed


def pack_lines(rows: Iterable[str]) -> str:
    """Packed rows (:func:`pack` or :func:`pack_keyed`) in one text, a line each, each once
    and in order: the rows of one node read in one index look-up (an amendment's 138,000
    citation rows at 5,000 documents are read in 0.2 s as 2,000 such texts, in 2.7 s a row
    a literal: each literal read is a look-up of its own). A packed row holds no line feed
    (:func:`cell` escapes it in a text; :func:`pack_keyed` drops it from a cell).

    >>> pack_lines([pack([Literal("y\\n")]), pack_keyed([Literal("x")], "z"), pack([Literal("y\\n")])])
    '=x\\tz\\ny\\\\n'
    >>> lines(pack_lines([pack([Literal("\\u2028")]), "b"])) == ["b", "\\u2028"]
    True
    """
    return "\n".join(sorted(set(rows)))


def lines(text: str) -> list[str]:
    """The packed rows of a text :func:`pack_lines` wrote (not ``splitlines``: a cell keeps
    U+2028 and the other line breaks of Unicode as they are)."""
    return text.split("\n") if text else []


@lru_cache(maxsize=65_536)
def term(text: str | None) -> Literal | None:
    """The plain literal of a text (None for None), made once: a join's cells.

    >>> term("81"), term(None)
    (rdflib.term.Literal('81'), None)
    """
    return None if text is None else Literal(text)
