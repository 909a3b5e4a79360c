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
import re
from functools import lru_cache
from typing import NamedTuple

from pia_kg.loaders.documents.source import SourceText
from pia_kg.loaders.documents.template import label_cuts
from pia_kg.text.form_marks import is_letter_spaced, is_page_marker, repair_letter_spacing

__all__ = ["Layout", "Cell", "Row", "detect_layout", "read_rows", "cells_of", "PAGE_LINE"]

# A line this long with no tab is a whole page that a converter joined with spaces; it is
# cut at the form's labels into rows that share its line number.
PAGE_LINE = 200


class Layout(enum.Enum):
    TABBED = "tabbed"
    PLAIN = "plain"


# A document has thousands of rows and cells, alive while it is read. As tuples of strings
# and numbers they are soon no more tracked by the garbage collector, which walked each
# dataclass instance (and its dict) on every full collection of the worker; and they are
# made at a tuple's cost. Compared and hashed by their fields, as the frozen dataclasses
# they were.


class Cell(NamedTuple):
    """One cell: raw text (HTML kept, so checkboxes can be read), 1-based line, column."""

    text: str
    line: int
    col: int


class _RowFields(NamedTuple):
    line: int
    cells: tuple[Cell, ...]
    raw: str
    text: str


class Row(_RowFields):
    """One non-blank line of the document as its non-empty cells, in order.

    ``text`` is the cells joined by a space (for searching a row as a whole): every reader
    of the form looks at it, so it is made with the row.

    >>> Row(3, (Cell(" 委託先 ", 3, 0), Cell("有", 3, 1)), " 委託先 \t有").text
    '委託先 有'
    """

    __slots__ = ()

    def __new__(cls, line: int, cells: tuple[Cell, ...], raw: str) -> Row:
        return super().__new__(cls, line, cells, raw, " ".join([c.text.strip() for c in cells]))

    def __getnewargs__(self) -> tuple[int, tuple[Cell, ...], str]:  # type: ignore[override]
        return self.line, self.cells, self.raw


def detect_layout(src: SourceText) -> Layout:
    """TABBED when a tenth or more of the non-blank lines hold a tab, else PLAIN.

    The share, not the mere presence, decides: a plain-text conversion may hold a stray tab.
    """
    lines = [ln for ln in src.lines if ln.strip()]
    if not lines:
        return Layout.PLAIN
    tabbed = sum(1 for ln in lines if "\t" in ln)
    return Layout.TABBED if tabbed * 10 >= len(lines) else Layout.PLAIN


def cells_of(line: str) -> list[str]:
    """The cells of one tab-separated line, empty ones kept (a merged cell is an empty cell).

    >>> cells_of("評価書番号\\t評価書名\\t")
    ['評価書番号', '評価書名', '']
    """
    return line.split("\t")


def read_rows(src: SourceText, layout: Layout | None = None) -> list[Row]:
    """Every non-blank line as a ``Row``; tabs split cells in both layouts.

    In the PLAIN layout a line is one cell (a label and its value are told apart by
    ``template.match_label``, not here), unless the line itself holds tabs. A letter-spaced
    line (``大 崎 市 長``) is read without its spaces; a whole page on one line is cut at the
    form's labels into several rows with the same line number; a page footer (``1/5``) is no row.
    """
    layout = layout or detect_layout(src)
    rows: list[Row] = []
    for number, line in enumerate(src.lines, start=1):
        if not line.strip():
            continue
        if layout is Layout.PLAIN and "\t" not in line:
            rows.extend(_plain_rows(number, line))
            continue
        parts = cells_of(line)
        cells = tuple(Cell(p, number, i) for i, p in enumerate(parts) if p.strip())
        if cells:
            rows.append(Row(number, cells, line))
    return rows


def _plain_rows(number: int, line: str) -> list[Row]:
    pieces = _plain_pieces(line) if len(line) <= 512 else _pieces(line)
    return [Row(number, (Cell(p, number, 0),), p) for p in pieces]


# Documents repeat their lines (labels, blank boxes, headings of every file): short ones keep
# their pieces.
@lru_cache(maxsize=1 << 16)
def _plain_pieces(line: str) -> tuple[str, ...]:
    return _pieces(line)


def _pieces(line: str) -> tuple[str, ...]:
    """The texts of the rows one PLAIN line makes: none for a page footer, the line itself
    (letter spacing repaired) or the pieces it is cut into."""
    if is_page_marker(line):  # "1/5", "(2)", "- 3 -": a page footer, not content
        return ()
    if is_letter_spaced(line):
        line = repair_letter_spacing(line)
    pieces = [p.strip() for p in label_cuts(line)] if len(line) >= PAGE_LINE else _heading_cuts(line)
    if len(pieces) <= 1:
        return (line,)
    return tuple(p for p in pieces if p)


def _heading_cuts(line: str) -> list[str]:
    """A short line that is a numbered heading followed by an item label on the same line
    (``1.特定個人情報ファイルを取り扱う事務 ①事務の名称``) is cut in two; others are kept."""
    if not line.lstrip()[:1].isdigit() or not _HEADING_ITEM.search(line):
        return [line]  # the first piece would not be a numbered heading, or no item follows
    pieces = [p.strip() for p in label_cuts(line)]
    if len(pieces) == 2 and pieces[0][:1].isdigit() and pieces[1][:1] in _ITEM_MARKS:
        return pieces
    return [line]


_ITEM_MARKS = "①②③④⑤⑥⑦⑧⑨⑩"
_HEADING_ITEM = re.compile(f"[{_ITEM_MARKS}]")
