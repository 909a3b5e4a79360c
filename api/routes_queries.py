"""REST for the named queries: ``GET /queries`` and ``GET /queries/{name}?param=…``.

Each named query gets its own documented route (``/queries/departments_under_item``), with
its parameters, their types and examples taken from the ``.rq`` header, so ``/docs`` shows
every question the server can answer. The parameters arrive as text and are checked by
:func:`pia_kg.named_queries.bind_params`, whose messages ("parameter 'as_of' must be a date
as YYYY-MM-DD …") go back as 422 in the one error shape. A generic ``/queries/{name}`` route
serves the hyphenated spelling and answers 404 for an unknown name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pia_kg.errors import ParameterError
from pia_kg.named_queries import NamedQuery, get_query, named_queries

from .downloads import asked_download
from .error_responses import error_responses
from .query_runner import run_named, table_response
from .settings import settings_of

__all__ = ["build_router", "RESERVED"]

#: Query-string names the API keeps for itself (a named query parameter never starts with _).
RESERVED = ("_format", "_bom", "_headers", "_limit", "_offset")

_LIMIT_DOC = ("Only this many rows, in the query's order (a page of an answer too big for the "
              "server's row cap); with _offset, after that many. The JSON then gives `next`, the "
              "address of the following page, while there may be one.")

_FORMAT_DOC = "json (default), csv or xlsx; the Accept header text/csv works too (_bom=1: CSV with a BOM for Excel; _headers=ja: Japanese headings and values)."
_TABLE_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "Rows of the query",
        "content": {
            "application/json": {
                "example": {"query": "name", "params": {}, "columns": ["a"], "rows": [{"a": "…"}], "count": 1}
            },
            "text/csv": {"example": "a\r\n…\r\n"},
        },
    },
    **error_responses(404, 406, 413, 422, 504),
}


def _params_of(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in RESERVED}


def _page(request: Request) -> tuple[int | None, int]:
    """(rows, offset) asked for with ``_limit`` and ``_offset``; ParameterError if not whole
    numbers in range (``_limit`` at most the server's row cap)."""
    cap = settings_of(request).max_rows
    out = []
    for name, low in (("_limit", 1), ("_offset", 0)):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            out.append(None)
            continue
        if not raw.isdigit() or int(raw) < low or (name == "_limit" and cap is not None and int(raw) > cap):
            top = f" and at most {cap}" if name == "_limit" and cap is not None else ""
            raise ParameterError(f"{name} must be a whole number of at least {low}{top}, not {raw!r}", param=name)
        out.append(int(raw))
    limit, offset = out
    if offset is not None and limit is None:
        raise ParameterError("_offset needs _limit (the size of a page)", param="_offset")
    return limit, offset or 0


def _run(request: Request, query: NamedQuery, fmt: str | None) -> Response:
    params = _params_of(request)
    limit, offset = _page(request)
    if limit is None and (download := asked_download(request, query.name, params, fmt)) is not None:  # every row: no cap
        return download
    result = run_named(request, query.name, params, first=limit, skip=offset)
    meta: dict[str, object] = {"query": query.name, "params": params}
    if limit is not None:
        meta.update(limit=limit, offset=offset)
        if len(result.rows) == limit:  # there may be more
            meta["next"] = f"{request.url.path}?{urlencode({**params, '_limit': limit, '_offset': offset + limit})}"
    return table_response(request, result, fmt=fmt, meta=meta)


def _endpoint_for(query: NamedQuery) -> Callable[..., Response]:
    """A route function whose signature documents ``query``'s parameters for OpenAPI."""

    def endpoint(request: Request, **kwargs: object) -> Response:
        return _run(request, query, request.query_params.get("_format"))

    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for i, p in enumerate(query.params):
        doc = p.description or f"{p.type}{' (required)' if p.required else ''}"
        if p.default is not None:
            doc += f"; default {p.default}"
        params.append(
            inspect.Parameter(
                f"p{i}",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=str | None,
                # Not `required` here: bind_params checks it, with the query's own message.
                default=Query(
                    None,
                    alias=p.name,
                    description=f"{doc} — type {p.type}{', required' if p.required else ''}",
                    examples=[p.example] if p.example is not None else None,
                ),
            )
        )
    params.append(
        inspect.Parameter(
            "fmt",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=str | None,
            default=Query(None, alias="_format", description=_FORMAT_DOC, examples=["csv"]),
        )
    )
    for name, alias, doc, example in (
        ("limit", "_limit", _LIMIT_DOC, "1000"),
        ("offset", "_offset", "Rows to skip first (with _limit).", "1000"),
    ):
        params.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
                              default=Query(None, alias=alias, description=doc, examples=[example]))
        )
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__doc__ = query.description or query.title
    endpoint.__name__ = f"query_{query.name}"
    return endpoint


def build_router() -> APIRouter:
    """Routes for the named queries installed now (they are read once, at app creation)."""
    router = APIRouter(tags=["named queries"])

    @router.get(
        "/queries",
        summary="List the named queries",
        responses={
            200: {
                "description": "Names, titles, descriptions and typed parameters",
                "content": {
                    "application/json": {
                        "example": {
                            "queries": [
                                {
                                    "name": "departments_under_item",
                                    "title": "…",
                                    "description": "…",
                                    "params": [{"name": "item", "type": "string", "required": True, "example": "81"}],
                                    "url": "/queries/departments_under_item",
                                }
                            ]
                        }
                    }
                },
            }
        },
    )
    def list_queries(request: Request) -> dict[str, object]:
        """Every named query with its parameters (name, type, required, default, example)."""
        return {
            "queries": [
                {**q.to_dict(), "url": str(request.url_for(f"query_{q.name}"))}
                for q in named_queries().values()
            ]
        }

    for query in named_queries().values():
        router.add_api_route(
            f"/queries/{query.name}",
            _endpoint_for(query),
            methods=["GET"],
            name=f"query_{query.name}",
            summary=query.title,
            responses=_TABLE_RESPONSES,
        )

    @router.get("/queries/{name}", summary="Run a named query by name", responses=_TABLE_RESPONSES)
    def run_any(
        request: Request,
        name: str,
        fmt: str | None = Query(None, alias="_format", description=_FORMAT_DOC),
    ) -> Response:
        """Run any named query by name (``departments-under-item`` is accepted for
        ``departments_under_item``); its parameters go in the query string. 404 for an
        unknown name, listing the known ones."""
        return _run(request, get_query(name), fmt)

    return router
