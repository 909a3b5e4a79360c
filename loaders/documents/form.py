"""Reading an assessment as a filled-in form: where a label is, and what value belongs to it.

The same rules serve every layout (see ``layout``): a value is the rest of the label's own
cell, or the next cells of its row, or — when the label stands alone — the next row(s) up to
the next label or heading. A header row of labels (``評価書番号	評価書名``) takes its values
from the row below, column by column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pia_kg.loaders.documents.layout import Layout, Row, detect_layout, read_rows
from pia_kg.loaders.documents.source import SourceText, clean_cell
from pia_kg.loaders.documents.template import CHOICE_MARKER, LabelMatch, match_label
from pia_kg.text.form_marks import CIRCLED, checkboxes, normalize_boxes
from pia_kg.text.widths import fold_spaces, nfkc

__all__ = [
    "Occurrence",
    "Value",
    "Form",
    "band_value",
    "is_boundary",
    "normalize_boxes",
    "boxes_in",
    "bracket_band",
]


@dataclass(frozen=True)
class Occurrence:
    """A label found in the document: the match, and where (row index, cell index, line)."""

    match: LabelMatch
    row: int
    cell: int
    line: int

    @property
    def key(self) -> str:
        return self.match.key


@dataclass(frozen=True)
class Value:
    """The raw text of a value (HTML kept) and the lines it spans."""

    raw: str
    start: int
    end: int

    @property
    def text(self) -> str:
        """Plain text: tags removed, widths and spaces folded."""
        return clean_cell(self.raw)


# A row that starts something new: a numbered heading, a circled item, a section numeral,
# an annex, or an enumerated block heading. A value never runs past one.
_BOUNDARY = re.compile(
    r"^\s*(?:\d+\s*\.\s*\S|[①-⑳]|[IVXⅠⅡⅢⅣⅤⅥ]+[\s\u3000]|[(（]別[添紙]|"
    r"システム\d|委託事項\d|提供先\d|移転先\d|再\s*委\s*託\s*$|[<＜]?選択肢|項目一覧)"
)


_CIRCLED_CHARS = set(CIRCLED)
# A point of a list written inside a value: "①符号管理機能：…" (a name, a colon, its text).
_CIRCLED_POINT = re.compile(r"^[①-⑳][^：:\s]{1,30}\s*[：:]\s*\S")
_NUMBERED = re.compile(r"^\s*\d+\s*\.\s*\S")


def is_boundary(row: Row, *, long: bool = False) -> bool:
    """Whether ``row`` starts something new. Inside a long value a numbered line (``1. …``)
    is a list item of the value unless it is a template heading."""
    first = row.cells[0].text
    if match_label(first) is not None:
        return True
    if first.strip()[:1] in _CIRCLED_CHARS:
        # NFKC turns ② into 2, so circled items are told before folding. Inside a long
        # value a circled point that is no template label ("①符号管理機能：…") is a list item.
        return not (long and _CIRCLED_POINT.match(first.strip()))
    folded = nfkc(first)
    if long and _NUMBERED.match(folded):
        return False
    return bool(_BOUNDARY.match(folded))


class Form:
    """The rows of one document with label lookup. ``rows`` exclude blank lines."""

    def __init__(self, src: SourceText, layout: Layout | None = None):
        self.src = src
        self.layout = layout or detect_layout(src)
        self.rows: list[Row] = read_rows(src, self.layout)
        self._occurrences: list[Occurrence] | None = None

    def index_of_line(self, line: int) -> int:
        """Index of the first row at or after ``line``."""
        lo, hi = 0, len(self.rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.rows[mid].line < line:
                lo = mid + 1
            else:
                hi = mid
        return lo

    @property
    def occurrences(self) -> list[Occurrence]:
        """Every template label in the document, in line order (computed once)."""
        if self._occurrences is None:
            found = []
            for ri, row in enumerate(self.rows):
                for ci, cell in enumerate(row.cells):
                    m = match_label(cell.text)
                    if m is not None:
                        found.append(Occurrence(m, ri, ci, row.line))
            self._occurrences = found
        return self._occurrences

    def find(self, key: str, start: int = 1, end: int | None = None) -> list[Occurrence]:
        """Occurrences of label ``key`` on lines ``start`` .. ``end`` (inclusive)."""
        stop = end if end is not None else len(self.src.lines)
        return [o for o in self._by_key.get(key, ()) if start <= o.line <= stop]

    @cached_property
    def _by_key(self) -> dict[str, list[Occurrence]]:
        """The occurrences of each label, in line order."""
        by_key: dict[str, list[Occurrence]] = {}
        for o in self.occurrences:
            by_key.setdefault(o.key, []).append(o)
        return by_key

    def first(self, key: str, start: int = 1, end: int | None = None) -> Occurrence | None:
        hits = self.find(key, start, end)
        return hits[0] if hits else None

    def value(self, occ: Occurrence, *, long: bool = False, max_rows: int = 60) -> Value | None:
        """The value of the label at ``occ``; None when the form leaves it blank.

        ``long`` lets a value run over following rows up to the next label or heading (for
        texts such as 事務の内容); otherwise it ends at a blank line in PLAIN layouts and
        after one row in TABBED layouts.
        """
        row = self.rows[occ.row]
        parts: list[str] = []
        start = end = row.line
        if occ.match.rest:
            parts.append(occ.match.rest)
        else:
            rest_cells = row.cells[occ.cell + 1 :]
            if len(row.cells) > 1 and all(match_label(c.text) for c in row.cells):
                return self._value_below(occ)
            for c in rest_cells:
                if match_label(c.text):
                    break
                parts.append(c.text)
        following = self._following(occ.row, started=bool(parts), long=long, max_rows=max_rows)
        for r in following:
            parts.append("\t".join(c.text for c in r.cells))
            end = r.line
            if not parts[:-1]:
                start = r.line
        raw = _join(parts, self.layout)
        if not clean_cell(raw):
            return None
        return Value(raw, start, end)

    def _following(self, ri: int, *, started: bool, long: bool, max_rows: int) -> list[Row]:
        """Rows after row ``ri`` that continue its value."""
        out: list[Row] = []
        prev_line = self.rows[ri].line
        for r in self.rows[ri + 1 : ri + 1 + max_rows]:
            if is_boundary(r, long=long):
                break
            if r.text.strip() in {"※", "*"}:
                prev_line = r.line
                continue
            gap = r.line - prev_line > 1
            if self.layout is Layout.TABBED:
                if (started or out) and not long:
                    break
            else:
                # PLAIN: a blank line ends a block; a label standing alone may have its value
                # after one blank line, so the first block is always taken.
                if gap and (started or out) and not long:
                    break
            out.append(r)
            prev_line = r.line
        return out

    def _value_below(self, occ: Occurrence) -> Value | None:
        """A header row of labels: the value is the next row's cell in the same column."""
        row = self.rows[occ.row]
        if occ.row + 1 >= len(self.rows):
            return None
        below = self.rows[occ.row + 1]
        col = row.cells[occ.cell].col
        for c in below.cells:
            if c.col == col:
                return Value(c.text, below.line, below.line)
        # Fewer cells below (merged): take the cell at the same position.
        if occ.cell < len(below.cells):
            c = below.cells[occ.cell]
            return Value(c.text, below.line, below.line)
        return None


def _join(parts: list[str], layout: Layout) -> str:
    if layout is Layout.TABBED:
        return " ".join(p.strip() for p in parts)
    # PLAIN: a line break inside a cell is a wrap, not a space (Japanese has no spaces);
    # a new bullet or numbered point keeps its own line.
    out = ""
    for p in parts:
        p = p.strip()
        if out and re.match(r"^(?:[・\-－※]|[①-⑳]|[0-9０-９]+[.．、)）]|[(（][0-9０-９]+[)）])", p):
            out += "\n"
        out += p
    return out


def boxes_in(text: str) -> list[tuple[str, bool]]:
    """(label, checked) for every checkbox in ``text``, empty parentheses dropped."""
    out = []
    for box in checkboxes(normalize_boxes(text)):
        label = re.sub(r"\(\s*\)", "", box.label)
        label = re.sub(r"\(\s*(.*?)\s*\)", r"(\1)", label).strip()
        if label:
            out.append((label, box.checked))
    return out


def band_value(text: str) -> str | None:
    """The chosen value of a choice item (``[30万人以上]  <選択肢> 1) …`` → ``30万人以上``).

    The choice is what stands before the choice list; brackets, ○ marks and checkbox tags
    around it are dropped.
    """
    t = re.sub(r"<input[^>]*>", " ", text)
    t = re.sub(r"<[^>]+>", " ", t)
    t = nfkc(t)
    m = CHOICE_MARKER.search(t)
    if m:
        t = t[: m.start()]
    t = re.sub(r"[\[\]○〇●]", " ", t)
    t = fold_spaces(t)
    return t or None


def bracket_band(text: str, unit: str) -> str | None:
    """The first ``[ value ]`` in ``text`` whose value is a band in ``unit`` (``人``, ``項目``).

    Layout-order text puts a band a few lines away from its label, often beside the next
    item's checkboxes; only a bracket that holds a well-formed band is taken.
    """
    pattern = re.compile(
        rf"\[\s*(?P<v>[0-9,万千]+{unit}(?:以上)?(?:[0-9,万千]+{unit})?(?:未満|以上))\s*\]?"
    )
    m = pattern.search(nfkc(text))
    return m["v"] if m else None
