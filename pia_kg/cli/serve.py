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
        float, typer.Option("--timeout", help="Seconds a query may run before the API answers 504.")
    ] = 10.0,
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="Rows a query may return before the API answers 413.")
    ] = 10_000,
) -> None:
    """Serve the web page (/), the SPARQL endpoint (/sparql, read-only) and the REST API (/docs)."""
    import uvicorn

    from pia_kg.api.app import create_app

    if timeout <= 0 or max_rows <= 0:
        raise typer.BadParameter("--timeout and --max-rows must be positive")
    api = create_app(state.store(), timeout=timeout, max_rows=max_rows)
    err.print(f"serving on http://{host}:{port}/ (API docs: /docs; Ctrl-C to stop)")
    uvicorn.run(api, host=host, port=port, log_level="warning")
