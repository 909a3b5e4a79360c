"""Amendments of the law an assessment cites: real ones known by date, and what-ifs.

An amendment is what makes a correct citation wrong on a given day. Two shapes exist:

- a table renumbering: versions of law tables that cease on the date, each followed by a
  version that takes effect then (2024-05-27: 番号法別表第一 → 番号法別表, 番号法別表第二 →
  主務省令第2条の表); which item became which is the correspondence graph's business;
- an article renumbering: the 号 of an article shift (番号法第19条第7号 → 第8号, 第14号 →
  第15号), so a citation's article text is wrong while its table item is not.

A what-if is the same thing for an amendment that has not happened, read from a small TSV
(``table``, ``old_item``, ``new_item``; an empty ``new_item`` deletes the item) or from a whole
new version of a table in the law TSV format.

The date of the 2021 号 shift is 2021-09-01, firm: 令和3年法律第37号 (デジタル社会の形成を
図るための関係法律の整備に関する法律) 附則第1条 puts its 番号法 別表 amendments in force on
公布の日 (2021-05-19) and its other 番号法 amendments, the shift of 第19条 第7号 to 第8号 among
them, on 2021-09-01 (../shared/law/SOURCES.md, "Revisions not held as tables"; both revisions
are in loaders/law/catalog.toml). The assessments agree: 金沢市 records the change as 事前 on
令和3年6月28日, 静岡市 as 事後 on 令和3年11月29日.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from pia_kg.errors import LoaderError, NotationError, UnknownNameError
from pia_kg.text.citation import canonical_table_label
from pia_kg.text.items import normalize_item_label
from pia_kg.text.legal import REFORM_DATE, table_by_label
from pia_kg.text.widths import compact

__all__ = [
    "TableReplacement",
    "ArticleRenumbering",
    "Amendment",
    "KNOWN_AMENDMENTS",
    "amendment_by_key",
    "WhatIf",
    "read_what_if",
    "LABEL_WHAT_IF_HEADER",
]


@dataclass(frozen=True)
class TableReplacement:
    """A table whose version ceases on the amendment date, and the table that follows it."""

    old_table: str  # canonical label
    new_table: str


@dataclass(frozen=True)
class ArticleRenumbering:
    """One 号 of an article moved: 番号法 第19条 第7号 → 第8号."""

    law: str
    article: str  # "19"
    old_number: str  # "7"
    new_number: str  # "8"
    unit: str = "号"

    @property
    def old_text(self) -> str:
        return f"{self.law}第{self.article}条第{self.old_number}{self.unit}"

    @property
    def new_text(self) -> str:
        return f"{self.law}第{self.article}条第{self.new_number}{self.unit}"

    def pattern(self) -> re.Pattern[str]:
        """Matches the old text in NFKC-compacted citation text, not as part of a longer 号."""
        return re.compile(
            rf"{re.escape(self.law)}第{self.article}条(?:第\d+項)?第{self.old_number}{self.unit}"
        )


@dataclass(frozen=True)
class Amendment:
    """An amendment known by the date it took effect (its key)."""

    key: str
    date: dt.date
    title: str
    tables: tuple[TableReplacement, ...] = ()
    articles: tuple[ArticleRenumbering, ...] = ()
    note: str = ""


KNOWN_AMENDMENTS: dict[str, Amendment] = {
    a.key: a
    for a in (
        Amendment(
            REFORM_DATE.isoformat(),
            REFORM_DATE,
            "番号法別表第一/第二 → 番号法別表 and 主務省令第2条の表 (令和5年法律第48号)",
            tables=(
                TableReplacement("番号法別表第一", "番号法別表"),
                TableReplacement("番号法別表第二", "主務省令第2条の表"),
            ),
        ),
        Amendment(
            "2021-09-01",
            dt.date(2021, 9, 1),
            "番号法第19条の号ずれ: 第7号 → 第8号, 第14号 → 第15号 (令和3年法律第37号)",
            articles=(
                ArticleRenumbering("番号法", "19", "7", "8"),
                ArticleRenumbering("番号法", "19", "14", "15"),
            ),
            note="施行日 2021-09-01 by 令和3年法律第37号 附則第1条 (loaders/law/catalog.toml)",
        ),
    )
}


def amendment_by_key(key: str) -> Amendment:
    """The known amendment ``key`` (its date, YYYY-MM-DD); UnknownNameError lists the others."""
    try:
        return KNOWN_AMENDMENTS[key.strip()]
    except KeyError:
        raise UnknownNameError("amendment", key, KNOWN_AMENDMENTS) from None


LABEL_WHAT_IF_HEADER = ("table", "old_item", "new_item")


@dataclass
class WhatIf:
    """A hypothetical renumbering: per table, old label → new label (None: deleted).

    ``law_tsv`` is set instead when the what-if is a whole new table version in the law TSV
    format; the report then derives the correspondence from the tables.
    """

    source: str
    mapping: dict[str, dict[str, str | None]] = field(default_factory=dict)
    law_tsv: Path | None = None
    table: str | None = None  # canonical label of the table a law TSV replaces


def read_what_if(path: str | Path, *, table: str | None = None) -> WhatIf:
    """Read a what-if file: a label TSV (table, old_item, new_item) or a law table TSV.

    A law TSV (header starting ``item``) says nothing about which table it is a new version
    of: ``table`` names it (a canonical or written label); without it a ``use`` layout means
    番号法別表 and a ``provision`` layout 主務省令第2条の表, the tables in force now.

    Raises LoaderError (file and line) for a wrong header, an unknown table or a bad label.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaderError(f"cannot read the what-if file: {exc}", source=p) from None
    lines = text.splitlines()
    if not lines:
        raise LoaderError("the what-if file is empty", source=p)
    header = tuple(c.strip() for c in lines[0].split("\t"))
    if header and header[0] == "item":
        chosen = _table_label(table, p, 1) if table else ("番号法別表" if len(header) == 3 else "主務省令第2条の表")
        return WhatIf(source=str(p), law_tsv=p, table=chosen)
    if header[:3] != LABEL_WHAT_IF_HEADER:
        raise LoaderError(
            f"the first line must be the header {' / '.join(LABEL_WHAT_IF_HEADER)} "
            "(tab-separated), or a law table TSV header starting with 'item'",
            source=p,
            line=1,
        )
    what_if = WhatIf(source=str(p))
    for n, row in enumerate(csv.reader(lines[1:], delimiter="\t"), start=2):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) < 2:
            raise LoaderError("expected table, old_item and new_item", source=p, line=n)
        label = _table_label(row[0], p, n)
        old = _item(row[1], p, n)
        new = _item(row[2], p, n) if len(row) > 2 and row[2].strip() else None
        what_if.mapping.setdefault(label, {})[old] = new
    if not what_if.mapping:
        raise LoaderError("the what-if file has no renumbering rows", source=p)
    return what_if


def _table_label(written: str, path: Path, line: int) -> str:
    label = canonical_table_label(written)
    if label is None or table_by_label(label) is None:
        raise LoaderError(f"{written!r} names no known law table", source=path, line=line)
    return label


def _item(written: str, path: Path, line: int) -> str:
    try:
        return normalize_item_label(compact(written))
    except NotationError:
        raise LoaderError(
            f"{written!r} is not an item label (e.g. 56 or 36の2)", source=path, line=line
        ) from None
