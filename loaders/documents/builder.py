"""Building the graph of one document: fact nodes that always carry their provenance."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.term import Node

from pia_kg.loaders.documents.source import SourceText
from pia_kg.loaders.documents.terms import PIA
from pia_kg.loaders.documents.triple_store import TripleGraph
from pia_kg.vocab import PREFIXES, PROV, RDF, RDFS, XSD, document_iri, fact_iri

__all__ = ["DocumentGraph", "integer_literal", "text_literal"]

_SOURCE, _LINE_START, _LINE_END, _DERIVED_FROM = (
    PIA.source, PIA.lineStart, PIA.lineEnd, PROV.wasDerivedFrom
)


@lru_cache(maxsize=1 << 14, typed=True)
def integer_literal(number: int) -> Literal:
    """An ``xsd:integer`` literal: line numbers and orders, the same few thousand per document."""
    return Literal(number, datatype=XSD.integer)


@lru_cache(maxsize=1 << 14, typed=True)
def text_literal(text: str, lang: str | None = None) -> Literal:
    """A string literal, language-tagged or not (a document repeats its names and sources)."""
    return Literal(text, lang=lang)


class DocumentGraph:
    """The triples extracted from one ``SourceText``, bound for its own named graph.

    ``fact(kind, key, cls, start, end)`` mints a stable node for one extracted fact and records
    where it came from: ``pia:source "FILE#Ls-Le"``, ``pia:lineStart``, ``pia:lineEnd`` and
    ``prov:wasDerivedFrom`` the document.
    """

    def __init__(self, src: SourceText):
        self.src = src
        self.graph = TripleGraph(PREFIXES)
        self._store = self.graph.triple_store
        self.doc = document_iri(src.doc_id)
        self.warnings: list[str] = []

    def fact(
        self, kind: str, key: Iterable[str] | str, cls: URIRef, start: int, end: int | None = None
    ) -> URIRef:
        keys = (key,) if isinstance(key, str) else tuple(key)
        node = fact_iri(self.src.doc_id, kind, *keys)
        self.add(node, RDF.type, cls)
        self.provenance(node, start, end)
        return node

    def provenance(self, node: URIRef, start: int, end: int | None = None) -> None:
        end = start if end is None else end
        put = self._store.put  # Graph.set: each of the four replaces what the node had
        put((node, _SOURCE, text_literal(self.src.source_ref(start, end))))
        put((node, _LINE_START, integer_literal(start)))
        put((node, _LINE_END, integer_literal(end)))
        put((node, _DERIVED_FROM, self.doc))

    def add(self, s: Node, p: URIRef, o: Node | str | int | bool | None) -> None:
        """Add a triple; plain Python values become literals; None and "" are skipped."""
        if o is None or o == "":
            return
        if type(o) is str:
            o = text_literal(o)
        elif not isinstance(o, Node):
            o = Literal(o)
        if isinstance(s, Node) and isinstance(p, Node):
            self._store.add((s, p, o), None)  # what Graph.add does, once it has checked the terms
        else:
            self.graph.add((s, p, o))  # rdflib says which term is wrong

    def label(self, node: URIRef, text: str, lang: str | None = "ja") -> None:
        self.graph.add((node, RDFS.label, text_literal(text, lang)))

    def warn(self, message: str, line: int | None = None) -> None:
        where = f"{self.src.name}:{line}: " if line else f"{self.src.name}: "
        self.warnings.append(where + message)
