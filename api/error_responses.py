"""The one error shape of the API, built from pia_kg.errors types in one place.

Every error the API returns is ``{"error": {"type": ..., "message": ...}}`` (plus ``param``
for a parameter error), with the status that fits the error's type. Library code raises
the typed errors of :mod:`pia_kg.errors`; this module is the only place that turns them into
HTTP, so the CLI, the API and the page agree on what went wrong.

Errors only the API can meet (an update sent to the read-only endpoint, a format the client
cannot accept) are defined here, as subclasses of the library's tree so one handler serves
them all::

    QueryError
    ├── UpdateRefusedError      403  SPARQL Update sent to the read-only endpoint
    └── NotAcceptableError      406  no result format the client accepts
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pia_kg.errors import (
    LawDataError,
    LoaderError,
    ParameterError,
    PiaKgError,
    QueryError,
    QueryTimeoutError,
    QueryTooComplexError,
    QueryTooLargeError,
    ResultLimitError,
    ServiceRefusedError,
    StoreError,
    UnknownNameError,
    UnknownQueryError,
)

__all__ = [
    "UpdateRefusedError",
    "NotAcceptableError",
    "status_for",
    "error_body",
    "ERROR_RESPONSES",
    "install_error_handlers",
]


class UpdateRefusedError(QueryError):
    """A SPARQL Update reached the endpoint; the API never changes the store."""


class NotAcceptableError(QueryError):
    """The client's Accept header (or format parameter) names no format we can produce."""


# Most specific first: the first matching class decides the status.
_STATUS: tuple[tuple[type[PiaKgError], int], ...] = (
    (UpdateRefusedError, 403),
    (ServiceRefusedError, 403),
    (QueryTooLargeError, 413),
    (QueryTooComplexError, 400),
    (NotAcceptableError, 406),
    (UnknownQueryError, 404),
    (ParameterError, 422),
    (QueryTimeoutError, 504),
    (ResultLimitError, 413),
    (QueryError, 400),
    (UnknownNameError, 404),
    (StoreError, 503),
    (LoaderError, 500),
    (LawDataError, 500),
)


def status_for(exc: PiaKgError) -> int:
    """The HTTP status for a library error (500 for anything unexpected)."""
    return next((status for cls, status in _STATUS if isinstance(exc, cls)), 500)


def error_body(kind: str, message: str, **extra: object) -> dict[str, object]:
    """The one JSON error shape."""
    inner: dict[str, object] = {"type": kind, "message": message}
    inner.update({k: v for k, v in extra.items() if v is not None})
    return {"error": inner}


def _pia_error(exc: PiaKgError) -> JSONResponse:
    extra = {"param": exc.param} if isinstance(exc, ParameterError) else {}
    return JSONResponse(error_body(type(exc).__name__, str(exc), **extra), status_code=status_for(exc))


_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "example": "ParameterError"},
                "message": {"type": "string"},
                "param": {"type": "string"},
            },
            "required": ["type", "message"],
        }
    },
}

_WHAT = {
    400: "Malformed SPARQL or request",
    403: "SPARQL Update, or SERVICE to an endpoint the operator did not allow, refused",
    404: "Unknown named query, assessment or route",
    406: "No acceptable result format",
    413: "More rows (or triples) than the server's row cap, or a query or body over the size limit",
    422: "A parameter is missing or of the wrong type",
    500: "An unexpected failure (no details are given out)",
    503: "The store cannot answer now, or every query worker is busy",
    504: "The query ran past the server's timeout",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI ``responses`` entries for the given error statuses, in the one shape."""
    return {
        s: {
            "description": _WHAT[s],
            "content": {"application/json": {"schema": _ERROR_SCHEMA}},
        }
        for s in statuses
    }


ERROR_RESPONSES = error_responses(404, 413, 422, 503, 504)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the one shape: library errors, FastAPI validation, 404s."""

    @app.exception_handler(PiaKgError)
    async def _on_pia_error(request: Request, exc: PiaKgError) -> JSONResponse:
        return _pia_error(exc)

    @app.exception_handler(RequestValidationError)
    async def _on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        param = None
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path", "body"))
            param = param or where or None
            problems.append(f"{where}: {e.get('msg')}" if where else str(e.get("msg")))
        return JSONResponse(
            error_body("ParameterError", "; ".join(problems) or "invalid request", param=param),
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            error_body("InternalError", "the server failed on this request; nothing was changed"),
            status_code=500,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed"}
        return JSONResponse(
            error_body(names.get(exc.status_code, "HTTPError"), str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
