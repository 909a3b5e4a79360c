"""``/docs`` that works with no network: Swagger UI served from the installed package.

FastAPI's default ``/docs`` page loads Swagger UI from a CDN, so it is blank on an offline
network (municipal LGWAN). The ``swagger-ui-bundle`` package ships the files; they are
mounted under ``/static/docs`` and the page references nothing outside the server. ReDoc is
not served (no offline bundle is shipped); ``/openapi.json`` is the machine-readable schema.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["install_docs"]


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` with Swagger UI from the package (create the app with ``docs_url=None``)."""
    import swagger_ui_bundle

    app.mount("/static/docs", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="pia-kg — API",
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon-32x32.png",
        )
