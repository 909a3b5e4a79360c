"""The 別紙 tables that 提供先/移転先 entries point to: one row per recipient or department.

A 別紙 ("(別紙1) 番号法第19条第8号別表第二に定める事務") lists, row by row, the recipient
(提供先: a body) or department (移転先), the item of the law table that is the legal basis
(項番, as cited) and the purpose (用途, the text of that item). The same table comes in two
layouts:

- tab-separated, one row per line; a merged cell is left blank and continues the row above;
  a long purpose may swallow the item cell ("7 児童福祉法…" with the item cell empty);
- plain text, where a row's cells follow each other over several lines (wrapped cells,
  several departments on separate lines), and the title and column header are repeated at
  each page break, sometimes only from the second page on.

Rows are recognised by their running number (No.) or, in tables without one, by the item
label that starts them; the running number is what tells a new row from a wrapped line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pia_kg.errors import LoaderError, NotationError
from pia_kg.loaders.documents.departments import unit_level
from pia_kg.loaders.documents.layout import cells_of
from pia_kg.loaders.documents.source import SourceText, clean_cell
from pia_kg.text.citation import (
    canonical_table_label,
    law_in_title,
    table_as_written,
    table_heading,
)
from pia_kg.text.items import is_item_list, split_item_list
from pia_kg.text.widths import SPACES, compact, nfkc

__all__ = [
    "AnnexRow",
    "AnnexTable",
    "find_annex_tables",
    "split_departments",
    "join_wrapped",
]

# "(別紙1) title" / "（別紙１）title" (NFKC applied before matching).
_TITLE = re.compile(r"^\s*[(（]\s*別紙\s*(?P<n>\d+)\s*[)）]\s*(?P<title>.*?)\s*$")
# Column roles, recognised from the header cell text (NFKC, no spaces).
_NO = re.compile(r"^(?:No\.?|NO\.?|番号)$")
_RECIPIENT = re.compile(r"^(?P<kind>提供先|移転先)$")
_ITEM_COL = re.compile(r"根拠|項番|事務の欄")
_PURPOSE_COL = re.compile(r"用途")
# The start of a plain-text header: "No． 提供先" / "項番 移転先".
_PLAIN_HEADER = re.compile(r"^\s*(?:No\.?|項番)\s*(?P<kind>提供先|移転先)\s*$")
# Lines that end a plain-text table: a section heading or an attachment heading.
_SECTION_END = re.compile(r"^\s*(?:[IVⅠⅡⅢⅣⅤⅥ]+\s+\S|[(（]別添)")
# Levels of a department that need the next part to name a department (局 of 局 + 課).
_CONTAINER_LEVELS = {"局", "部", "本部", "事務所", "区役所", "市役所"}
_CLOSING_TAIL = re.compile(r"(?:課|室|係|班|署|所|校|館|院|園|会|センター|グループ|総室)$")
# Words that mark a checkbox or a row of the change table, never a table row.
_TAB = "\t"
_ROW_NUMBER = re.compile(r"^(\d{1,6})(?:\s+(.*))?$")


@dataclass
class AnnexRow:
    """One row of a 別紙 as written: several recipients and several items stay together here."""

    number: str | None  # the running number as written (ASCII digits), None when there is none
    recipient_text: str
    items: list[str]  # as cited, ASCII digits ("36の2"); empty when the cell is blank
    purpose: str
    start: int
    end: int
    recipients: list[str] = field(default_factory=list)


@dataclass
class AnnexTable:
    """One 別紙 (or one sub-table of it, e.g. 別表第一 of a 条例) with its rows."""

    annex: str | None  # "別紙1"; None when no title could be found for it
    title: str  # the title as written after "(別紙N)", "" when none
    subheading: str  # "別表第一（第3条関係）" or ""
    kind: str  # "provision" (提供先) or "transfer" (移転先)
    header_line: int
    rows: list[AnnexRow] = field(default_factory=list)

    @property
    def citation_text(self) -> str:
        """The words that name the table the rows cite: the title, then the sub-table."""
        return " ".join(t for t in (self.title, self.subheading) if t)

    @property
    def table_written(self) -> str | None:
        """The table as written (別表第二, 主務省令第2条の表, 別表第一)."""
        return table_as_written(self.subheading) or table_as_written(self.title)

    @property
    def canonical_table(self) -> str | None:
        """The canonical label of the cited table; a sub-table of a 条例 gets that 条例's name."""
        if self.subheading and not table_as_written(self.title):
            law = law_in_title(self.title)
            if law:
                return canonical_table_label(law + table_as_written(self.subheading))
        return canonical_table_label(self.citation_text)


def join_wrapped(lines: list[str]) -> str:
    """Lines of one wrapped cell as one text: Japanese wraps anywhere, so no space is added."""
    parts = [ln.strip().strip("\u3000") for ln in lines if ln.strip()]
    out = ""
    for part in parts:
        if out and re.search(r"[A-Za-z0-9]$", out) and re.match(r"[A-Za-z0-9]", part):
            out += " "
        out += part
    return out


def split_departments(text: str) -> list[str]:
    """The departments named in one cell, one each: "健康づくり課 保健センター" → two.

    Parts are separated by spaces, line breaks or 、. A part that ends in an upper level
    (局, 部, 事務所, 区役所) or in no unit word at all (a wrapped line) is joined with the next,
    so "保健福祉長寿局保健衛生医療部 保健予防課" and "各福祉事務所 生活支援課" stay one.
    """
    tokens = [t for t in re.split(r"[\s\u3000、,，]+", nfkc(text)) if t]
    names: list[str] = []
    pending = ""
    for token in tokens:
        pending += token
        level = unit_level(pending)
        if level in _CONTAINER_LEVELS or not _CLOSING_TAIL.search(pending):
            continue
        names.append(pending)
        pending = ""
    if pending:
        names.append(pending)
    return names


def find_annex_tables(src: SourceText) -> list[AnnexTable]:
    """Every 別紙 table of the document, with its rows; tab-separated and plain text alike."""
    lines, folded = src.lines, src.folded_lines
    titles = _titles(src)
    tables: list[AnnexTable] = []
    i = 0
    while i < len(lines):
        header = _tab_header(lines[i])
        if header is not None:
            i = _read_tab_table(src, i, header, titles, tables)
            continue
        m = _PLAIN_HEADER.match(folded[i])
        if m and _plain_header_end(lines, i) is not None:
            i = _read_plain_table(src, i, _kind_of(m["kind"]), titles, tables)
            continue
        i += 1
    _inherit_titles(tables)
    return tables


def _titles(src: SourceText) -> dict[int, tuple[str, str]]:
    """Line number → (別紙N, title) for every 別紙 title line."""
    found = {}
    for number, (line, folded) in enumerate(zip(src.lines, src.folded_lines, strict=True), start=1):
        m = _TITLE.match(folded.replace(_TAB, " "))
        if m:
            found[number] = (f"別紙{m['n']}", line_title(line))
    return found


def line_title(line: str) -> str:
    """The title text of a 別紙 title line as written (without "(別紙N)")."""
    text = re.sub(r"^\s*[(（]\s*別紙\s*[0-9０-９]+\s*[)）]\s*", "", line.replace(_TAB, " "))
    return text.strip()


def _kind_of(cell: str) -> str:
    return "provision" if "提供先" in cell else "transfer"


# --- tab-separated tables ---------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    kind: str
    no: int | None
    recipient: int
    item: int | None
    purpose: int | None


def _tab_header(line: str) -> _Columns | None:
    if _TAB not in line:
        return None
    cells = [compact(clean_cell(c)) for c in cells_of(line)]
    roles: dict[str, int] = {}
    kind = None
    for idx, cell in enumerate(cells):
        if not cell:
            continue
        if _NO.match(cell) and "no" not in roles:
            roles["no"] = idx
        elif _RECIPIENT.match(cell) and "recipient" not in roles:
            roles["recipient"] = idx
            kind = _kind_of(cell)
        elif _PURPOSE_COL.search(cell) and "purpose" not in roles:
            roles["purpose"] = idx
        elif _ITEM_COL.search(cell) and "item" not in roles:
            roles["item"] = idx
    if kind is None or "purpose" not in roles or ("no" not in roles and "item" not in roles):
        return None
    return _Columns(kind, roles.get("no"), roles["recipient"], roles.get("item"), roles["purpose"])


def _cell(cells: list[str], idx: int | None) -> str:
    if idx is None or idx >= len(cells):
        return ""
    return clean_cell(cells[idx])


def _read_tab_table(
    src: SourceText, start: int, cols: _Columns, titles: dict[int, tuple[str, str]], out: list[AnnexTable]
) -> int:
    """Read rows after a header at index ``start``; continue across repeated headers."""
    lines = src.lines
    table = _continuing(out, cols, lines, start)
    i = start + 1
    last = table.rows[-1] if table and table.rows else None
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        cells = cells_of(line)
        key = _cell(cells, cols.no if cols.no is not None else cols.item)
        recipient = _cell(cells, cols.recipient)
        if cols.no is not None and not re.fullmatch(r"\d+", nfkc(key)):
            break
        if cols.no is None and not is_item_list(key):
            break
        if table is None:
            annex, title = _nearest_title(titles, start + 1, lines)
            table = AnnexTable(annex, title, _subheading_before(lines, start), cols.kind, start + 1)
            out.append(table)
        item = _cell(cells, cols.item) if cols.no is not None else key
        purpose = _cell(cells, cols.purpose)
        if not item and purpose:
            # The item label sometimes slides into the purpose cell: "7 児童福祉法による…".
            m = re.match(r"^(\S+)\s+(.+)$", purpose)
            if m and is_item_list(m[1]):
                item, purpose = m[1], m[2]
        if not item and not purpose and last is not None:
            items, purpose = list(last.items), last.purpose
        else:
            items = _items_or_error(src, item, i + 1)
        row = AnnexRow(nfkc(key) if cols.no is not None else None, recipient, items, purpose, i + 1, i + 1)
        table.rows.append(row)
        last = row
        i += 1
    return i if i > start + 1 else start + 1


def _items_or_error(src: SourceText, cell: str, line: int) -> list[str]:
    if not cell.strip():
        return []
    try:
        return split_item_list(cell)
    except NotationError:
        raise LoaderError(f"別紙 row: the item cell {cell!r} is not an item label (項番)", source=src.name, line=line) from None


def _continuing(out: list[AnnexTable], cols: _Columns, lines: tuple[str, ...], start: int) -> AnnexTable | None:
    """The table that a header repeated at a page break continues: same kind, numbering goes on."""
    if not out or out[-1].kind != cols.kind or not out[-1].rows or cols.no is None:
        return None
    last_no = out[-1].rows[-1].number
    for k in range(start + 1, min(len(lines), start + 4)):
        if lines[k].strip():
            first = _cell(cells_of(lines[k]), cols.no)
            if last_no is not None and re.fullmatch(r"\d+", nfkc(first)) and int(nfkc(first)) == int(last_no) + 1:
                return out[-1]
            return None
    return None


def _nearest_title(titles: dict[int, tuple[str, str]], line: int, lines: tuple[str, ...]) -> tuple[str | None, str]:
    """The 別紙 title just above a header (only blank lines or a sub-table heading between)."""
    n = line - 1
    seen = 0
    while n >= 1 and seen < 4:
        if n in titles:
            return titles[n]
        if lines[n - 1].strip():
            seen += 1
        n -= 1
    return None, ""


def _subheading_before(lines: tuple[str, ...], index: int) -> str:
    """A sub-table heading (別表第一（第3条関係）) within the few lines above index."""
    for k in range(index - 1, max(-1, index - 4), -1):
        if table_heading(nfkc(lines[k]).replace(_TAB, " ")):
            return lines[k].strip()
    return ""


# --- plain-text tables ------------------------------------------------------------------


def _plain_header_end(lines: tuple[str, ...], i: int) -> int | None:
    """The index of the header's last line (the 用途 line), or None when it is no header."""
    for k in range(i + 1, min(len(lines), i + 7)):
        text = compact(lines[k])
        if "用途" in text:
            return k
        if text and not re.fullmatch(r"(?:法令上|条例上|の根拠|根拠|項番|法令上の根拠|条例上の根拠)", text):
            return None
    return None


def _read_plain_table(
    src: SourceText, start: int, kind: str, titles: dict[int, tuple[str, str]], out: list[AnnexTable]
) -> int:
    lines = src.lines
    end_header = _plain_header_end(lines, start)
    if end_header is None:  # the caller checked; keep the type checker and readers sure
        return start + 1
    prev = out[-1] if out else None
    # A header repeated at a page break continues the table whose numbering it carries on.
    first_no = _first_row_number(lines, end_header + 1)
    if prev is not None and prev.kind == kind and prev.rows and first_no is not None:
        last_no = prev.rows[-1].number
        if last_no is not None and first_no == int(last_no) + 1:
            table = prev
        else:
            table = None
    else:
        table = None
    if table is None:
        annex, title = _nearest_title(titles, start + 1, lines)
        table = AnnexTable(annex, title, _subheading_before(lines, start), kind, start + 1)
        out.append(table)
    i = end_header + 1
    record: list[tuple[int, str]] = []
    expected = int(table.rows[-1].number) + 1 if table.rows and table.rows[-1].number else 1
    while i < len(lines):
        raw = lines[i]
        text = nfkc(raw).strip()
        if _PLAIN_HEADER.match(text) and _plain_header_end(lines, i) is not None:
            break
        if i + 1 in titles:
            annex, title = titles[i + 1]
            if table.annex is None:
                table.annex, table.title = annex, title
            elif table.annex != annex:
                break
            i += 1
            continue
        if table_heading(text) or _SECTION_END.match(text):
            break
        m = _ROW_NUMBER.match(text)  # a row number, not a digit run
        if m and int(m[1]) == expected and (not record or _record_complete(record)):
            if record:
                table.rows.append(_plain_row(src, record))
            record = [(i + 1, raw)]
            expected += 1
        elif record:
            record.append((i + 1, raw))
        elif text:
            break
        i += 1
    if record:
        table.rows.append(_plain_row(src, record))
    return i


def _first_row_number(lines: tuple[str, ...], i: int) -> int | None:
    for k in range(i, min(len(lines), i + 5)):
        m = re.match(r"^(\d+)(?:\s|$)", nfkc(lines[k]).strip())
        if m:
            return int(m[1])
        if lines[k].strip():
            return None
    return None


def _tokens(record: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """(line, token) for the record's text, first token (the running number) dropped."""
    out: list[tuple[int, str]] = []
    for line, raw in record:
        for tok in SPACES.split(nfkc(raw).strip()):
            if tok:
                out.append((line, tok))
    return out[1:]


def _record_complete(record: list[tuple[int, str]]) -> bool:
    """A row is complete once an item label and some purpose text after it have been read."""
    toks = _tokens(record)
    for k, (_, tok) in enumerate(toks):
        if k > 0 and is_item_list(tok):
            return k + 1 < len(toks)
    return False


def _plain_row(src: SourceText, record: list[tuple[int, str]]) -> AnnexRow:
    """Cut a record into recipient, item and purpose by the first item label after the name."""
    number = re.match(r"^(\d+)", nfkc(record[0][1]).strip())
    toks = _tokens(record)
    cut = next((k for k, (_, tok) in enumerate(toks) if k > 0 and is_item_list(tok)), None)
    if cut is None:
        raise LoaderError(
            "別紙 row without an item label (項番) after its recipient", source=src.name, line=record[0][0]
        )
    # Recipient lines keep their line breaks: they may list several departments.
    recipient_lines: dict[int, list[str]] = {}
    for line, tok in toks[:cut]:
        recipient_lines.setdefault(line, []).append(tok)
    recipient = "\n".join(" ".join(v) for v in recipient_lines.values())
    purpose_lines: dict[int, list[str]] = {}
    for line, tok in toks[cut + 1 :]:
        purpose_lines.setdefault(line, []).append(tok)
    purpose = join_wrapped([" ".join(v) for v in purpose_lines.values()])
    items = split_item_list(toks[cut][1])
    start, end = record[0][0], max(ln for ln, raw in record if raw.strip())
    return AnnexRow(number[1] if number else None, recipient, items, purpose, start, end)


def _inherit_titles(tables: list[AnnexTable]) -> None:
    """A sub-table with no title of its own (別表第二 after 別表第一) belongs to the 別紙 before it."""
    for prev, table in zip(tables, tables[1:], strict=False):
        if table.annex is None and table.subheading and prev.subheading and prev.annex:
            table.annex, table.title = prev.annex, prev.title
