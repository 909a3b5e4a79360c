"""Embedded Oxigraph on disk: the default store."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from pia_kg.backends.common import SparqlUpdateStore, serialize_dataset, with_timeout
from pia_kg.errors import QueryError, StoreError
from pia_kg.store import ExportFormat, QueryResult

_XSD_STRING = str(XSD.string)

_EXPORT = {
    ExportFormat.nquads: ox.RdfFormat.N_QUADS,
    ExportFormat.trig: ox.RdfFormat.TRIG,
}


def to_rdflib(term: object) -> Node | None:
    """A pyoxigraph term as the rdflib term every QueryResult carries."""
    if term is None:
        return None
    return _converted(term)


# rdflib's Literal constructor is slow and results repeat the same terms (labels, tables,
# item texts) many times; the terms are immutable, so conversions are shared.
@lru_cache(maxsize=262_144)
def _converted(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value, datatype=None if dt == _XSD_STRING else URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise StoreError(f"unsupported term from Oxigraph: {term!r}")


class OxigraphStore(SparqlUpdateStore):
    """Oxigraph's RocksDB store in a directory (created if missing), or in memory with no path."""

    name = "oxigraph"
    capabilities = frozenset({"persistent", "fast"})

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from None

    def query(self, sparql: str, *, timeout: float | None = None) -> QueryResult:
        return with_timeout(lambda: self._query(sparql), timeout)

    def _query(self, sparql: str) -> QueryResult:
        try:
            result = self._store.query(sparql, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(result))
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                rows = [tuple(to_rdflib(sol[v]) for v in variables) for sol in result]
                return QueryResult("select", variables, rows)
            graph = Graph()
            for t in result:
                graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            return QueryResult("graph", graph=graph)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            raise QueryError(f"query failed: {exc}") from None

    def update(self, sparql_update: str) -> None:
        try:
            self._store.update(sparql_update)
        except SyntaxError as exc:
            raise StoreError(f"internal update was rejected: {exc}") from None
        except OSError as exc:
            raise StoreError(f"update failed, store unchanged: {exc}") from None

    def load_nquads(self, data: bytes) -> None:
        """Add N-Quads in one transaction (Oxigraph's own parser: no SPARQL text to build)."""
        try:
            self._store.load(data, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"loading N-Quads failed, store unchanged: {exc}") from None

    def graphs_nquads(self, prefixes: tuple[str, ...]) -> bytes:
        """The named graphs whose IRI starts with one of ``prefixes``, as N-Quads."""
        chunks = []
        for g in self._store.named_graphs():
            if isinstance(g, ox.NamedNode) and g.value.startswith(prefixes):
                quads = self._store.quads_for_pattern(None, None, None, g)
                chunks.append(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        return b"".join(chunks)

    def named_graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs())

    def get_graph(self, graph: URIRef) -> Graph:
        out = Graph(identifier=graph)
        for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
            out.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return out

    def triple_count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._store)
        # counted inside Oxigraph: iterating quads in Python costs ~1 µs each
        result = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(next(iter(result))["n"].value)

    def export(self, fmt: ExportFormat) -> bytes:
        if fmt in _EXPORT:
            return self._store.dump(format=_EXPORT[fmt])
        return serialize_dataset(self._store.dump(format=ox.RdfFormat.N_QUADS), fmt)

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()
        del self._store
