"""Read one law table TSV (the files in ``../shared/law``) into a TableVersion.

The files are described in that folder's ``SOURCES.md``: one header line, the item label in
ASCII digits (``36の2``), law text kept as written. Three layouts exist (see
:class:`~pia_kg.loaders.law.catalog.CatalogueEntry`): ``use`` tables (one line per item),
``provision`` tables (one line per 情報提供者, the 照会者 and 事務 repeated) and ordinance
``detail`` tables (one line per 号, with the 別表 item it details). What a file *is* (table,
version, interval) comes from the catalogue, never from this module.

Input is checked rather than trusted: a wrong header, a label that is not an item label, an
item split over non-adjacent lines, or an item whose repeated 照会者/事務 disagree raises
LoaderError naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pia_kg.errors import LawDataError, LoaderError, NotationError
from pia_kg.loaders.documents.source import SourceText
from pia_kg.loaders.law.catalog import CatalogueEntry, entry_for_file
from pia_kg.loaders.law.model import ProviderEntry, TableItem, TableVersion
from pia_kg.text.items import normalize_item_label

__all__ = ["DetailItem", "read_law_tsv", "tsv_line_span", "DELETED_MARK"]

DELETED_MARK = "削除"

_HEADERS = {
    "use": ("item", "行政機関等（上欄）", "事務（下欄）"),
    "provision": ("item", "情報照会者", "事務", "情報提供者", "特定個人情報"),
    "detail": (
        "article",
        "paragraph",
        "beppyo_item",
        "go(号)",
        "jimu_or_item_text",
        "paragraph_lead_sentence(first row only)",
        "info_text(ord7 col2 + subitems)",
    ),
}


@dataclass(frozen=True)
class DetailItem(TableItem):
    """One 号 of an ordinance that details an item of 別表第一/第二.

    ``label`` is the provision's address in ASCII digits (``第21条の2第2項第1号``);
    ``details_label`` the 別表 item it details (``24``), "" for provisions that detail none
    (a deleted article, the closing general article); ``details_table`` and
    ``details_version`` the version holding that item (the catalogue's choice, refined by
    :func:`~pia_kg.loaders.law.catalog.find_law_tables` when another held version has it). The ordinance's 特定個人情報 column
    (H26 ordinance 7 only) is a provider entry without a provider, the ordinance naming
    the information but leaving the 提供者 to the 別表 item. ``lead`` is the paragraph's lead sentence,
    which, for a paragraph without 号, is itself the text of the 事務.
    """

    details_label: str = ""
    details_table: str = ""  # table key of the detailed 別表, e.g. bango-beppyo1
    details_version: str = ""  # its version key that holds details_label
    lead: str = ""
    address: tuple[int, ...] = ()

    @property
    def sort_key(self) -> tuple[int, ...]:
        return self.address


def read_law_tsv(path: str | Path, entry: CatalogueEntry | None = None) -> TableVersion:
    """Read the law table TSV at ``path``; ``entry`` defaults to the catalogue's for its name.

    Raises LawDataError when the file is not in the catalogue (its table and version would be
    unknown), LoaderError when it is unreadable or malformed.
    """
    p = Path(path)
    entry = entry or entry_for_file(p.name)
    if entry is None:
        raise LawDataError(
            f"{p}: not a known law table file; pia-kg reads the files listed in "
            "pia_kg.loaders.law.catalog.CATALOGUE (see ../shared/law/SOURCES.md)"
        )
    text = SourceText.read(p)
    rows = _rows(text, entry)
    version = entry.empty_version(p.name)
    if entry.layout == "detail":
        version.items = _detail_items(rows, text, entry.details or ("", ""))
    else:
        reader = {"use": _use_items, "provision": _provision_items}
        version.items = reader[entry.layout](rows, text)
    return version


def tsv_line_span(item: TableItem) -> tuple[int, int] | None:
    """The first and last TSV line of ``item`` (a provision item takes one line per 提供者)."""
    if item.source_line is None:
        return None
    return item.source_line, item.source_line + max(len(item.providers), 1) - 1


def _rows(text: SourceText, entry: CatalogueEntry) -> list[tuple[int, list[str]]]:
    expected = _HEADERS[entry.layout]
    header = tuple(text.line(1).split("\t"))
    if header != expected:
        raise LoaderError(
            f"header {header!r} is not the {entry.layout} layout {expected!r}",
            source=text.path,
            line=1,
        )
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.lines[1:], start=2):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) != len(expected):
            raise LoaderError(
                f"{len(cells)} columns, expected {len(expected)}", source=text.path, line=number
            )
        rows.append((number, cells))
    if not rows:
        raise LoaderError("no rows after the header", source=text.path, line=1)
    return rows


def _label(raw: str, text: SourceText, line: int) -> str:
    try:
        label = normalize_item_label(raw)
    except NotationError:
        raise LoaderError(f"{raw!r} is not an item label", source=text.path, line=line) from None
    if label != raw:
        raise LoaderError(
            f"item label {raw!r} is not in the table form {label!r}", source=text.path, line=line
        )
    return label


def _is_deleted(cells: list[str]) -> bool:
    return cells[1] == DELETED_MARK and not any(cells[2:])


def _use_items(rows: list[tuple[int, list[str]]], text: SourceText) -> list[TableItem]:
    items: list[TableItem] = []
    seen: set[str] = set()
    for line, cells in rows:
        label = _label(cells[0], text, line)
        if label in seen:
            raise LoaderError(f"item {label} appears twice", source=text.path, line=line)
        seen.add(label)
        if _is_deleted(cells):
            items.append(TableItem(label, "", "", deleted=True, source_line=line))
        else:
            items.append(TableItem(label, cells[1], cells[2], source_line=line))
    return items


def _provision_items(rows: list[tuple[int, list[str]]], text: SourceText) -> list[TableItem]:
    # Lines of one item are adjacent; (label, first line, agency, jimu, providers)
    groups: list[tuple[str, int, list[str], list[ProviderEntry]]] = []
    seen: set[str] = set()
    for line, cells in rows:
        label = _label(cells[0], text, line)
        if groups and groups[-1][0] == label:
            first = groups[-1][2]
            if cells[1:3] != first[1:3]:
                raise LoaderError(
                    f"item {label}: 情報照会者/事務 differ from the item's first line "
                    f"{groups[-1][1]}",
                    source=text.path,
                    line=line,
                )
            groups[-1][3].append(ProviderEntry(cells[3], cells[4]))
            continue
        if label in seen:
            raise LoaderError(
                f"item {label} appears again after other items", source=text.path, line=line
            )
        seen.add(label)
        providers = [] if _is_deleted(cells) else [ProviderEntry(cells[3], cells[4])]
        groups.append((label, line, cells, providers))
    items: list[TableItem] = []
    for label, line, cells, providers in groups:
        if _is_deleted(cells):
            items.append(TableItem(label, "", "", deleted=True, source_line=line))
        else:
            items.append(TableItem(label, cells[1], cells[2], tuple(providers), source_line=line))
    return items


def _number(token: str) -> str:
    """``二十一の二`` / ``２`` → ``21の2`` / ``2``: a provision number in ASCII digits."""
    return normalize_item_label(token)


def _pad(number: str, width: int) -> tuple[int, ...]:
    """``21の2`` → (21, 2, 0): fixed width so 第21条 sorts before 第21条の2."""
    parts = [int(p) for p in number.split("の")]
    return tuple(parts + [0] * (width - len(parts)))


def _detail_items(
    rows: list[tuple[int, list[str]]], text: SourceText, details: tuple[str, str]
) -> list[TableItem]:
    items: list[TableItem] = []
    seen: set[str] = set()
    for line, (article, paragraph, beppyo_item, go, jimu, lead, info) in rows:
        try:
            article_no = _number(article.removeprefix("第").replace("条", "", 1))
            paragraph_no = _number(paragraph) if paragraph else "1"
            go_no = _number(go) if go else ""
        except NotationError as exc:
            raise LoaderError(
                f"bad article/paragraph/号: {exc}", source=text.path, line=line
            ) from None
        main, _, branch = article_no.partition("の")
        label = f"第{main}条" + (f"の{branch}" if branch else "") + f"第{paragraph_no}項"
        label += f"第{go_no}号" if go_no else ""
        if label in seen:
            raise LoaderError(f"provision {label} appears twice", source=text.path, line=line)
        seen.add(label)
        detail_label = _label(beppyo_item, text, line) if beppyo_item else ""
        deleted = lead == DELETED_MARK and not (jimu or info or beppyo_item)
        address = _pad(article_no, 3) + (int(paragraph_no),) + _pad(go_no or "0", 2)
        items.append(
            DetailItem(
                label=label,
                agency="",
                # A paragraph without 号 states its 事務 in the lead sentence itself.
                jimu="" if deleted else (jimu or lead),
                deleted=deleted,
                source_line=line,
                details_label=detail_label,
                details_table=details[0] if detail_label else "",
                details_version=details[1] if detail_label else "",
                providers=(ProviderEntry("", info),) if info and not deleted else (),
                lead=lead if not deleted else "",
                address=address,
            )
        )
    return items
