"""Building the graph of one document: fact nodes that always carry their provenance."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from pia_kg.loaders.documents.source import SourceText
from pia_kg.loaders.documents.terms import PIA
from pia_kg.loaders.documents.triple_store import TripleGraph
from pia_kg.vocab import PREFIXES, PROV, RDF, RDFS, XSD, document_iri, fact_iri

__all__ = ["DocumentGraph", "integer_literal", "text_literal"]

_SOURCE, _LINE_START, _LINE_END, _DERIVED_FROM = (
    PIA.source, PIA.lineStart, PIA.lineEnd, PROV.wasDerivedFrom
)


class _Literal(Literal):
    """A ``Literal`` that keeps its hash once computed.

    rdflib computes a literal's hash in Python on every dictionary lookup, and the graph's
    three indexes look each new object up three times (loaders/documents/triple_store.py);
    the literals made here are kept (below) and come back in every document. Equal to, and
    hashed as, the plain ``Literal`` of the same value, and shown as one.

    >>> a = text_literal("子育て支援課", "ja")
    >>> a == Literal("子育て支援課", lang="ja"), hash(a) == hash(Literal("子育て支援課", lang="ja"))
    (True, True)
    >>> integer_literal(7)
    rdflib.term.Literal('7', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """

    __slots__ = ("_hash",)

    def __hash__(self) -> int:
        try:
            return self._hash
        except AttributeError:
            self._hash: int = Literal.__hash__(self)
            return self._hash

    def __repr__(self) -> str:
        return "rdflib.term.Literal" + Literal.__repr__(self)[len("_Literal") :]


@lru_cache(maxsize=1 << 14, typed=True)
def integer_literal(number: int) -> Literal:
    """An ``xsd:integer`` literal: line numbers and orders, the same few thousand per document."""
    return _Literal(number, datatype=XSD.integer)


@lru_cache(maxsize=1 << 14, typed=True)
def text_literal(text: str, lang: str | None = None) -> Literal:
    """A string literal, language-tagged or not (a document repeats its names and sources)."""
    return _Literal(text, lang=lang)


# The term classes a document is written with, told by their type first: ``Node`` is an
# abstract class, and an isinstance check against one costs a call for every triple.
_TERMS = frozenset({URIRef, BNode, Literal, _Literal})


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
        self._sources: dict[tuple[int, int], Literal] = {}

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
        put((node, _SOURCE, self._source(start, end)))
        put((node, _LINE_START, integer_literal(start)))
        put((node, _LINE_END, integer_literal(end)))
        put((node, _DERIVED_FROM, self.doc))

    def _source(self, start: int, end: int) -> Literal:
        """``FILE#Lstart-Lend`` as a literal, made once per document: the file name makes
        these this document's own, so they are kept here rather than with the literals
        every document repeats (text_literal), where they pushed those out."""
        ref = self._sources.get((start, end))
        if ref is None:
            ref = self._sources[start, end] = _Literal(self.src.source_ref(start, end))
        return ref

    def add(self, s: Node, p: URIRef, o: Node | str | int | bool | None) -> None:
        """Add a triple; plain Python values become literals; None and "" are skipped."""
        if o is None:
            return
        kind = type(o)
        if kind is str:
            if not o:
                return
            o = text_literal(o)
        elif kind not in _TERMS and not isinstance(o, Node):  # no term is equal to ""
            if o == "":
                return
            o = Literal(o)
        if (type(s) in _TERMS or isinstance(s, Node)) and (type(p) in _TERMS or isinstance(p, Node)):
            self._store.add((s, p, o), None)  # what Graph.add does, once it has checked the terms
        else:
            self.graph.add((s, p, o))  # rdflib says which term is wrong

    def label(self, node: URIRef, text: str, lang: str | None = "ja") -> None:
        self.graph.add((node, RDFS.label, text_literal(text, lang)))

    def warn(self, message: str, line: int | None = None) -> None:
        where = f"{self.src.name}:{line}: " if line else f"{self.src.name}: "
        self.warnings.append(where + message)
