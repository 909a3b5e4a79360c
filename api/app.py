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

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from pia_kg.store import Store

from .error_responses import install_error_handlers
from .settings import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, Settings

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

Every query runs under the server's timeout (504 past it) and row cap (413 over it).
Errors have one shape: `{"error": {"type": …, "message": …}}`.
"""


def create_app(
    store: Store,
    *,
    timeout: float | None = DEFAULT_TIMEOUT,
    max_rows: int | None = DEFAULT_MAX_ROWS,
) -> FastAPI:
    """A new app serving ``store``; ``timeout`` (seconds) and ``max_rows`` bound every query."""
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
    app.state.settings = Settings(store=store, timeout=timeout, max_rows=max_rows)
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
    return app
