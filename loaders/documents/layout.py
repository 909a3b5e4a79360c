"""The layouts a converted PDF comes in, read as rows of cells with their line numbers.

Three layouts meet the loaders (see DOMAIN.md):

- ``TABBED``: one table row per line, cells separated by tabs, HTML fragments inside cells
  (``<p>``, ``<input checked>``, ``<table>``); a merged cell is an empty cell.
- ``PLAIN``: text in reading order, full-width digits, a label and its value on one line
  separated by spaces (`` ⑥委託先名 株式会社ジーシーシー``) or the value on the next lines, long
  values wrapped over several lines, blank lines between blocks.
- The layout-order variant of ``PLAIN`` where a page's blocks come out of order; it reads the
  same way, and the extractors say in warnings what they could not pair.

Every extractor sees the same ``Row`` objects, so a rule about labels and values is written
once for all layouts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from pia_kg.loaders.documents.source import SourceText

__all__ = ["Layout", "Cell", "Row", "detect_layout", "read_rows"]


class Layout(enum.Enum):
    TABBED = "tabbed"
    PLAIN = "plain"


@dataclass(frozen=True)
class Cell:
    """One cell: raw text (HTML kept, so checkboxes can be read), 1-based line, column."""

    text: str
    line: int
    col: int


@dataclass(frozen=True)
class Row:
    """One non-blank line of the document as its non-empty cells, in order."""

    line: int
    cells: tuple[Cell, ...]
    raw: str

    @property
    def text(self) -> str:
        """The cells joined by a space (for searching a row as a whole)."""
        return " ".join(c.text.strip() for c in self.cells)


def detect_layout(src: SourceText) -> Layout:
    """TABBED when a tenth or more of the non-blank lines hold a tab, else PLAIN.

    The share, not the mere presence, decides: a plain-text conversion may hold a stray tab.
    """
    lines = [ln for ln in src.lines if ln.strip()]
    if not lines:
        return Layout.PLAIN
    tabbed = sum(1 for ln in lines if "\t" in ln)
    return Layout.TABBED if tabbed * 10 >= len(lines) else Layout.PLAIN


def read_rows(src: SourceText, layout: Layout | None = None) -> list[Row]:
    """Every non-blank line as a ``Row``; tabs split cells in both layouts.

    In the PLAIN layout a line is one cell (a label and its value are told apart by
    ``template.match_label``, not here), unless the line itself holds tabs.
    """
    rows: list[Row] = []
    for number, line in enumerate(src.lines, start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        cells = tuple(Cell(p, number, i) for i, p in enumerate(parts) if p.strip())
        if cells:
            rows.append(Row(number, cells, line))
    return rows
