"""The FastAPI app: the SPARQL endpoint, REST for the named queries, and the web page.

``create_app(store)`` builds a new app around an open store; nothing is built at import
time, so tests, the CLI's ``pia-kg serve`` and a benchmark can each make their own::

    from pia_kg.api.app import create_app
    from pia_kg.store import open_store

    app = create_app(open_store("oxigraph", path="pia-kg-store"), timeout=5, max_rows=1000)

Routes (all described in ``/docs``): ``/sparql`` (SPARQL 1.1 Protocol, read-only),
``/queries`` and ``/queries/{name}`` (named queries), ``/items/{table}/{item}``,
``/impact``, ``/assessments`` and ``/assessments/{id}`` (the headline questions), and the
Japanese web page under ``/`` and ``/ui/…``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from importlib import resources
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pia_kg.admission import QueryLimits
from pia_kg.errors import QueryTooLargeError
from pia_kg.store import Store

from .error_responses import error_body, install_error_handlers
from .query_cache import ResponseCache, Warmer
from .settings import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, Settings

if TYPE_CHECKING:
    from .query_worker import QueryPool

__all__ = ["create_app"]

_DESCRIPTION = """\
A knowledge graph of 特定個人情報保護評価書 (privacy impact assessments under the My Number
Act) and the 番号法 tables they cite.

* **SPARQL**: `/sparql` speaks the SPARQL 1.1 Protocol (GET and POST; JSON, XML, CSV, TSV;
  Turtle or JSON-LD for CONSTRUCT). It is read-only: updates are refused with 403.
* **Named queries**: `/queries` lists them; `/queries/{name}?param=…` runs one (JSON, CSV or
  xlsx; `_bom=1` for Excel, `_headers=ja` for Japanese headings).
* **Headline questions**: `/items/{table}/{item}?as_of=…`, `/impact`, `/assessments`, `/headlines`;
  search: `/search?q=…`.
* **Web pages** (Japanese): `/`, `/ui/impact`, `/ui/item`, `/ui/assessments/{id}`, `/ui/bodies/{name}`,
  `/ui/contractors?name=`, `/ui/source/{id}?lines=`, `/ui/search?q=`, `/ui/problems`.

Every query runs under the server's timeout (504 past it) and row cap (413 over it: rows
for SELECT, triples for CONSTRUCT/DESCRIBE). SPARQL texts are admitted first: over the size
limit 413, nested too deep 400, `SERVICE` to an endpoint the operator did not allow 403.
Request bodies over the body limit answer 413. Errors have one shape:
`{"error": {"type": …, "message": …}}`.
"""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` answers 413 (declared length) or
    fails the read (chunked), before the app holds it all in memory."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise QueryTooLargeError(self._message())
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return f"the request body is over the limit of {self.max_bytes:,} bytes"

    async def _refuse(self, send: Callable[[Message], Awaitable[None]]) -> None:
        body = json.dumps(error_body("QueryTooLargeError", self._message())).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})



def create_app(
    store: Store,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    query_limits: QueryLimits | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    pool: QueryPool | None = None,
    warm: bool = False,
    cache_responses: bool = False,
) -> FastAPI:
    """A new app serving ``store``; ``timeout`` (seconds) and ``max_rows`` bound every query.

    ``query_limits`` admits client SPARQL (size, nesting, allowed SERVICE endpoints);
    ``pool`` runs it in killable worker processes (``pia-kg serve`` gives one; without it
    client SPARQL runs in this process under threads). ``warm`` computes the headline
    answers in the background at start (and, with ``cache_responses``, after every write);
    ``cache_responses`` keeps whole GET answers of the headline routes and pages per store
    state. ``pia-kg serve`` asks for both; tests that patch the code between requests don't.
    """
    from . import (
        routes_headline,
        routes_pages,
        routes_queries,
        routes_search,
        routes_source,
        sparql_protocol,
    )
    from .docs_assets import install_docs

    app = FastAPI(
        title="pia-kg",
        version="0.1.0",
        description=_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "SPARQL", "description": "SPARQL 1.1 Protocol endpoint (read-only)."},
            {"name": "named queries", "description": "The queries shipped in `queries/*.rq`."},
            {"name": "headline questions", "description": "Items, assessments and amendments."},
            {"name": "web page", "description": "The Japanese HTML page (server-rendered)."},
        ],
    )
    app.state.settings = Settings(
        store=store,
        timeout=timeout,
        max_rows=max_rows,
        query_limits=query_limits or QueryLimits(),
        max_body_bytes=max_body_bytes,
        pool=pool,
    )
    warmer = Warmer(app, state_token=store.state_token) if warm else None
    if cache_responses:
        app.add_middleware(
            ResponseCache, state_token=store.state_token, on_new_state=warmer.trigger if warmer else None
        )
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    install_error_handlers(app)
    app.include_router(sparql_protocol.router)
    app.include_router(routes_queries.build_router())
    app.include_router(routes_headline.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_search.router)
    app.include_router(routes_source.router)
    install_docs(app)
    static = resources.files("pia_kg.api") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    if warmer is not None:
        warmer.trigger(settle=False)
    return app
