"""``/docs`` and ``/redoc`` that work with no network: the assets served from a package.

FastAPI's default ``/docs`` page loads Swagger UI from a CDN, so it is blank on an offline
network (municipal LGWAN). The ``fastapi-offline`` package ships Swagger UI 5 (which reads
the OpenAPI 3.1 that FastAPI writes; the 4.x of ``swagger-ui-bundle`` does not) and ReDoc;
only its static files are used, mounted under ``/static/docs``, so the pages reference
nothing outside the server.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install_docs"]


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (Swagger UI) and ``/redoc`` from the package's files (create the app
    with ``docs_url=None, redoc_url=None``)."""
    from importlib import resources

    assets = resources.files("fastapi_offline") / "static"
    app.mount("/static/docs", StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="pia-kg — API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False, response_class=HTMLResponse)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="pia-kg — API",
            redoc_js_url="/static/docs/redoc.standalone.js",
            redoc_favicon_url="/static/docs/favicon.png",
            with_google_fonts=False,
        )
