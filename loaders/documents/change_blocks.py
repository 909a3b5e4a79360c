"""The change table (別添 変更箇所) of a plain-text conversion, read by its printed blocks.

A PDF converted to plain text prints the six columns of the template's change table —
変更日, 項目, 変更前の記載, 変更後の記載, 提出時期, 提出時期に係る説明 — one after the other:

- cells that fit on one printed line share a text line, separated by ONE half-width space
  (``平成27年7月 平成27年7月8日 事後 時点修正``); a space inside a cell is a 全角 space;
- a wrapped cell comes as a block of lines, blocks separated by blank lines;
- the narrow columns (項目, 説明) wrap at about half the width of 変更前/変更後;
- a short cell that is vertically centred in a tall row may come before its row (a 説明
  printed above the 変更日) or after it; a 変更日 left blank means the date above.

So a record starts at a date, or at a block that opens with a section mark (Ⅱ（１）…,
（別添１）…) once the record before has its texts. The 項目 are the narrow lines after the
date; 提出時期 is the first 事前/事後 cell; the 説明 is the block after it. 変更前 and 変更後
are the texts between: split at the one in-line cell separator when there is one, else at
the blank line between two blocks, else (three blocks or more) where the two halves are most
alike, since a change rewrites a passage. When none of this decides, the texts are left out
and the record says so, so that no "before" ever holds an "after".
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from pia_kg.loaders.documents.annex_tables import join_wrapped
from pia_kg.text.wareki import WAREKI_DATE, wareki_to_date
from pia_kg.text.widths import compact, nfkc

__all__ = ["PlainRecord", "read_plain_table", "display_width"]

_TIMINGS = {"事前", "事後"}
# A 項目 cell opens with a section numeral (not "Ⅰ．", a numbered point of a text), an
# attachment, or 全般.
_ROMAN_MARK = re.compile(r"^[\s\u3000]*(?:[ⅠⅡⅢⅣⅤⅥ](?![．.、,，])|(?:VI|IV|V|I{1,3})(?=[\s\u3000（(－\-]))")
_SECTION_MARK = re.compile(
    _ROMAN_MARK.pattern + r"|^[\s\u3000]*(?:[(（]別[添紙]|別[添紙][\s\u3000]*[0-9０-９]|全般)"
)
_NULL_CELLS = {"－", "-", "―", "—", "‐", "記述無し", "記述なし", "なし", "(新規)", "(記述の追加)", "〃"}
_ELIDED = re.compile(r"[(（]?(?:略|以下略|中略)[)）]?")
_BULLET = set("・※○〇●◆■□◇-－")
_ROMAN_NUMERALS = set("ⅠⅡⅢⅣⅤⅥ")
_LATIN = set(string.ascii_letters)
# Narrow columns (項目, 説明) wrap at about 15 全角 characters, 変更前/変更後 at about 22.
_NARROW = 32
_ALIKE_MIN = 100.0
#: Characters of each half a cut is scored on (longer halves are cut short for scoring).
_SCORED = 500
_ALIKE_MARGIN = 15.0


def display_width(text: str) -> int:
    """Printed width: 全角 (and ambiguous, as Japanese fonts print them) count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text.strip())


def _cells(line: str) -> list[str]:
    """The cells printed on one line: split at single half-width spaces that separate cells.

    A space after a lone bullet (``・ 既存``) or section numeral (``Ⅱ 特定``), around ASCII brackets (``認可 (処理``) or
    after a Latin letter (``Windows Server``) is part of the text.
    """
    parts = [p for p in line.strip().split(" ") if p]
    if not parts:
        return []
    cells = [parts[0]]
    for part in parts[1:]:
        left = cells[-1]
        joined = (
            (len(left.strip("\u3000")) == 1 and left.strip("\u3000") in _BULLET)
            or left in _ROMAN_NUMERALS  # "Ⅱ 特定個人情報ファイルの概要"
            or left[-1] in ")]" or left[-1] in _LATIN
            or part[0] in "([" or (left[-1].isascii() and part[0].isascii() and left[-1].isalpha())
        )
        if joined:
            cells[-1] = f"{left} {part}"
        else:
            cells.append(part)
    return cells


@dataclass
class PlainRecord:
    """One row of the change table as printed, and what could be told of its cells."""

    start: int
    end: int
    date: dt.date | None = None
    section: list[str] = field(default_factory=list)
    # Content: blocks of lines; each line is its printed cells.
    blocks: list[list[list[str]]] = field(default_factory=list)
    timing: str = ""
    reason: list[str] = field(default_factory=list)
    leading: list[str] = field(default_factory=list)
    stage: str = "section"  # section → content → reason_wait → reason → done
    before: str = ""
    after: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        return any(self.blocks)

    def add_content(self, cells: list[str], new_block: bool) -> None:
        if new_block or not self.blocks:
            self.blocks.append([])
        self.blocks[-1].append(cells)


def read_plain_table(lines: list[str], start: int, stop: int, skip) -> list[PlainRecord]:
    """Records of the change table on ``lines[start:stop]`` (0-based); ``skip(line)`` tells a
    repeated page header, read as a blank line."""
    records: list[PlainRecord] = []
    current: PlainRecord | None = None
    pending: list[tuple[int, list[list[str]]]] = []  # blocks seen after a record was done
    blank_before = True
    for idx in range(start, stop):
        raw = lines[idx]
        number = idx + 1
        if not raw.strip() or skip(raw):
            blank_before = True
            if current is not None:
                if current.stage == "section" and current.section:
                    current.stage = "content"
                elif current.stage == "reason":
                    current.stage = "done"
            continue
        text = raw.strip()
        cells = _cells(raw)
        new_block, blank_before = blank_before, False
        date_start = _date_start(text, current)
        if date_start is not None:
            leading, date, rest = date_start
            current = _begin(records, current, pending, number, date)
            if leading:
                current.leading.append(leading)
            if rest:
                first, *others = _cells(rest)
                current.section.append(first)
                if others:
                    current.stage = "content"
                    _content(current, others, True, number)
            continue
        if new_block and _SECTION_MARK.match(cells[0]) and display_width(cells[0]) <= _NARROW and (
            current is None
            or current.stage != "section"
            and (current.has_content or current.stage != "content" or _ROMAN_MARK.match(cells[0]))
        ):
            current = _begin(records, current, pending, number, None)
            current.section.append(cells[0])
            if len(cells) > 1:
                current.stage = "content"
                _content(current, cells[1:], True, number)
            continue
        if current is None:
            if new_block or not pending:
                pending.append((number, [cells]))
            else:
                pending[-1][1].append(cells)
            continue
        current.end = number
        if current.stage == "section":
            if len(cells) == 1 and display_width(text) <= _NARROW and not (new_block and current.section):
                current.section.append(text)
                continue
            current.stage = "content"
        if current.stage == "content":
            _content(current, cells, new_block, number)
        elif current.stage in ("reason_wait", "reason"):
            if text in _TIMINGS:
                _give_timing_back(records, text)
                continue
            if current.stage == "reason_wait" or not new_block:
                current.reason.append(text)
                current.stage = "reason"
            else:
                current.stage = "done"
                pending.append((number, [cells]))
        else:  # done: text between two records
            if text in _TIMINGS and pending and any(len(b) > 1 or len(b[0]) > 1 or display_width(b[0][0]) > _NARROW for _, b in pending):
                # Texts under no 項目 closed by a 提出時期: a row whose 項目 was not printed.
                current = _begin(records, current, pending, pending[0][0], None, sectionless=True)
                current.timing, current.stage = text, "reason_wait"
                current.end = number
                continue
            if new_block or not pending:
                pending.append((number, [cells]))
            else:
                pending[-1][1].append(cells)
    if current is not None:
        records.append(current)
    for r in records:
        _split(r)
    return records


def _date_start(text: str, current: PlainRecord | None) -> tuple[str, dt.date | None, str] | None:
    """(text before, date, rest) when the line opens a row by its 変更日.

    The date opens the line and is followed by nothing or by a 項目; or it closes a short
    line whose start is a 説明 printed beside it (``様式の改正に伴う変更令和1年6月10日``).
    A date inside a text (``平成27年7月 平成27年7月8日``) opens nothing.
    """
    if current is not None and current.stage == "section" and not current.section:
        return None
    m = WAREKI_DATE.search(text)
    if m is None:
        return None
    before, rest = text[: m.start()].strip(), text[m.end() :].strip()
    if before:
        if rest or display_width(before) > _NARROW or WAREKI_DATE.search(before):
            return None
    elif rest:
        first = _cells(rest)[0]
        if display_width(first) > _NARROW or not _SECTION_MARK.match(first):
            return None
    return before, wareki_to_date(m.group(0)), rest


def _begin(
    records: list[PlainRecord],
    current: PlainRecord | None,
    pending: list[tuple[int, list[list[str]]]],
    number: int,
    date: dt.date | None,
    *,
    sectionless: bool = False,
) -> PlainRecord:
    if current is not None:
        records.append(current)
    record = PlainRecord(number, number, date)
    if sectionless:
        # Narrow blocks first are a 説明 printed above the row; the rest are its texts.
        blocks = [b for _, b in pending]
        while blocks and all(len(line) == 1 and display_width(line[0]) <= _NARROW for line in blocks[0]):
            record.leading.extend(line[0] for line in blocks[0])
            blocks.pop(0)
        record.blocks = blocks
        record.stage = "content"
        record.notes.append("its 項目 was not printed beside its texts")
    else:
        # Text printed between two rows: a 説明 centred in a tall row, kept for the next row
        # unless that row has its own after its 提出時期.
        for _, block in pending:
            record.leading.extend(" ".join(line) for line in block)
    pending.clear()
    return record


def _content(record: PlainRecord, cells: list[str], new_block: bool, number: int) -> None:
    """A content line: texts up to a 事前/事後 cell, the 説明 after it."""
    for k, cell in enumerate(cells):
        if k and cell[:2] in _TIMINGS and len(cell) > 2 and not record.timing:
            # "事前重要な変更のため…": the 説明 printed against its 提出時期.
            cells = cells[:k] + [cell[:2], cell[2:]] + cells[k + 1 :]
            break
    for k, cell in enumerate(cells):
        if cell in _TIMINGS and not record.timing:
            if cells[:k]:
                record.add_content(cells[:k], new_block)
            record.timing = cell
            rest = cells[k + 1 :]
            if rest:
                record.reason.append(" ".join(rest))
                record.stage = "reason"
            else:
                record.stage = "reason_wait"
            return
    record.add_content(cells, new_block)


def _give_timing_back(records: list[PlainRecord], timing: str) -> None:
    """A second 事前/事後 after a row: the 提出時期 of the row above, printed late."""
    if records and not records[-1].timing:
        records[-1].timing = timing


def _join(lines: list[list[str]]) -> str:
    return join_wrapped([" ".join(cells) for cells in lines])


# At most this many places to cut are scored (those nearest the middle): a record whose text
# repeats a block many times would otherwise cost time quadratic in its length.
_MAX_CUTS = 24


def _nearest_middle(candidates: list[int], total: int) -> list[int]:
    """The ``_MAX_CUTS`` candidates nearest the middle of ``total`` pieces, in order.

    >>> _nearest_middle(list(range(100)), 100)[:3]
    [38, 39, 40]
    """
    if len(candidates) <= _MAX_CUTS:
        return candidates
    kept = sorted(candidates, key=lambda n: (abs(2 * n - total), n))[:_MAX_CUTS]
    return sorted(kept)


def _split(record: PlainRecord) -> None:
    """変更前 and 変更後 from the record's blocks (see the module docstring)."""
    blocks = [b for b in record.blocks if b]
    if not record.timing and len(blocks) >= 3 and all(
        len(line) == 1 and display_width(line[0]) <= _NARROW for line in blocks[-1]
    ):
        # No 提出時期 printed: a last block in the narrow column is the 説明.
        record.reason = [line[0] for line in blocks.pop()]
    # An elision mark alone ("（略）") closes the passage above it, in either column.
    merged: list[list[list[str]]] = []
    for block in blocks:
        if merged and len(block) == 1 and len(block[0]) == 1 and _ELIDED.fullmatch(nfkc(block[0][0]).strip()):
            merged[-1] = merged[-1] + block
        else:
            merged.append(block)
    blocks = merged
    if not blocks:
        return
    # The text as a sequence of printed cells, and the places where it may be cut in two:
    # between two cells of a line (strong unless after a Latin letter or digit, which a
    # cell may end with: "ISO/IEC27018 の認証"), or between two blocks.
    pieces: list[str] = []
    cuts: list[tuple[int, str]] = []  # (number of pieces before the cut, kind)
    for bi, block in enumerate(blocks):
        if bi:
            cuts.append((len(pieces), "block"))
        for li, cells in enumerate(block):
            if li:
                pieces[-1] += "\n"
            for ci, cell in enumerate(cells):
                if ci:
                    weak = bool(re.search(r"[A-Za-z0-9]$", pieces[-1]))
                    cuts.append((len(pieces), "weak" if weak else "strong"))
                pieces.append(cell)

    def text(part: list[str]) -> str:
        return join_wrapped("".join(part).split("\n"))

    strong = [n for n, kind in cuts if kind == "strong"]
    first = nfkc(pieces[0].split("\n")[0]).strip()
    if first in _NULL_CELLS and len(pieces) > 1:
        # "（新規）", "－", "〃": a one-line 変更前 that says there was none, or "as above".
        head = pieces[0].split("\n", 1)
        rest = ([head[1]] if len(head) > 1 else []) + pieces[1:]
        record.before, record.after = head[0].strip(), text(rest)
        return
    if len(strong) == 1:
        n = strong[0]
        record.before, record.after = text(pieces[:n]), text(pieces[n:])
        return
    candidates = [n for n, kind in cuts if kind != "strong"] if not strong else strong
    if not candidates:
        record.notes.append("only one of 変更前 and 変更後 was printed, or they cannot be told apart; left out")
        return
    block_cuts = [n for n, kind in cuts if kind == "block"]
    if not strong and len(block_cuts) == 1:
        # Two blocks: 変更前 and 変更後 (a cell ending in a Latin letter or digit is no cut then).
        n = block_cuts[0]
        record.before, record.after = text(pieces[:n]), text(pieces[n:])
        return
    scores = []
    for n in _nearest_middle(candidates, len(pieces)):
        # Scored on at most _SCORED characters of each half: similarity measures are
        # quadratic in length, and a record run together from a broken table can be huge.
        before, after = compact(text(pieces[:n]))[:_SCORED], compact(text(pieces[n:]))[:_SCORED]
        # ratio favours halves alike in length (a rewritten passage), partial_ratio a
        # passage kept whole and added to.
        # A very short half matches anything in part, so partial_ratio counts by its length.
        weight = min(1.0, min(len(before), len(after)) / 20)
        scores.append((fuzz.ratio(before, after) + weight * fuzz.partial_ratio(before, after), n))
    scores.sort(reverse=True)
    best, n = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0.0
    if best < _ALIKE_MIN or best - runner_up < _ALIKE_MARGIN:
        record.notes.append(
            f"変更前 and 変更後 cannot be told apart ({len(candidates)} places to cut, none makes "
            "two clearly alike texts); left out"
        )
        return
    record.before, record.after = text(pieces[:n]), text(pieces[n:])
