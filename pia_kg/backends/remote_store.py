"""A remote SPARQL 1.1 endpoint (query + update) through SPARQLWrapper.

The endpoint must expose the union of its named graphs as the default graph, as pia-kg's
queries expect: ``oxigraph serve --union-default-graph``, Fuseki's ``tdb:unionDefaultGraph``,
GraphDB and Virtuoso settings of the same name.
"""

from __future__ import annotations

import json
import urllib.error

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from pia_kg.backends.common import SparqlUpdateStore, capped, serialize_dataset
from pia_kg.errors import QueryError, QueryTimeoutError, StoreError
from pia_kg.store import ExportFormat, QueryResult

_GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def term_from_json(cell: dict[str, str] | None) -> Node | None:
    """One cell of SPARQL 1.1 Query Results JSON as an rdflib term."""
    if cell is None:
        return None
    kind, value = cell["type"], cell["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    lang = cell.get("xml:lang")
    dt = cell.get("datatype")
    return Literal(value, lang=lang, datatype=URIRef(dt) if dt and not lang else None)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside the prologue."""
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(sparql)
    except Exception as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    name = parsed[1].name  # e.g. "SelectQuery"
    return name.replace("Query", "").upper()


class RemoteStore(SparqlUpdateStore):
    name = "remote"
    capabilities = frozenset({"persistent", "remote"})

    def __init__(self, endpoint: str, update_endpoint: str | None = None, *, timeout: float = 60):
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.timeout = timeout

    def _wrapper(self, url: str, timeout: float | None) -> SPARQLWrapper:
        w = SPARQLWrapper(url)
        w.setTimeout(int(timeout or self.timeout))
        w.setMethod(POST)
        return w

    def _call(self, w: SPARQLWrapper, timeout: float | None):  # noqa: ANN202
        try:
            return w.query()
        except QueryBadFormed as exc:
            raise QueryError(f"the endpoint rejected the query: {exc}") from None
        except TimeoutError:
            raise QueryTimeoutError(
                f"{w.endpoint} did not answer within {timeout or self.timeout:g} s"
            ) from None
        except (urllib.error.URLError, SPARQLWrapperException, ConnectionError, OSError) as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {w.endpoint}: {exc}") from None

    def query(
        self, sparql: str, *, timeout: float | None = None, limit: int | None = None
    ) -> QueryResult:
        form = query_form(sparql)
        w = self._wrapper(self.endpoint, timeout)
        w.setQuery(sparql)
        # SPARQLWrapper guesses the form with a regex that header comments can fool
        # ("description" reads as DESCRIBE); we parsed the query, so we know it.
        w.queryType = form
        if form in _GRAPH_FORMS:
            w.setReturnFormat(TURTLE)
            raw = self._call(w, timeout).response.read()
            graph = Graph()
            graph.parse(data=raw, format="turtle")
            list(capped(range(len(graph)), limit, "triples"))
            return QueryResult("graph", graph=graph)
        w.setReturnFormat(JSON)
        raw = self._call(w, timeout).response.read()
        try:
            data = json.loads(raw)
        except ValueError:
            raise StoreError(f"{self.endpoint} did not answer with SPARQL JSON results") from None
        if "boolean" in data:
            return QueryResult("ask", boolean=bool(data["boolean"]))
        variables = data["head"]["vars"]
        rows = [
            tuple(term_from_json(b.get(v)) for v in variables)
            for b in capped(data["results"]["bindings"], limit)
        ]
        return QueryResult("select", variables, rows)

    def update(self, sparql_update: str) -> None:
        if not self.update_endpoint:
            raise StoreError(
                "this remote store is read-only: give --update-endpoint URL to load or remove data"
            )
        w = self._wrapper(self.update_endpoint, None)
        w.setQuery(sparql_update)
        self._call(w, None)

    def named_graphs(self) -> list[URIRef]:
        r = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(URIRef(str(row[0])) for row in r.rows)

    def get_graph(self, graph: URIRef) -> Graph:
        result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        out = Graph(identifier=graph)
        if result.graph is not None:
            out += result.graph
        return out

    def triple_count(self, graph: URIRef | None = None) -> int:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
        r = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(r.rows[0][0])

    def export(self, fmt: ExportFormat) -> bytes:
        r = self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        ds = Dataset()
        for s, p, o, g in r.rows:
            ds.graph(g).add((s, p, o))
        return serialize_dataset(ds.serialize(format="nquads").encode("utf-8"), fmt)
