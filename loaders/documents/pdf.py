"""A PDF assessment as text lines for the same reader as every text layout.

pdfplumber recovers the form's ruled grid: each table row becomes one line of tab-separated
cells (the TABBED layout; a merged cell comes back once, the others of its span empty; a
checkbox ``[ ○ ]`` stays whole inside its cell; a 別紙 table that runs over pages gives its
rows page after page). Text outside tables is kept as lines, in reading order by position.
When pdfplumber cannot read a file, pypdfium2 gives the plain text (the PLAIN layout).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pia_kg.errors import LoaderError
from pia_kg.loaders.documents.source import SourceText, max_document_bytes

__all__ = ["read_pdf", "pdf_lines"]


def read_pdf(path: str | Path, *, max_bytes: int | None = None) -> SourceText:
    """The PDF at ``path`` as a ``SourceText``; LoaderError when it cannot be read."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise LoaderError(f"cannot read: {exc.strerror}", source=p) from None
    limit = max_bytes if max_bytes is not None else max_document_bytes()
    if len(raw) > limit:
        raise LoaderError(f"too large: {len(raw)} bytes, over the limit of {limit}", source=p)
    if not raw.startswith(b"%PDF"):
        raise LoaderError("not a PDF (no %PDF header)", source=p, line=1)
    try:
        lines = pdf_lines(p)
    except Exception:  # pdfplumber raises many types on damaged files  # noqa: BLE001
        lines = _pdfium_lines(p)
    text = "\n".join(lines)
    if not text.strip():
        raise LoaderError("the PDF holds no text (a scan? run OCR first)", source=p, line=1)
    return SourceText.from_text(p, text, hashlib.sha256(raw).hexdigest())


def pdf_lines(path: Path) -> list[str]:
    """Every page's table rows (cells joined by tabs) and other text lines, top to bottom."""
    import pdfplumber

    out: list[str] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            out += _page_lines(page)
    return out


def _page_lines(page) -> list[str]:
    tables = page.find_tables()
    items: list[tuple[float, str]] = []
    boxes = [t.bbox for t in tables]
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            texts = [_cell(c) for c in cells]
            if any(texts):
                items.append((row.bbox[1], "\t".join(texts)))

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    for line in page.filter(outside).extract_text_lines():
        items.append((line["top"], line["text"]))
    items.sort(key=lambda it: it[0])
    return [text for _, text in items]


def _cell(text: str | None) -> str:
    """A cell's text on one line: a wrap inside a cell is no space in Japanese."""
    return "".join((text or "").split("\n")).strip()


def _pdfium_lines(path: Path) -> list[str]:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except Exception as exc:  # noqa: BLE001
        raise LoaderError(f"cannot read the PDF: {exc}", source=path, line=1) from None
    lines: list[str] = []
    for page in pdf:
        lines += page.get_textpage().get_text_range().splitlines()
    return lines
