"""A remote SPARQL 1.1 endpoint: queries through SPARQLWrapper, updates through httpx.

The endpoint must expose the union of its named graphs as the default graph, as pia-kg's
queries expect: ``oxigraph serve --union-default-graph``, Fuseki's ``tdb:unionDefaultGraph``,
GraphDB's setting of the same name; Virtuoso does by default.

Writes go in bounded requests (``max_request_bytes``, 16 MiB, and ``max_request_triples``,
2,000, by default: Oxigraph's server refuses bodies over 128 MiB, Virtuoso's SPARQL compiler
runs out of parser stack on an INSERT DATA of some 5,000 lines): graphs grouped into a request, a
graph bigger than that split over several. Each request is one transaction on Oxigraph's server; Virtuoso applies
even one request step by step. Derived graphs are written before the document graphs they
come from, so an interrupted write leaves at worst derivations without their document (which
``pia-kg rederive`` clears), never a document without its derivations.

Updates with credentials (``user``/``password``, or ``$PIA_KG_ENDPOINT_USER`` and
``$PIA_KG_ENDPOINT_PASSWORD``) use HTTP digest auth, each request on its own (Virtuoso's
``/sparql-auth``): nothing is kept between requests, unlike SPARQLWrapper's process-wide opener.
Bulk reads (export, a graph's triples, the graph list) are paged by key (graph, subject),
so a server that caps results at 10,000 rows and refuses to sort past them (Virtuoso's
defaults) still gives them whole.

Every update request ends by writing a new value in a graph of its own
(``id:graph/state { id:graph/state pia:stateToken "…" }``), which :meth:`RemoteStore.state_token`
reads: caches of answers (the law as the questions read it, ``pia-kg serve``'s answers) then
hold across requests, and know when any pia-kg process wrote. A store pia-kg never wrote to
has no token, and nothing is cached of it; nor does the token see writes made by other tools.
That graph is not one of the store's for pia-kg (not listed, counted or exported).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.error
import uuid
from collections.abc import Iterator, Mapping, Sequence

import httpx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from pia_kg.backends.common import SparqlUpdateStore, capped, ntriples
from pia_kg.errors import QueryError, QueryTimeoutError, StoreError
from pia_kg.store import GraphData, QueryResult
from pia_kg.vocab import PIA, STATE_GRAPH

_PAGE = 10_000  # rows per page of a bulk read: Virtuoso's default cap

_GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")

_STATE = f"<{STATE_GRAPH}>"
_STATE_QUERY = f"SELECT ?t WHERE {{ GRAPH {_STATE} {{ {_STATE} <{PIA.stateToken}> ?t }} }}"


def state_stamp(token: str) -> str:
    """The update operations that record ``token`` as the store's state (ending each request).

    >>> print(state_stamp("t1").replace(str(STATE_GRAPH), "S"))
    DROP SILENT GRAPH <S> ;
    INSERT DATA { GRAPH <S> { <S> <https://w3id.org/pia-kg/ontology#stateToken> "t1" } }
    """
    return f'DROP SILENT GRAPH {_STATE} ;\nINSERT DATA {{ GRAPH {_STATE} {{ {_STATE} <{PIA.stateToken}> "{token}" }} }}'


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


# The prologue, as SPARQL 1.1 writes it: BASE <iri> and PREFIX p: <iri>, with white space
# and comments between them; then the form's keyword.
_PROLOGUE = re.compile(
    r"""(?:\s++|\#[^\n]*+|BASE\s*+<[^<>"{}|^`\\\s]*+>|PREFIX\s++[^\s:#<]*+:\s*+<[^<>"{}|^`\\\s]*+>)*+"""
    r"(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![A-Za-z0-9_])",
    re.IGNORECASE,
)


def query_form(sparql: str) -> str:
    r"""SELECT, ASK, CONSTRUCT or DESCRIBE: the first keyword after the prologue (read by a
    pattern: rdflib's parser took 40 ms for a named query, most of what a question asked of
    a remote store cost). A text this does not read is parsed whole, for the error's message.

    >>> query_form("# a description\nPREFIX pia: <https://w3id.org/pia-kg/ontology#>\nBASE <x:>\n"
    ...            "select * WHERE { ?s ?p ?o }")
    'SELECT'
    >>> query_form("PREFIX : <x:#>  # SELECT in a comment\nASK {}"), query_form("DESCRIBE <x:a>")
    ('ASK', 'DESCRIBE')
    >>> query_form("SELEKT nothing")
    Traceback (most recent call last):
    ...
    pia_kg.errors.QueryError: SPARQL syntax error: ...
    """
    found = _PROLOGUE.match(sparql)
    if found:
        return found.group(1).upper()
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

    def __init__(
        self,
        endpoint: str,
        update_endpoint: str | None = None,
        *,
        timeout: float = 60,
        user: str | None = None,
        password: str | None = None,
        max_request_bytes: int = 16 * 1024 * 1024,
        max_request_triples: int = 2_000,
        token_ttl: float = 1.0,
    ):
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint
        self.timeout = timeout
        self.user = user or os.environ.get("PIA_KG_ENDPOINT_USER")
        self.password = password or os.environ.get("PIA_KG_ENDPOINT_PASSWORD")
        self.max_request_bytes = max_request_bytes
        self.max_request_triples = max_request_triples
        # The state token as last read (or written by this process), and when: asked again
        # within ``token_ttl`` seconds, the store is not asked again (a request of its own
        # each time would cost as much as the cached answers save). Another process's write
        # is seen within that time; this process's own at once.
        self.token_ttl = token_ttl
        self._token: tuple[float, str | None] | None = None
        self._token_lock = threading.Lock()

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
        auth = httpx.DigestAuth(self.user, self.password or "") if self.user else None
        token = uuid.uuid4().hex
        # the new state last: a server that applies a request step by step (Virtuoso) changes
        # the token only once the data changed
        request = f"{sparql_update}\n;\n{state_stamp(token)}" if sparql_update.strip() else state_stamp(token)
        try:
            r = httpx.post(
                self.update_endpoint,
                content=request.encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                auth=auth,
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.update_endpoint}: {exc}") from None
        if r.status_code >= 400:
            with self._token_lock:
                self._token = None  # part of it may have been applied (Virtuoso): ask again
            raise StoreError(
                f"{self.update_endpoint} refused the update (HTTP {r.status_code}): {r.text[:300]}"
            )
        with self._token_lock:
            self._token = (time.monotonic(), f"remote:{token}")

    def state_token(self) -> str | None:
        """The value the last write of any pia-kg process left in the store (read at most once
        per ``token_ttl`` seconds); None if pia-kg never wrote to it or it cannot be read."""
        with self._token_lock:
            if self._token is not None and time.monotonic() - self._token[0] < self.token_ttl:
                return self._token[1]
        try:
            rows = self.query(_STATE_QUERY, timeout=min(self.timeout, 10)).rows
        except (StoreError, QueryError):
            return None
        token = f"remote:{rows[0][0]}" if rows and rows[0][0] is not None else None
        with self._token_lock:
            self._token = (time.monotonic(), token)
        return token

    def replace_graphs(self, graphs: Mapping[URIRef, GraphData], drops: Sequence[URIRef] = ()) -> None:
        """Drops first, then each graph emptied and refilled, in requests of bounded size."""
        from pia_kg.backends.common import swap_update

        if drops:
            self.update(swap_update({}, drops))
        for request in self._requests(graphs):
            self.update(request)

    def _requests(self, graphs: Mapping[URIRef, GraphData]) -> Iterator[str]:
        """SPARQL Update requests of at most ``max_request_bytes`` and ``max_request_triples``
        (Virtuoso's SPARQL compiler runs out of parser stack at some 5,000 lines, and refuses
        a request whose SQL passes 10,000 lines: some 3,000 triples of INSERT DATA, half as
        many of INSERT … WHERE {}): whole graphs grouped, a bigger graph emptied then filled
        in pieces, the triples of blank nodes linked to each other never cut apart."""
        group: list[str] = []
        size = lines = 0
        for g, data in graphs.items():
            body = ntriples(data)
            ops = [(f"DROP SILENT GRAPH <{g}>", 0)]
            plain, linked = _blank_node_groups(body) if "_:" in body else (body, [])
            pieces = _pieces(plain, self.max_request_bytes, self.max_request_triples)
            ops += [(f"INSERT DATA {{ GRAPH <{g}> {{\n{p}\n}} }}", p.count("\n")) for p in pieces]
            # Blank nodes: Virtuoso refuses them in INSERT DATA, and its INSERT {…} WHERE {}
            # makes twice the SQL a triple; a blank node's triples stay in one request.
            pieces = _pieces_of_groups(linked, self.max_request_bytes, self.max_request_triples // 2)
            ops += [(f"INSERT {{ GRAPH <{g}> {{\n{p}\n}} }} WHERE {{}}", 2 * p.count("\n")) for p in pieces]
            for op, n in ops:
                if group and (size + len(op.encode("utf-8")) > self.max_request_bytes
                              or lines + n > self.max_request_triples):
                    yield " ;\n".join(group)
                    group, size, lines = [], 0, 0
                group.append(op)
                size += len(op.encode("utf-8"))
                lines += n
        if group:
            yield " ;\n".join(group)

    def _keyset(self, where: str, key: str, columns: str) -> Iterator[tuple]:
        """Every row of ``SELECT columns WHERE { where }``, pages ordered by ``key`` and each
        started after the last key seen: sorting one page is allowed where an OFFSET past the
        cap is not (Virtuoso). A key whose rows straddle a page end is read again whole."""
        last: str | None = None
        while True:
            after = "" if last is None else f"FILTER(STR(?{key}) > {json.dumps(last)})"
            rows = self.query(
                f"SELECT {columns} WHERE {{ {where} {after} }} ORDER BY ?{key} LIMIT {_PAGE}"
            ).rows
            if len(rows) < _PAGE:
                yield from rows
                return
            index = columns.split().index(f"?{key}")
            final = str(rows[-1][index])
            whole = [r for r in rows if str(r[index]) != final]
            if not whole:
                raise StoreError(f"{self.endpoint}: more than {_PAGE} rows share one {key} ({final})")
            yield from whole
            last = str(whole[-1][index])

    def named_graphs(self) -> list[URIRef]:
        rows = self._keyset("GRAPH ?g { ?s ?p ?o }", "g", "DISTINCT ?g")
        return sorted(URIRef(str(row[0])) for row in rows if str(row[0]) != str(STATE_GRAPH))

    def get_graph(self, graph: URIRef) -> Graph:
        out = Graph(identifier=graph)
        for s, p, o in self._keyset(f"GRAPH <{graph}> {{ ?s ?p ?o }}", "s", "?s ?p ?o"):
            out.add((s, p, o))
        return out

    def triple_count(self, graph: URIRef | None = None) -> int:
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {_STATE})"
        r = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
        return int(r.rows[0][0])

_BLANK = re.compile(r"_:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-]")


def _blank_node_groups(body: str) -> tuple[str, list[str]]:
    r"""The N-Triples lines without a blank node, and those with one grouped by the blank
    nodes that link them (a request may cut between groups, never inside one: a blank
    node's label means one node only within one request).

    >>> _blank_node_groups('<a> <p> _:x .\n_:x <p> _:y .\n<b> <p> "_:t" .\n_:z <p> <d> .\n')
    ('<b> <p> "_:t" .\n', ['<a> <p> _:x .\n_:x <p> _:y .\n', '_:z <p> <d> .\n'])
    """
    plain: list[str] = []
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    linked: list[tuple[str, str]] = []
    for line in body.split("\n"):
        if not line.strip():
            continue
        labels = _BLANK.findall(_SKIP_LITERALS.sub('""', line))
        if not labels:
            plain.append(line + "\n")
            continue
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
        linked.append((labels[0], line + "\n"))
    groups: dict[str, list[str]] = {}
    for label, line in linked:
        groups.setdefault(root(label), []).append(line)
    return "".join(plain), ["".join(lines) for lines in groups.values()]


# literals, which may hold "_:" as text
_SKIP_LITERALS = re.compile(r'"(?:[^"\\]|\\.)*"')


def _pieces_of_groups(groups: Sequence[str], max_bytes: int, max_lines: int) -> list[str]:
    """Groups of lines packed whole into pieces of at most ``max_lines`` lines and about
    ``max_bytes`` bytes (a bigger group is a piece of its own)."""
    out: list[str] = []
    piece: list[str] = []
    size = lines = 0
    for group in groups:
        n, b = group.count("\n"), len(group.encode("utf-8"))
        if piece and (size + b > max_bytes or lines + n > max_lines):
            out.append("".join(piece))
            piece, size, lines = [], 0, 0
        piece.append(group)
        size, lines = size + b, lines + n
    if piece:
        out.append("".join(piece))
    return out


def _pieces(body: str, max_bytes: int, max_lines: int) -> list[str]:
    """N-Triples text cut at line ends into pieces of at most ``max_lines`` lines and about
    ``max_bytes`` bytes of UTF-8 (a single longer line is a piece of its own). Cut at line
    feeds only: a literal may hold U+2028, which ``str.splitlines`` would cut at.

    >>> _pieces("<a> <b> <c> .\\n<d> <e> <f> .\\n<g> <h> <i> .\\n", 1000, 2)
    ['<a> <b> <c> .\\n<d> <e> <f> .\\n', '<g> <h> <i> .\\n']
    >>> _pieces('<a> <b> "静\\u2028岡" .\\n<d> <e> "市" .\\n', 20, 10)
    ['<a> <b> "静\\u2028岡" .\\n', '<d> <e> "市" .\\n']
    """
    return _pieces_of_groups([line + "\n" for line in body.split("\n") if line.strip()], max_bytes, max_lines)
