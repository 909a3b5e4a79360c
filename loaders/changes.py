"""The change history (別添 変更箇所) and the list of changed passages (変更箇所一覧).

The template's change table has one row per change: 変更日, 項目, 変更前の記載, 変更後の記載,
提出時期 (事前/事後), 提出時期に係る説明. It is where renumberings of law items and renamed
departments are recorded, so each row becomes a ``pia:ChangeRecord``.

- Tab-separated: columns are found by their header words; the header is repeated at every
  page break; a blank date continues the row above (so does 〃).
- Plain text: read by ``change_blocks`` from the printed blocks (cells on one line split at
  a half-width space, wrapped cells as blocks, the narrow 項目 and 説明 columns told by
  width); when 変更前 and 変更後 cannot be told apart they are left out with a warning.
- A 変更箇所一覧 (columns 変更または追記した箇所, ページ, 事由等) has no dates: each part
  between two headers is one record, the changed passages as its "after" text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rdflib import Literal

from pia_kg.errors import LoaderError
from pia_kg.japanese import compact, nfkc, wareki_to_date
from pia_kg.loaders.annex_tables import join_wrapped
from pia_kg.loaders.assessment_context import AssessmentContext
from pia_kg.loaders.builder import DocumentGraph
from pia_kg.loaders.change_blocks import read_plain_table
from pia_kg.loaders.source import SourceText
from pia_kg.loaders.source import clean_cell as _clean_cell
from pia_kg.vocab import DCTERMS, PIA, XSD

__all__ = ["Change", "read_changes", "extract_changes"]

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def clean_cell(cell: str) -> str:
    """``source.clean_cell`` keeping circled numbers (①部署), which NFKC would turn into digits."""
    marked = "".join(f"\ue000{_CIRCLED.index(ch)}\ue001" if ch in _CIRCLED else ch for ch in cell)
    text = _clean_cell(marked)
    return re.sub("\ue000(\\d+)\ue001", lambda m: _CIRCLED[int(m[1])], text)

_DITTO = {"〃", "同上", "″", "々"}
_TIMING = re.compile(r"(?:^|\s)(事前|事後)(?:\s|$)")
_DATE_START = re.compile(r"^\s*(?:令和|平成|昭和)\s*[0-9０-９元]+\s*年\s*[0-9０-９]+\s*月\s*[0-9０-９]+\s*日")
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
    lines = src.lines
    changes: list[Change] = []
    i = 0
    while i < len(lines):
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


# --- tab-separated ----------------------------------------------------------------------


def _tab_header(line: str) -> dict[str, int] | None:
    if "\t" not in line:
        return None
    cells = [compact(clean_cell(c)) for c in line.split("\t")]
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
        cells = line.split("\t")
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


def _read_plain_rows(src: SourceText, i: int, out: list[Change]) -> int:
    """Rows until the first 別紙 table (its No. header or title) or the end of the text."""
    lines = src.lines
    stop = i
    while stop < len(lines):
        text = nfkc(lines[stop].strip())
        # An annex title ("（別紙１）番号法…") or its table header; "（別紙１） （別紙１）※…"
        # is a change row about the annex.
        if re.match(r"^[(（]別紙\s*[0-9]+[)）](?=\S)|^(?:No|Ｎｏ)[.．]", text):
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


def _read_list_block(src: SourceText, i: int, out: list[Change]) -> int:
    """One record per part between two headers: the passages, their pages and reasons."""
    lines = src.lines
    start = i + 1
    passages: list[str] = []
    pages: list[str] = []
    reasons: list[str] = []
    section = ""
    end = start
    while i < len(lines) and not _is_list_header(lines[i]):
        raw = lines[i]
        if raw.strip() and not re.fullmatch(r"[-\s\t]+", raw):
            cells = [clean_cell(c) for c in raw.split("\t")]
            while cells and not cells[-1]:
                cells.pop()
            # ページ and 事由等 sit in the last columns, though the converter shifts them:
            # a number there is a page, a short phrase a reason; a long text is a passage.
            # A page number may be the last cell but one ("passage<TAB>18<TAB>reason").
            while len(cells) > 2 or (len(cells) == 2 and re.fullmatch(r"\d+", nfkc(cells[-1]))):
                tail = cells[-1]
                if re.fullmatch(r"\d+", nfkc(tail)):
                    pages.append(tail)
                elif len(tail) <= 30 and "。" not in tail and not re.search(r"用途|提供先|移転先", tail):
                    if tail:
                        reasons.append(tail)
                elif tail:
                    break
                cells.pop()
            text = " ".join(c for c in cells if c)
            if re.fullmatch(r"\d+", nfkc(text)):
                pages.append(text)
            elif text:
                if not section:
                    section = text
                passages.append(text)
            end = i + 1
        i += 1
    previous = out[-1] if out and out[-1].date is None and out[-1].section else None
    if passages and previous is not None and not _SECTION_START.match(nfkc(section)):
        # A page break cut the previous part: the header was repeated mid-passage.
        previous.after = "\n".join(filter(None, [previous.after] + passages))
        previous.end = end
        previous.reason = "；".join(filter(None, [previous.reason] + reasons))
        previous.page = "、".join(dict.fromkeys(filter(None, previous.page.split("、") + pages)))
        return i
    if passages:
        change = Change(start, end, None, section, "", "\n".join(passages[1:]), "", "；".join(reasons))
        change.page = "、".join(dict.fromkeys(pages))
        out.append(change)
    return i


# --- graph ------------------------------------------------------------------------------


def extract_changes(src: SourceText, dg: DocumentGraph, ctx: AssessmentContext) -> None:
    """One ``pia:ChangeRecord`` per change row, linked from the assessment."""
    for order, change in enumerate(read_changes(src), start=1):
        node = dg.fact("change", str(change.start), PIA.ChangeRecord, change.start, change.end)
        dg.add(ctx.assessment, PIA.changeRecord, node)
        dg.add(node, PIA.order, Literal(order, datatype=XSD.integer))
        if change.date is not None:
            dg.add(node, DCTERMS.date, Literal(change.date, datatype=XSD.date))
        dg.add(node, PIA.section, change.section)
        dg.add(node, PIA.before, change.before)
        dg.add(node, PIA.after, change.after)
        dg.add(node, PIA.timing, change.timing)
        dg.add(node, PIA.reason, change.reason)
        for note in change.notes:
            dg.warn(f"変更箇所: {note}", change.start)
