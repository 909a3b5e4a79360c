"""``pia-kg serve``: the web pages, the SPARQL endpoint and the REST API."""

from __future__ import annotations

from typing import Annotated

import typer

from pia_kg.cli.app import app, err, state


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default: not exposed to the network).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a query may run before the API answers 504 (and stops it).")
    ] = 10.0,
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="Rows (or CONSTRUCT triples) a query may return before the API answers 413.")
    ] = 10_000,
    allow_service: Annotated[
        list[str] | None,  # noqa: UP007
        typer.Option(
            "--allow-service",
            help="A SPARQL endpoint URL that queries may call with SERVICE <URL> (repeatable); "
            "every other SERVICE is refused with 403.",
        ),
    ] = None,
    query_workers: Annotated[
        int,
        typer.Option(
            "--query-workers",
            help="Worker processes that run /sparql queries (killed and replaced past the timeout).",
        ),
    ] = 2,
) -> None:
    """Serve the web page (/), the SPARQL endpoint (/sparql, read-only) and the REST API (/docs).

    The embedded store is opened read-only, so `pia-kg load` can write to it while serving;
    answers follow each load once it commits."""
    import uvicorn

    from pia_kg.admission import QueryLimits
    from pia_kg.api.app import create_app
    from pia_kg.api.query_worker import QueryPool

    if timeout <= 0 or max_rows <= 0 or query_workers <= 0:
        raise typer.BadParameter("--timeout, --max-rows and --query-workers must be positive")
    limits = QueryLimits(allowed_services=frozenset(allow_service or ()))
    pool = None
    # the embedded store read-only: no lock, `pia-kg load` may write it meanwhile
    store = state.store(write=False)
    if not (state.endpoint or state.memory):
        pool = QueryPool(state.store_dir, size=query_workers)
    try:
        api = create_app(
            store, timeout=timeout, max_rows=max_rows, query_limits=limits, pool=pool, warm=True,
            cache_responses=True,
        )
        err.print(f"serving on http://{host}:{port}/ (API docs: /docs; Ctrl-C to stop)")
        uvicorn.run(api, host=host, port=port, log_level="warning")
    finally:
        if pool is not None:
            pool.close()
