"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, time-limited, row-capped.

Developers and standard clients (SPARQLWrapper, YASGUI, curl) send their own SPARQL here.
The query arrives as ``?query=`` on GET, as a form field on POST, or as an
``application/sparql-query`` body; the answer format is chosen by the Accept header, or by
the ``format``/``output``/``results`` parameter that SPARQLWrapper and Virtuoso-era clients
send. SELECT/ASK answer in SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE in Turtle,
JSON-LD, N-Triples or RDF/XML.

The endpoint never changes the store: an ``update`` field, an ``application/sparql-update``
body, or update text sent as a query is refused with 403 before anything runs. The text is
admitted before any engine sees it (:mod:`pia_kg.admission`: 413 over the size limit, 400
nested too deep, 403 for ``SERVICE`` to an endpoint the operator did not allow). Each query
runs under the server's timeout (504 past it; under ``pia-kg serve`` the worker process
running it is killed) and row cap (413 over it, for SELECT rows and CONSTRUCT/DESCRIBE
triples alike: an answer is whole or refused, never silently cut).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pia_kg.errors import QueryError
from pia_kg.results import MEDIA_TYPES, ResultFormat, serialize_result
from pia_kg.store import QueryResult
from pia_kg.vocab import PREFIXES

from .error_responses import NotAcceptableError, UpdateRefusedError, error_responses
from .settings import settings_of

__all__ = ["router", "sparql_operation", "choose_format", "Choice"]

router = APIRouter(tags=["SPARQL"])


@dataclass(frozen=True)
class Choice:
    """A negotiated answer format: the media type sent and how to produce it."""

    media_type: str
    results: ResultFormat | None = None  # SELECT/ASK
    rdf: str | None = None  # CONSTRUCT/DESCRIBE: rdflib serializer name


# Offered formats, preferred first. Each entry: media types that select it, and the Choice.
_RESULT_FORMATS: tuple[tuple[tuple[str, ...], Choice], ...] = (
    (
        ("application/sparql-results+json", "application/json"),
        Choice(MEDIA_TYPES[ResultFormat.json], ResultFormat.json),
    ),
    (
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        Choice(MEDIA_TYPES[ResultFormat.xml], ResultFormat.xml),
    ),
    (("text/csv",), Choice(MEDIA_TYPES[ResultFormat.csv], ResultFormat.csv)),
    (("text/tab-separated-values",), Choice(MEDIA_TYPES[ResultFormat.tsv], ResultFormat.tsv)),
)
_GRAPH_FORMATS: tuple[tuple[tuple[str, ...], Choice], ...] = (
    (("text/turtle", "application/x-turtle"), Choice("text/turtle", rdf="turtle")),
    (("application/ld+json", "application/json"), Choice("application/ld+json", rdf="json-ld")),
    (("application/n-triples", "text/plain"), Choice("application/n-triples", rdf="nt")),
    (("application/rdf+xml", "application/xml", "text/xml"), Choice("application/rdf+xml", rdf="xml")),
)

# Short names clients put in format=/output=/results= (SPARQLWrapper sends its return format).
_SHORT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    "n3": ("text/turtle",),
    "json-ld": ("application/ld+json",),
    "jsonld": ("application/ld+json",),
    "rdf+xml": ("application/rdf+xml",),
    "nt": ("application/n-triples",),
}


def _accept_ranges(accept: str) -> list[str]:
    """Media ranges of an Accept header, highest q first (ties keep the client's order)."""
    ranges = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranges.append((-q, i, fields[0].lower()))
    return [r for _, _, r in sorted(ranges)]


def choose_format(kind: str, accept: str | None, formats: list[str]) -> Choice:
    """The format for a result of ``kind`` (select/ask/graph) given Accept and format params.

    An explicit ``format`` parameter wins over the Accept header; with neither (or ``*/*``)
    the first offered format is used. Raises NotAcceptableError naming what is offered.
    """
    offered = _GRAPH_FORMATS if kind == "graph" else _RESULT_FORMATS
    wanted: list[str] = []
    for f in formats:
        f = f.strip().lower()
        if f:
            wanted += _SHORT_NAMES.get(f, (f,))
    if not wanted:
        wanted = _accept_ranges(accept or "*/*") or ["*/*"]
    for media in wanted:
        for types, choice in offered:
            if media in ("*/*", "*") or media in types or (
                media.endswith("/*") and choice.media_type.startswith(media[:-1])
            ):
                return choice
    names = ", ".join(c.media_type for _, c in offered)
    what = "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"
    raise NotAcceptableError(
        f"no acceptable format for a {what} result among {', '.join(wanted)}; offered: {names}"
    )


# Strings, IRIs and comments are masked before looking for the operation keyword.
_MASK = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_PROLOGUE = re.compile(r"^\s*(?:BASE\s+<\s*>|PREFIX\s+[^\s:]*:\s*<\s*>)", re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_UPDATE_WORDS = {"insert", "delete", "load", "clear", "create", "drop", "copy", "move", "add", "with"}


def sparql_operation(text: str) -> str:
    """``update`` if ``text`` is SPARQL Update (INSERT, DELETE, DROP, …), else ``query``.

    Looks at the first keyword after the prologue, so a query that merely mentions
    ``"DROP"`` in a string or an IRI is still a query.
    """
    masked = _MASK.sub(lambda m: "<>" if m.group(0).startswith("<") else " ", text)
    while True:
        m = _PROLOGUE.match(masked)
        if not m:
            break
        masked = masked[m.end() :]
    word = _FIRST_WORD.match(masked)
    return "update" if word and word.group(1).lower() in _UPDATE_WORDS else "query"


_REFUSED = (
    "this endpoint is read-only: SPARQL Update is not accepted here. "
    "Change the store with `pia-kg load` / `pia-kg remove`"
)


def _serialize(result: QueryResult, choice: Choice) -> bytes:
    if result.kind == "graph":
        graph = result.graph
        if graph is None:
            raise QueryError("the store returned no graph for a CONSTRUCT/DESCRIBE query")
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns)
        data = graph.serialize(format=choice.rdf or "turtle")
        return data.encode("utf-8") if isinstance(data, str) else data
    fmt = choice.results or ResultFormat.json
    return serialize_result(result, fmt).encode("utf-8")


def _answer(request: Request, text: str | None, formats: list[str]) -> Response:
    if text is None or not text.strip():
        raise QueryError(
            "no query: send SPARQL as ?query=… (GET), as a 'query' form field or an "
            "application/sparql-query body (POST)"
        )
    if sparql_operation(text) == "update":
        raise UpdateRefusedError(_REFUSED)
    result = settings_of(request).run_client_sparql(text)
    choice = choose_format(result.kind, request.headers.get("accept"), formats)
    media = choice.media_type
    if media.startswith("text/") or media.endswith("json") or media.endswith("xml"):
        media += "; charset=utf-8"
    return Response(_serialize(result, choice), media_type=media, headers={"Vary": "Accept"})


def _format_params(values: dict[str, list[str]]) -> list[str]:
    return [v for key in ("format", "output", "results") for v in values.get(key, [])]


def _refuse_dataset(values: dict[str, list[str]]) -> None:
    for key in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
        if values.get(key):
            raise QueryError(
                f"'{key}' is not supported: the default graph is always the union of all "
                "named graphs; use GRAPH <…> { … } in the query to pick one"
            )


_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "SELECT/ASK: SPARQL 1.1 results; CONSTRUCT/DESCRIBE: an RDF graph",
        "content": {
            "application/sparql-results+json": {
                "example": {"head": {"vars": ["s"]}, "results": {"bindings": []}}
            },
            "application/sparql-results+xml": {},
            "text/csv": {},
            "text/tab-separated-values": {},
            "text/turtle": {},
            "application/ld+json": {},
        },
    },
    **error_responses(400, 403, 406, 413, 500, 503, 504),
}

_EXAMPLE = "SELECT ?table ?label WHERE { ?table a <https://w3id.org/pia-kg/ontology#LawTable> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 10"


@router.get("/sparql", responses=_RESPONSES, summary="SPARQL 1.1 query (GET)")
def sparql_get(
    request: Request,
    query: str | None = Query(
        None, description="SPARQL 1.1 query text (SELECT, ASK, CONSTRUCT, DESCRIBE)", examples=[_EXAMPLE]
    ),
    update: str | None = Query(
        None, description="Refused: the endpoint is read-only (403).", examples=["DROP ALL"]
    ),
) -> Response:
    """Run a read-only SPARQL query over the union of all graphs.

    The result format follows the Accept header (SPARQL JSON by default) or a ``format``
    parameter (json, xml, csv, tsv, turtle, json-ld). The server's timeout and row cap apply.
    """
    values = parse_qs(request.url.query, keep_blank_values=True)
    if update is not None:
        raise UpdateRefusedError(_REFUSED)
    _refuse_dataset(values)
    return _answer(request, query, _format_params(values))


@router.post(
    "/sparql",
    responses=_RESPONSES,
    summary="SPARQL 1.1 query (POST)",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/sparql-query": {"schema": {"type": "string"}, "example": _EXAMPLE},
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"query": {"type": "string", "example": _EXAMPLE}},
                        "required": ["query"],
                    }
                },
            },
            "required": True,
        }
    },
)
async def sparql_post(request: Request) -> Response:
    """Run a read-only SPARQL query sent as a form field or an ``application/sparql-query`` body.

    An ``application/sparql-update`` body or an ``update`` field is refused with 403.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    values = parse_qs(request.url.query, keep_blank_values=True)
    if content_type == "application/sparql-update":
        raise UpdateRefusedError(_REFUSED)
    if content_type == "application/sparql-query":
        text: str | None = (await request.body()).decode("utf-8", errors="replace")
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        for key in form:
            values.setdefault(key, []).extend(str(v) for v in form.getlist(key))
        if values.get("update"):
            raise UpdateRefusedError(_REFUSED)
        text = values.get("query", [None])[0]
    else:
        raise QueryError(
            f"unsupported request body {content_type or '(none)'!r}: POST a query as "
            "application/sparql-query or as a form field 'query'"
        )
    _refuse_dataset(values)
    # The store call blocks; run it off the event loop like the sync routes.
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_answer, request, text, _format_params(values))
