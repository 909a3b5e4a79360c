"""Derived graphs written straight as N-Triples text, the form the pipeline carries them in.

A worker derives a few thousand statements per document and hands them on as N-Triples
(pia_kg/derive/documents.py); building rdflib terms and Graphs only to serialise them cost
more than deriving them. So the derivations write terms as text here, spelled exactly as
rdflib's N-Triples serializer spells them (one escaping rule, :func:`literal`), and a
:class:`Triples` keeps each statement once, as a graph would.

>>> t = Triples()
>>> t.add(iri("urn:s"), iri("urn:p"), literal('say "hi"\\n'))
>>> t.add(iri("urn:s"), iri("urn:p"), literal('say "hi"\\n'))
>>> print(t.text(), end="")
<urn:s> <urn:p> "say \\"hi\\"\\n" .
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.serializers.nt import _quote_encode

from pia_kg.store import as_graph

__all__ = [
    "Triples",
    "iri",
    "literal",
    "boolean",
    "date",
    "decimal",
    "integer",
    "term",
    "Names",
]

_XSD_STRING = str(XSD.string)
_XSD_DATE = f"<{XSD.date}>"
_XSD_INTEGER = f"<{XSD.integer}>"
_XSD_DECIMAL = f"<{XSD.decimal}>"
_XSD_BOOLEAN = f"<{XSD.boolean}>"


def iri(value: str) -> str:
    """An IRI as N-Triples writes it.

    >>> iri("https://w3id.org/pia-kg/id/x")
    '<https://w3id.org/pia-kg/id/x>'
    """
    return f"<{value}>"


def literal(lexical: str, *, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal as rdflib's N-Triples serializer writes it (its own escaping function, as
    loaders/documents/triple_store.py uses): backslash, line feed, quote and carriage return
    escaped, every other character as it is.

    >>> literal("a\\\\b\\r\\n")
    '"a\\\\\\\\b\\\\r\\\\n"'
    >>> literal("子育て支援課", lang="ja")
    '"子育て支援課"@ja'
    >>> literal("5", datatype="http://www.w3.org/2001/XMLSchema#integer")
    '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    quoted = _quote_encode(lexical)  # rdflib's own rule, as the document graphs' writer uses
    if lang:
        return f"{quoted}@{lang}"
    if datatype:
        return f"{quoted}^^<{datatype}>"
    return quoted


def date(value: dt.date) -> str:
    """An xsd:date.

    >>> date(dt.date(2024, 5, 27))
    '"2024-05-27"^^<http://www.w3.org/2001/XMLSchema#date>'
    """
    return f'"{value.isoformat()}"^^{_XSD_DATE}'


def integer(value: int) -> str:
    """An xsd:integer.

    >>> integer(12)
    '"12"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    return f'"{int(value)}"^^{_XSD_INTEGER}'


def decimal(value: float) -> str:
    """A score as an xsd:decimal with three places (rounded as ``f"{x:.3f}"`` rounds).

    >>> decimal(0.12345)
    '"0.123"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    return f'"{Decimal(f"{value:.3f}"):f}"^^{_XSD_DECIMAL}'


def boolean(value: bool) -> str:
    """An xsd:boolean.

    >>> boolean(False)
    '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    """
    return f'"{"true" if value else "false"}"^^{_XSD_BOOLEAN}'


def term(node: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A term of an Oxigraph result as rdflib would write it once converted
    (``to_rdflib``): a typed literal other than xsd:string goes through that conversion,
    so its lexical form is normalised as before.

    >>> term(ox.Literal("子育て支援課", language="ja"))
    '"子育て支援課"@ja'
    >>> term(ox.Literal("007", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(node, ox.NamedNode):
        return f"<{node.value}>"
    if isinstance(node, ox.Literal):
        if node.language:
            return literal(node.value, lang=node.language)
        if node.datatype.value == _XSD_STRING:
            return literal(node.value)
        from pia_kg.backends.oxigraph_store import to_rdflib

        converted = to_rdflib(node)
        return literal(str(converted), datatype=str(converted.datatype))  # type: ignore[union-attr]
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    raise TypeError(f"not an RDF term: {node!r}")


class Names:
    """The terms of one namespace as N-Triples writes them, each spelled once.

    >>> Names("https://w3id.org/pia-kg/ontology#").problem
    '<https://w3id.org/pia-kg/ontology#problem>'
    """

    def __init__(self, namespace: str) -> None:
        self._namespace = str(namespace)

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        spelled = f"<{self._namespace}{name}>"
        setattr(self, name, spelled)
        return spelled


class Triples:
    """An N-Triples graph being written: each statement once, in the order first added."""

    def __init__(self) -> None:
        self._lines: dict[str, None] = {}

    def add(self, s: str, p: str, o: str) -> None:
        """Add the statement of three terms already written (:func:`iri`, :func:`literal`…)."""
        self._lines[f"{s} {p} {o} .\n"] = None

    def update(self, lines: Iterable[str]) -> None:
        """Add statements already written as N-Triples lines (each ending in a line break)."""
        self._lines.update(dict.fromkeys(lines))

    def __len__(self) -> int:
        return len(self._lines)

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def text(self) -> str:
        return "".join(self._lines)

    def graph(self, identifier: URIRef | None = None) -> Graph:
        """The statements as an rdflib Graph (for callers that want one)."""
        return as_graph(self.text(), identifier)
