"""出典: the text of a loaded document with the cited lines highlighted.

Every ``source`` (``FILE#Lstart-Lend``) shown on a page links here through
:func:`source_href`. The text comes from the search index beside the store
(:mod:`pia_kg.search`), where the pipeline puts each document's text when it is loaded; the
store itself keeps only the file name and its SHA-256, shown with the text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from pia_kg.errors import ParameterError, UnknownNameError
from pia_kg.loaders.documents.source import parse_source_ref
from pia_kg.pipeline import DOCUMENT_SUFFIXES
from pia_kg.search import index_for

from .settings import settings_of

__all__ = ["router", "source_href", "CONTEXT_LINES"]

router = APIRouter(tags=["web page"])

#: Lines shown before and after the cited ones.
CONTEXT_LINES = 12


def source_href(source: object) -> str | None:
    """The source viewer's link for ``FILE#Lstart-Lend`` (None when it is not one).

    >>> source_href("000_446cb3177695f62c.txt#L449-L450")
    '/ui/source/000_446cb3177695f62c?lines=449-450#L449'
    """
    ref = parse_source_ref(str(source or ""))
    if ref is None or not ref[0].endswith(DOCUMENT_SUFFIXES):
        return None  # not a line reference, or a law table (the viewer shows loaded documents)
    name, start, end = ref
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"/ui/source/{quote(stem)}?lines={start}-{end}#L{start}"


def _span(lines: str | None, total: int) -> tuple[int, int]:
    if not lines:
        return 0, 0
    first, _, last = lines.partition("-")
    try:
        start = int(first)
        end = int(last or first)
    except ValueError:
        raise ParameterError(f"lines must be START-END (e.g. 449-450), not {lines!r}", param="lines") from None
    if not 1 <= start <= end or start > total:
        raise ParameterError(f"lines {lines!r} are outside the document (1-{total})", param="lines")
    return start, min(end, total)


def source_context(request: Request, doc_id: str, lines: str | None, whole: bool) -> dict[str, Any]:
    """What the source page shows: file, hash, and the numbered lines (cited ones marked)."""
    index = index_for(settings_of(request).store)
    found = index.text(doc_id)
    if found is None:
        raise UnknownNameError("document text", doc_id, sorted(index.doc_ids()))
    file_name, sha256, text = found
    all_lines = text.split("\n")
    start, end = _span(lines, len(all_lines))
    if whole or not start:
        first, last = 1, len(all_lines)
    else:
        first, last = max(1, start - CONTEXT_LINES), min(len(all_lines), end + CONTEXT_LINES)
    shown = [
        {"n": n, "text": all_lines[n - 1], "cited": start <= n <= end}
        for n in range(first, last + 1)
    ]
    return {"doc_id": doc_id, "file_name": file_name, "sha256": sha256, "start": start, "end": end,
            "lines": shown, "total": len(all_lines), "whole": whole, "span": lines or ""}


@router.get("/ui/source/{doc_id}", response_class=HTMLResponse, summary="Web page: a document's text, cited lines highlighted")
def source_page(
    request: Request,
    doc_id: str = Path(description="Document id (the file stem)", examples=["000_446cb3177695f62c"]),
    lines: str | None = Query(None, description="Cited lines START-END", examples=["449-450"]),
    whole: bool = Query(False, description="Show the whole document, not only the lines around the cited ones"),
) -> HTMLResponse:
    """The text of a loaded document around the cited lines (or all of it), lines numbered."""
    from .routes_pages import render_page

    context: dict[str, Any] = {"doc_id": doc_id, "lines": [], "file_name": doc_id}
    try:
        context.update(source_context(request, doc_id, lines, whole))
    except (UnknownNameError, ParameterError) as exc:
        return render_page(request, "source.html", context, error=exc)
    return render_page(request, "source.html", context)
