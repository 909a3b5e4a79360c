"""Running named queries for a request, and presenting their rows as JSON or CSV.

Every REST route and every page section goes through :func:`run_named`, so they share the
server's timeout and row cap, share one answer per store state (a named query's answer
depends only on its parameters and the store, so it is computed once until the next
write), and report errors the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from rdflib import Literal
from rdflib.term import Node

from pia_kg.exports import EXPORT_MEDIA_TYPES, ExportFormat, ExportTable, export_bytes, table_of
from pia_kg.named_queries import run_query
from pia_kg.store import QueryResult

from .error_responses import NotAcceptableError
from .settings import settings_of

__all__ = ["run_named", "json_value", "rows_json", "table_response", "wants_csv", "export_format", "export_response"]


def run_named(
    request: Request,
    name: str,
    params: Mapping[str, object] | None = None,
    *,
    first: int | None = None,
    skip: int = 0,
) -> QueryResult:
    """Run named query ``name`` under the app's limits (``first``: only its first rows after
    the ``skip`` first)."""
    settings = settings_of(request)
    clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
    key = (name, tuple(sorted((k, str(v)) for k, v in clean.items())), settings.max_rows, first, skip)
    token = settings.store.state_token()
    if token is None:
        return run_query(settings.store, name, clean, timeout=settings.timeout, limit=settings.max_rows,
                         first=first, skip=skip)
    # Computed once per store state, to its end (it is ours, not a stranger's text).
    return settings.cache.get(
        token,
        key,
        lambda: run_query(settings.store, name, clean, limit=settings.max_rows, first=first, skip=skip),
        timeout=settings.timeout,
    )


def json_value(term: Node | None) -> object:
    """A cell for JSON: numbers and booleans as such, dates as ISO text, everything else as text."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool | int | float):
            return value
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, dt.date):
            return value.isoformat()
    return str(term)


def rows_json(result: QueryResult) -> list[dict[str, object]]:
    """Rows as JSON objects keyed by column (unbound cells are null)."""
    return [
        {v: json_value(t) for v, t in zip(result.variables, row, strict=True)} for row in result.rows
    ]


def wants_csv(request: Request, fmt: str | None) -> bool:
    """CSV when ``_format=csv`` or when the Accept header prefers text/csv over JSON."""
    return export_format(request, fmt) is ExportFormat.csv


def export_format(request: Request, fmt: str | None) -> ExportFormat | None:
    """The spreadsheet format asked for (``_format=csv|xlsx``, or Accept: text/csv), None for JSON."""
    if fmt:
        if fmt.lower() not in ("csv", "json", "xlsx"):
            raise NotAcceptableError(f"unknown _format {fmt!r}; use json, csv or xlsx")
        return None if fmt.lower() == "json" else ExportFormat(fmt.lower())
    accept = request.headers.get("accept", "")
    if "text/csv" in accept and "json" not in accept.split("text/csv")[0]:
        return ExportFormat.csv
    return None


def export_response(request: Request, table: ExportTable, fmt: ExportFormat, name: str) -> Response:
    """The table as CSV or .xlsx; ``_bom=1`` starts CSV with a BOM (Excel), ``_headers=ja``
    gives Japanese headings and values in words."""
    japanese = request.query_params.get("_headers", "").lower() == "ja"
    bom = request.query_params.get("_bom", "").lower() in ("1", "true", "yes")
    data = export_bytes(table, fmt, japanese=japanese, bom=bom)
    disposition = f'attachment; filename="{name}.{fmt.value}"'
    return Response(data, media_type=EXPORT_MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})


def table_response(
    request: Request,
    result: QueryResult,
    *,
    fmt: str | None = None,
    meta: Mapping[str, object] | None = None,
) -> Response:
    """``{..meta, columns, rows, count}`` as JSON, or the rows as CSV."""
    export = export_format(request, fmt)
    if export is not None:
        return export_response(request, table_of(result), export, str((meta or {}).get("query") or "rows"))
    body = dict(meta or {})
    body.update({"columns": result.variables, "rows": rows_json(result), "count": len(result.rows)})
    if "source" in result.variables:
        # Each row's source (FILE#Lstart-Lend) opens in the source viewer at this address.
        body["source_link"] = "/ui/source/{FILE without extension}?lines={start}-{end}#L{start}"
    return JSONResponse(body)
