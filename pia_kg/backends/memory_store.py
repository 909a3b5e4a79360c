"""In-memory rdflib Dataset: for tests and small jobs. Nothing survives the process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import BinaryIO

import rdflib.plugins.sparql
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.sparql.parser import parseQuery

from pia_kg.backends.common import capped, serialize_dataset, with_timeout
from pia_kg.errors import QueryError
from pia_kg.store import ExportFormat, GraphData, QueryResult, Store, as_graph

# rdflib would fetch a graph named in FROM from the web when the dataset lacks it: a query
# must never make the process fetch anything.
rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


class MemoryStore(Store):
    name = "memory"
    capabilities = frozenset()

    def __init__(self) -> None:
        self._ds = Dataset(default_union=True)
        self._writes = 0

    def state_token(self) -> str | None:
        return f"memory:{id(self)}:{self._writes}"

    def query(
        self, sparql: str, *, timeout: float | None = None, limit: int | None = None
    ) -> QueryResult:
        return with_timeout(lambda: self._query(sparql, limit), timeout)

    def _query(self, sparql: str, limit: int | None = None) -> QueryResult:
        try:
            parseQuery(sparql)
        except Exception as exc:  # pyparsing's ParseException and friends
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        try:
            result = self._ds.query(sparql)
        except Exception as exc:  # rdflib raises bare exceptions during evaluation
            raise QueryError(f"query failed: {exc}") from None
        if result.type == "ASK":
            return QueryResult("ask", boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            graph = Graph()
            for t in capped(result, limit, "triples"):
                graph.add(t)
            return QueryResult("graph", graph=graph)
        variables = [str(v) for v in result.vars]
        rows = [tuple(row) for row in capped(result, limit)]
        return QueryResult("select", variables, rows)

    def replace_graphs(self, graphs: Mapping[URIRef, GraphData], drops: Sequence[URIRef] = ()) -> None:
        # Parse every new graph aside first; the swap itself only adds (no failure point).
        parsed = {g: as_graph(data) for g, data in graphs.items()}
        for g in list(parsed) + list(drops):
            self._ds.remove_graph(self._ds.graph(g))
        for g, data in parsed.items():
            target = self._ds.graph(g)
            for t in data:
                target.add(t)
        self._writes += 1  # after the write: a new state token means the new data is there

    def drop_graphs(self, graphs: Sequence[URIRef]) -> None:
        for g in graphs:
            self._ds.remove_graph(self._ds.graph(g))
        self._writes += 1

    def named_graphs(self) -> list[URIRef]:
        return sorted(
            URIRef(c.identifier)
            for c in self._ds.graphs()
            if isinstance(c.identifier, URIRef) and len(c) and c.identifier != DATASET_DEFAULT_GRAPH_ID
        )

    def get_graph(self, graph: URIRef) -> Graph:
        out = Graph(identifier=graph)
        for t in self._ds.graph(graph):
            out.add(t)
        return out

    def triple_count(self, graph: URIRef | None = None) -> int:
        if graph is not None:
            return len(self._ds.graph(graph))
        return sum(1 for _ in self._ds.quads((None, None, None, None)))

    def export_to(self, fmt: ExportFormat, output: BinaryIO) -> None:
        """The dataset in memory, serialised whole (a store in memory is a small one)."""
        output.write(serialize_dataset(self._ds.serialize(format="nquads").encode("utf-8"), fmt))
