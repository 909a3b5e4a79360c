"""Read law tables out of e-Gov 法令標準XML, bare or wrapped in a 法令API v2 response.

What users have is e-Gov, not our TSVs: this reader turns the 別表 of 番号法 (別表第一,
別表第二, or the single 別表 from 2024-05-27) into the same TableVersion the TSV reader
gives, so everything downstream is indifferent to where a table came from. A test holds
the two readers to the same items for the 2021 tables.

Accepted inputs (the 法令API v2 ``GET /law_data/{id}`` response shapes, per its OpenAPI
schema ``law_data_response``: ``law_info``, ``revision_info``, ``law_full_text``):

- a bare ``<Law>`` document (what e-Gov's bulk download and the elaws mirrors hold);
- ``response_format=xml``: ``<law_data_response>`` with ``<law_info><law_id>``,
  ``<revision_info><law_revision_id>`` and ``<law_full_text><Law>…``;
- ``response_format=json``: an object whose ``law_full_text`` is the XML as a base64 string
  (``law_full_text_format=xml``), as a plain XML string, or the JSON tree
  ``{"tag", "attr", "children"}`` (``law_full_text_format=json``).

Table layout in 法令標準XML: ``AppdxTable/AppdxTableTitle`` names the table,
``TableStruct/Table/TableRow/TableColumn`` holds cells, ``rowspan`` merges the 照会者 and
事務 cells of a 別表第二 item over its 提供者 rows. The first cell starts with the item
number in 漢数字 (``三十六の二　市町村長``); ``Ruby/Rt`` readings are dropped.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pia_kg.errors import LoaderError
from pia_kg.loaders.law.catalog import entry_for_raw_file, entry_for_revision
from pia_kg.loaders.law.model import ProviderEntry, TableItem, TableVersion
from pia_kg.text.citation import canonical_table_label
from pia_kg.text.items import normalize_item_label
from pia_kg.text.legal import LawTable, table_by_label
from pia_kg.text.numerals import KANJI_DIGITS

__all__ = [
    "LawDocument",
    "parse_law_document",
    "read_law_document",
    "appendix_tables",
    "AppendixTable",
    "table_versions_from_document",
    "read_egov_tables",
]

_DELETED = "削除"
# The item number and the 機関 are separated by a 全角 space in the first cell.
_FIRST_CELL = re.compile(
    rf"^(?P<label>[{KANJI_DIGITS}]+(?:の[{KANJI_DIGITS}]+)*)[\s\u3000]+(?P<rest>.*)$",
    re.S,
)
_REVISION_DATE = re.compile(r"^[0-9A-Za-z]+_(?P<d>\d{8})_")


@dataclass
class LawDocument:
    """One law's full text and what its wrapping said about it (all optional when bare)."""

    law: ET.Element
    source: str
    law_id: str = ""
    revision_id: str = ""
    enforcement_date: dt.date | None = None
    law_title: str = ""

    @property
    def law_num(self) -> str:
        return _text(self.law.find("LawNum"))


def read_law_document(path: str | Path) -> LawDocument:
    """Read an e-Gov XML file or API response saved to ``path``; LoaderError if unreadable."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise LoaderError(f"cannot read: {exc.strerror or exc}", source=p) from None
    return parse_law_document(data, source=p.name)


def parse_law_document(data: bytes, *, source: str) -> LawDocument:
    """Parse any accepted shape (see module docstring) into a LawDocument.

    Raises LoaderError naming ``source`` when the bytes are none of those shapes, or when
    they declare a DTD or entities (never needed by e-Gov; refused so a hostile download
    cannot expand entities).
    """
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return _from_json(data, source)
    root = _parse_xml(data, source)
    if root.tag == "Law":
        return LawDocument(root, source)
    if root.tag == "law_data_response":
        law = root.find("law_full_text/Law")
        if law is None:
            raise LoaderError("law_data_response without law_full_text/Law", source=source)
        return LawDocument(
            law,
            source,
            law_id=_text(root.find("law_info/law_id")),
            revision_id=_text(root.find("revision_info/law_revision_id")),
            enforcement_date=_date(_text(root.find("revision_info/amendment_enforcement_date"))),
            law_title=_text(root.find("revision_info/law_title")),
        )
    raise LoaderError(
        f"root element <{root.tag}> is neither <Law> nor <law_data_response>", source=source
    )


def _parse_xml(data: bytes, source: str) -> ET.Element:
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise LoaderError("XML with a DTD or entity declarations is refused", source=source)
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise LoaderError(f"not well-formed XML: {exc}", source=source, line=line) from None


def _from_json(data: bytes, source: str) -> LawDocument:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoaderError(f"not valid JSON: {exc}", source=source) from None
    if isinstance(payload, dict) and "law_data_response" in payload:
        payload = payload["law_data_response"]
    if not isinstance(payload, dict) or "law_full_text" not in payload:
        raise LoaderError(
            "JSON without law_full_text: not a 法令API v2 law_data response", source=source
        )
    full = payload["law_full_text"]
    if isinstance(full, str):
        text = full.lstrip()
        if not text.startswith("<"):
            try:
                text = base64.b64decode(full, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise LoaderError(
                    "law_full_text is neither XML nor base64 XML", source=source
                ) from None
        law = _parse_xml(text.encode("utf-8"), source)
    elif isinstance(full, dict):
        law = _from_json_tree(full, source)
    else:
        raise LoaderError(f"law_full_text of unexpected type {type(full).__name__}", source=source)
    if law.tag != "Law":
        found = law.find(".//Law")
        if found is None:
            raise LoaderError("law_full_text holds no <Law>", source=source)
        law = found
    law_info = payload.get("law_info") or {}
    revision = payload.get("revision_info") or {}
    return LawDocument(
        law,
        source,
        law_id=str(law_info.get("law_id") or ""),
        revision_id=str(revision.get("law_revision_id") or ""),
        enforcement_date=_date(str(revision.get("amendment_enforcement_date") or "")),
        law_title=str(revision.get("law_title") or ""),
    )


def _from_json_tree(node: dict[str, Any], source: str) -> ET.Element:
    """The API's JSON form of the XML (``{"tag", "attr", "children"}``) back to an Element."""
    tag = node.get("tag")
    if not isinstance(tag, str):
        raise LoaderError("law_full_text JSON node without a tag", source=source)
    element = ET.Element(tag, {k: str(v) for k, v in (node.get("attr") or {}).items()})
    last: ET.Element | None = None
    for child in node.get("children") or []:
        if isinstance(child, str):
            if last is None:
                element.text = (element.text or "") + child
            else:
                last.tail = (last.tail or "") + child
        elif isinstance(child, dict):
            last = _from_json_tree(child, source)
            element.append(last)
    return element


def _text(element: ET.Element | None) -> str:
    """The text of an element as read: Ruby readings (Rt) dropped, sentences joined."""
    if element is None:
        return ""
    parts: list[str] = []

    def walk(e: ET.Element) -> None:
        if e.tag == "Rt":
            return
        if e.text:
            parts.append(e.text)
        for child in e:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(element)
    return re.sub(r"\s*\n\s*", "", "".join(parts)).strip()


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


@dataclass
class AppendixTable:
    """One ``AppdxTable``: its title and its rows with rowspans resolved.

    ``rows[i][j]`` is the text of column j in row i; ``spanned[i][j]`` is True where the
    cell continues a rowspan from an earlier row (so the row is a further line of the same
    item). ``row_numbers`` are 1-based rows of the table, for messages.
    """

    title: str
    rows: list[list[str]] = field(default_factory=list)
    spanned: list[list[bool]] = field(default_factory=list)


def appendix_tables(document: LawDocument) -> list[AppendixTable]:
    """Every AppdxTable of the law with a TableStruct, rowspans resolved."""
    tables: list[AppendixTable] = []
    for appdx in document.law.iter("AppdxTable"):
        title = _text(appdx.find("AppdxTableTitle"))
        for table in appdx.iter("Table"):
            tables.append(_grid(title, table, document.source))
    return tables


def _grid(title: str, table: ET.Element, source: str) -> AppendixTable:
    out = AppendixTable(title)
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still covered)
    for row in table.findall("TableRow"):
        cells: list[str] = []
        spanned: list[bool] = []
        columns = iter(row.findall("TableColumn"))
        col = 0
        while True:
            if col in pending:
                text, left = pending[col]
                cells.append(text)
                spanned.append(True)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1
                continue
            column = next(columns, None)
            if column is None:
                if any(c >= col for c in pending):
                    col += 1
                    continue
                break
            text = _text(column)
            span = _int_attr(column, "rowspan", source)
            for offset in range(_int_attr(column, "colspan", source)):
                cells.append(text)
                spanned.append(False)
                if span > 1:
                    pending[col + offset] = (text, span - 1)
            col += _int_attr(column, "colspan", source)
        out.rows.append(cells)
        out.spanned.append(spanned)
    return out


def _int_attr(element: ET.Element, name: str, source: str) -> int:
    raw = element.get(name, "1")
    try:
        value = int(raw)
    except ValueError:
        raise LoaderError(f"TableColumn {name}={raw!r} is not a number", source=source) from None
    return max(value, 1)


def _law_name(document: LawDocument) -> str:
    """番号法 for 425AC0000000027, else the law number, so legal.py can name the table."""
    title = _text(document.law.find("LawBody/LawTitle"))
    if "番号の利用等に関する法律" in title and "命令" not in title:
        return "番号法"
    return document.law_num or title


def _table_for(title: str, law_name: str) -> LawTable | None:
    head = re.split(r"[（(]", title, maxsplit=1)[0]
    label = canonical_table_label(law_name + head, default_law=law_name)
    return table_by_label(label) if label else None


def _items(grid: AppendixTable, table: LawTable, source: str) -> list[TableItem]:
    provision = table.kind == "provision"
    items: list[TableItem] = []
    providers: list[ProviderEntry] = []

    def flush() -> None:
        if providers and items:
            items[-1] = TableItem(
                items[-1].label,
                items[-1].agency,
                items[-1].jimu,
                tuple(providers),
                items[-1].deleted,
            )
        providers.clear()

    for number, (cells, spanned) in enumerate(zip(grid.rows, grid.spanned, strict=True), start=1):
        first = cells[0] if cells else ""
        if provision and spanned and spanned[0]:
            if len(cells) < 4:
                raise LoaderError(
                    f"{grid.title} row {number}: {len(cells)} cells, expected 4", source=source
                )
            providers.append(ProviderEntry(cells[2], cells[3]))
            continue
        m = _FIRST_CELL.match(first)
        if not m:
            if number == 1 and not items:  # the header row (情報照会者 / 事務 / …)
                continue
            raise LoaderError(
                f"{grid.title} row {number}: first cell {first[:30]!r} does not start with an item number",
                source=source,
            )
        flush()
        label = normalize_item_label(m["label"])
        rest = m["rest"].strip()
        if rest == _DELETED and not any(cells[1:]):
            items.append(TableItem(label, "", "", deleted=True))
            continue
        if provision:
            if len(cells) < 4:
                raise LoaderError(
                    f"{grid.title} row {number}: {len(cells)} cells, expected 4", source=source
                )
            items.append(TableItem(label, rest, cells[1]))
            providers.append(ProviderEntry(cells[2], cells[3]))
        else:
            items.append(TableItem(label, rest, cells[1] if len(cells) > 1 else ""))
    flush()
    return items


def table_versions_from_document(document: LawDocument) -> list[TableVersion]:
    """One TableVersion per known 別表 in ``document`` (unknown appendix tables are skipped).

    The version's identity and interval come from the catalogue when the revision is one it
    knows (by the API's ``law_revision_id``, or by the raw file's name); otherwise from the
    response's ``amendment_enforcement_date`` (or the date in the revision id), with no end:
    :func:`~pia_kg.loaders.law.catalog.find_law_tables` closes it at the next version held.
    Raises LoaderError when the revision cannot be dated at all.
    """
    law_name = _law_name(document)
    versions: list[TableVersion] = []
    for grid in appendix_tables(document):
        table = _table_for(grid.title, law_name)
        if table is None:
            continue
        version = _version_for(document, table)
        version.items = _items(grid, table, document.source)
        versions.append(version)
    return versions


def _version_for(document: LawDocument, table: LawTable) -> TableVersion:
    entry = None
    if document.revision_id:
        entry = entry_for_revision(table.key, document.revision_id)
    else:
        entry = entry_for_raw_file(document.source, table.key)
    if entry is not None:
        return entry.empty_version(document.source)
    start = document.enforcement_date
    if start is None and document.revision_id:
        m = _REVISION_DATE.match(document.revision_id)
        start = _date(f"{m['d'][:4]}-{m['d'][4:6]}-{m['d'][6:]}") if m else None
    if start is None:
        raise LoaderError(
            "cannot tell which revision this XML is (bare <Law> without revision info); "
            "fetch it with `pia-kg law fetch` or use a file the catalogue knows",
            source=document.source,
        )
    return TableVersion(
        table=table,
        version_key=start.isoformat(),
        in_force_from=start,
        in_force_to=None,
        revision_id=document.revision_id,
        source=document.source,
        note=(
            f"Read from e-Gov 法令XML ({document.source}); in force from the revision's "
            "施行日 until the next version held."
        ),
    )


def read_egov_tables(path: str | Path) -> list[TableVersion]:
    """The known 別表 versions in the e-Gov XML file or API response at ``path``."""
    return table_versions_from_document(read_law_document(path))
