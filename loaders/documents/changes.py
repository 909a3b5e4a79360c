"""The change history (別添 変更箇所) and the list of changed passages (変更箇所一覧).

The template's change table has one row per change: 変更日, 項目, 変更前の記載, 変更後の記載,
提出時期 (事前/事後), 提出時期に係る説明. It is where renumberings of law items and renamed
departments are recorded, so each row becomes a ``pia:ChangeRecord``.

- Tab-separated: columns are found by their header words; the header is repeated at every
  page break; a blank date continues the row above (so does 〃).
- Plain text: read by ``change_blocks`` from the printed blocks (cells on one line split at
  a half-width space, wrapped cells as blocks, the narrow 項目 and 説明 columns told by
  width); when 変更前 and 変更後 cannot be told apart they are left out with a warning.
- A 変更箇所一覧 (columns 変更または追記した箇所, ページ, 事由等) has no dates: each row
  (a changed passage under its headings, with its page and 事由) is one record, the passage
  as its "after" text; a row cut by a page break is joined again, its 事由 too.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Literal

from pia_kg.errors import LoaderError
from pia_kg.loaders.documents.annex_tables import join_wrapped
from pia_kg.loaders.documents.assessment_context import AssessmentContext
from pia_kg.loaders.documents.builder import DocumentGraph, integer_literal
from pia_kg.loaders.documents.change_blocks import read_plain_table
from pia_kg.loaders.documents.citations import add_quoted_annex_citations
from pia_kg.loaders.documents.layout import cells_of
from pia_kg.loaders.documents.source import SourceText
from pia_kg.loaders.documents.source import clean_cell as _clean_cell
from pia_kg.loaders.documents.terms import PIA
from pia_kg.text.form_marks import CIRCLED
from pia_kg.text.wareki import wareki_to_date
from pia_kg.text.widths import compact, nfkc
from pia_kg.vocab import DCTERMS, XSD

__all__ = ["Change", "read_changes", "extract_changes"]

_CIRCLED = CIRCLED


def clean_cell(cell: str) -> str:
    """``source.clean_cell`` keeping circled numbers (①部署), which NFKC would turn into digits."""
    return _clean_short(cell) if len(cell) <= 512 else _clean(cell)


@lru_cache(maxsize=1 << 16)  # a form repeats its cells: short ones keep their answer
def _clean_short(cell: str) -> str:
    return _clean(cell)


# Each circled number as a mark NFKC keeps (its index between two private-use characters).
_MARKS = {ord(ch): f"\ue000{i}\ue001" for i, ch in enumerate(_CIRCLED)}


def _clean(cell: str) -> str:
    text = _clean_cell(cell.translate(_MARKS))
    if "\ue000" not in text:
        return text
    return re.sub("\ue000(\\d+)\ue001", lambda m: _CIRCLED[int(m[1])], text)

_DITTO = {"〃", "同上", "″", "々"}
_TIMING = re.compile(r"(?:^|\s)(事前|事後)(?:\s|$)")
_SECTION_START = re.compile(r"^\s*(?:[ⅠⅡⅢⅣⅤⅥ]|I{1,3}\s|IV\s|V\s|VI\s|[(（]別[添紙]|別[添紙]\s*[0-9０-９])")
_HEADER_WORDS = ("変更日", "項目", "変更前の記載", "変更後の記載")


@dataclass
class Change:
    """One change row as written."""

    start: int
    end: int
    date: dt.date | None = None
    section: str = ""
    before: str = ""
    after: str = ""
    timing: str = ""
    reason: str = ""
    page: str = ""
    notes: list[str] = field(default_factory=list)


def read_changes(src: SourceText) -> list[Change]:
    """Every change row of the document, in order; LoaderError for an unreadable date cell."""
    lines, folded = src.lines, src.folded_lines
    changes: list[Change] = []
    i = 0
    while i < len(lines):
        if not _may_be_header(lines[i], folded[i]):
            i += 1
            continue
        cols = _tab_header(lines[i])
        if cols is not None:
            i = _read_tab_rows(src, i + 1, cols, changes)
            continue
        if _is_plain_header(lines[i]):
            i = _read_plain_rows(src, i + 1, changes)
            continue
        if _is_list_header(lines[i]):
            i = _read_list_block(src, i + 1, changes)
            continue
        i += 1
    return changes


def _may_be_header(line: str, folded: str) -> bool:
    """Whether ``line`` (``folded``: in NFKC) can be one of the headers below: each names
    変更前の記載 or 変更または追記した箇所, so its text holds 載 or 箇 (NFKC makes neither out
    of other characters; an HTML entity could spell them, so a line with ``&`` is looked at too)."""
    return "載" in folded or "箇" in folded or "&" in line


# --- tab-separated ----------------------------------------------------------------------


def _tab_header(line: str) -> dict[str, int] | None:
    if "\t" not in line:
        return None
    cells = [compact(clean_cell(c)) for c in cells_of(line)]
    if not all(w in cells for w in _HEADER_WORDS):
        return None
    cols: dict[str, int] = {}
    for idx, cell in enumerate(cells):
        if cell == "変更日":
            cols["date"] = idx
        elif cell == "項目":
            cols["section"] = idx
        elif cell == "変更前の記載":
            cols["before"] = idx
        elif cell == "変更後の記載":
            cols["after"] = idx
        elif cell == "提出時期":
            cols["timing"] = idx
        elif "説明" in cell or "事由" in cell:
            cols["reason"] = idx
    return cols


def _get(cells: list[str], cols: dict[str, int], key: str) -> str:
    idx = cols.get(key)
    if idx is None or idx >= len(cells):
        return ""
    return clean_cell(cells[idx])


def _read_tab_rows(src: SourceText, i: int, cols: dict[str, int], out: list[Change]) -> int:
    lines = src.lines
    while i < len(lines):
        line = lines[i]
        if not line.strip() or _tab_header(line) is not None:
            i += 1
            continue
        if "\t" not in line:
            break
        cells = cells_of(line)
        date_cell = _get(cells, cols, "date")
        if date_cell and date_cell not in _DITTO:
            date = wareki_to_date(date_cell)
            if date is None:
                raise LoaderError(f"変更箇所: the 変更日 cell {date_cell!r} is not a date", source=src.name, line=i + 1)
        elif out:
            date = out[-1].date
        else:
            raise LoaderError("変更箇所: the first row has no 変更日", source=src.name, line=i + 1)
        out.append(
            Change(
                i + 1,
                i + 1,
                date,
                _get(cells, cols, "section"),
                _get(cells, cols, "before"),
                _get(cells, cols, "after"),
                _get(cells, cols, "timing"),
                _get(cells, cols, "reason"),
            )
        )
        i += 1
    return i


# --- plain text -------------------------------------------------------------------------


def _is_plain_header(line: str) -> bool:
    text = compact(line)
    return "\t" not in line and all(w in text for w in _HEADER_WORDS)


# An annex title ("（別紙１）番号法…") or its table header; "（別紙１） （別紙１）※…" is a
# change row about the annex.
_ANNEX_START = re.compile(r"^[(（]別紙\s*[0-9]+[)）](?=\S)|^(?:No|Ｎｏ)[.．]")


def _read_plain_rows(src: SourceText, i: int, out: list[Change]) -> int:
    """Rows until the first 別紙 table (its No. header or title) or the end of the text."""
    lines = src.lines
    stop = i
    while stop < len(lines):
        text = nfkc(lines[stop].strip())
        if _ANNEX_START.match(text):
            break
        stop += 1
    for record in read_plain_table(lines, i, stop, _is_plain_header):
        change = Change(record.start, record.end, record.date)
        if change.date is None and out:
            change.date = out[-1].date
        change.section = clean_cell(join_wrapped(record.section))
        change.before, change.after = clean_cell(record.before), clean_cell(record.after)
        change.timing = record.timing
        change.reason = clean_cell(join_wrapped(record.reason or record.leading))
        change.notes = list(record.notes)
        out.append(change)
    return stop


# --- 変更箇所一覧 -------------------------------------------------------------------------


def _is_list_header(line: str) -> bool:
    cells = [compact(clean_cell(c)) for c in re.split(r"\t| {2,}", line)]
    return "変更または追記した箇所" in cells and "事由等" in cells


# A line of the list that opens a row: a section, a numbered item, a system, an annex, a
# file, a risk. Rows are cut there because the page and 事由 cells are merged over the
# lines of a row and printed on any one of them.
_LIST_HEADING = re.compile(
    r"^(?:(?:I{1,3}|IV|V|VI)\s|\d+\s*[.．]\s*\S|システム\s*\d+$|[(（]別[添紙]\s*\d+[)）]|"
    r"特定個人情報ファイル名|リスク\s*\d*\s*[:：])|その他のリスク及びそのリスクに対する措置$"
)
_PAGE = re.compile(r"\d+")


@dataclass
class _ListRow:
    """The lines of one row of a 変更箇所一覧: the headings that lead it, its passages, pages and reasons."""

    start: int
    end: int
    lead: list[str] = field(default_factory=list)
    passages: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    continues: bool = False  # the part opens mid-row: a page break cut the row above
    orphans: list[str] = field(default_factory=list)  # reasons printed below, on lines of their own


def _is_reason(text: str) -> bool:
    return len(text) <= 30 and "。" not in text and not re.search(r"用途|提供先|移転先", text)


def _split_tail(cells: list[str]) -> tuple[list[str], list[str], list[str]]:
    """ページ and 事由等 from the last columns, though the converter shifts them: a number
    there is a page, a short phrase a reason; a long text is a passage. A page number may be
    the last cell but one ("passage<TAB>18<TAB>reason")."""
    pages: list[str] = []
    reasons: list[str] = []
    while len(cells) > 2 or (len(cells) == 2 and _PAGE.fullmatch(nfkc(cells[-1]))):
        tail = cells[-1]
        if _PAGE.fullmatch(nfkc(tail)):
            pages.insert(0, tail)
        elif _is_reason(tail):
            if tail:
                reasons.insert(0, tail)
        else:
            break
        cells.pop()
    return cells, pages, reasons


def _read_list_block(src: SourceText, i: int, out: list[Change]) -> int:
    """One record per row of one part (between two headers): its passages, page and 事由."""
    lines = src.lines
    rows: list[_ListRow] = []
    after_page = False
    while i < len(lines) and not _is_list_header(lines[i]):
        raw, number = lines[i], i + 1
        i += 1
        if not raw.strip() or re.fullmatch(r"[-\s\t]+", raw):
            continue
        cells = [clean_cell(c) for c in cells_of(raw)]
        while cells and not cells[-1]:
            cells.pop()
        filled = sum(1 for c in cells if c)
        cells, pages, reasons = _split_tail(cells)
        text = " ".join(c for c in cells if c)
        if _PAGE.fullmatch(nfkc(text)):
            pages, text = pages + [text], ""
        elif text and after_page and filled == 1 and _is_reason(text):
            reasons, text = reasons + [text], ""  # page and reason printed below the passages
        after_page = bool(pages) and not text and not reasons
        if not text and not pages and reasons and rows:
            rows[-1].orphans += reasons
            rows[-1].end = number
            continue
        heading = bool(text) and filled == 1 and _LIST_HEADING.search(nfkc(text)) is not None
        if heading and (not rows or rows[-1].passages or rows[-1].pages or rows[-1].reasons):
            rows.append(_ListRow(number, number))
        elif not rows:
            rows.append(_ListRow(number, number, continues=True))
        row = rows[-1]
        if text:
            (row.lead if heading and not row.passages else row.passages).append(text)
        row.pages += pages
        row.reasons += reasons
        row.end = number
    rows = _merge_rows(rows)
    for k, row in enumerate(rows):
        for reason in row.orphans:
            # Reasons printed under the last row, one per row above that has a page but none.
            target = next((r for r in rows[: k + 1] if r.pages and not r.reasons), row)
            target.reasons.append(reason)
    for row in rows:
        previous = out[-1] if out and out[-1].date is None and out[-1].section else None
        if row.continues and previous is not None:
            _continue(previous, row)
            continue
        section = " / ".join(row.lead) or (row.passages[0] if row.passages else "")
        passages = row.passages if row.lead else row.passages[1:]
        change = Change(row.start, row.end, None, section, "", "\n".join(passages), "", "；".join(row.reasons))
        change.page = "、".join(dict.fromkeys(row.pages))
        out.append(change)
    return i


def _merge_rows(rows: list[_ListRow]) -> list[_ListRow]:
    """Rows with neither page nor reason are headings of the row below (an annex's items)."""
    merged: list[_ListRow] = []
    pending: list[_ListRow] = []
    for row in rows:
        if not row.pages and not row.reasons and not row.orphans and not row.continues:
            pending.append(row)
            continue
        if pending:
            first = pending[0]
            body = first.passages + [t for p in pending[1:] for t in p.lead + p.passages]
            row.passages = body + row.lead + row.passages
            row.lead, row.start = first.lead, first.start
            row.orphans = [r for p in pending for r in p.orphans] + row.orphans
            pending = []
        merged.append(row)
    for row in pending:  # trailing rows without page: part of the last row
        if merged:
            merged[-1].passages += row.lead + row.passages
            merged[-1].end = row.end
            merged[-1].orphans += row.orphans
        else:
            merged.append(row)
    return merged


def _continue(previous: Change, row: _ListRow) -> None:
    """A row cut by a page break: its passages, pages and a reason split in two are joined."""
    previous.after = "\n".join(filter(None, [previous.after] + row.lead + row.passages))
    previous.end = row.end
    reasons = previous.reason.split("；") if previous.reason else []
    if reasons and row.reasons:
        reasons[-1] = join_wrapped([reasons[-1], row.reasons[0]])
        reasons += row.reasons[1:]
    else:
        reasons += row.reasons
    previous.reason = "；".join(reasons)
    previous.page = "、".join(dict.fromkeys(filter(None, previous.page.split("、") + row.pages)))


# --- graph ------------------------------------------------------------------------------


def extract_changes(src: SourceText, dg: DocumentGraph, ctx: AssessmentContext) -> None:
    """One ``pia:ChangeRecord`` per change row, linked from the assessment."""
    for order, change in enumerate(read_changes(src), start=1):
        node = dg.fact("change", str(change.start), PIA.ChangeRecord, change.start, change.end)
        dg.add(ctx.assessment, PIA.changeRecord, node)
        dg.add(node, PIA.order, integer_literal(order))
        if change.date is not None:
            dg.add(node, DCTERMS.date, Literal(change.date, datatype=XSD.date))
        dg.add(node, PIA.section, change.section)
        dg.add(node, PIA.before, change.before)
        dg.add(node, PIA.after, change.after)
        dg.add(node, PIA.timing, change.timing)
        dg.add(node, PIA.reason, change.reason)
        add_quoted_annex_citations(dg, node, change.section, change.after, change.start, change.end)
        for note in change.notes:
            dg.warn(f"変更箇所: {note}", change.start)
