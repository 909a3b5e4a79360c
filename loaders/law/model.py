"""Law tables in memory: versions of a table and their items, before they become RDF.

Readers (TSV, e-Gov 法令XML) produce these; the RDF writer and the correspondence
derivation consume them. A version's ``in_force_to`` is exclusive (the day the next
version took effect), None while it is still in force.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pia_kg.text.items import item_sort_key
from pia_kg.text.legal import LawTable

__all__ = ["ProviderEntry", "TableItem", "TableVersion"]


@dataclass(frozen=True)
class ProviderEntry:
    """One 情報提供者 of a 別表第二-type item, with the 特定個人情報 it provides."""

    provider: str
    information: str


@dataclass(frozen=True)
class TableItem:
    label: str  # "36の2", ASCII digits
    agency: str  # 行政機関等 (上欄) or 情報照会者; "" when deleted
    jimu: str  # 事務 (下欄); "" when deleted
    providers: tuple[ProviderEntry, ...] = ()
    deleted: bool = False
    source_line: int | None = None  # first line of the item in its source file

    @property
    def sort_key(self) -> tuple[int, ...]:
        return item_sort_key(self.label)


@dataclass
class TableVersion:
    table: LawTable
    version_key: str  # e.g. "2024-05-18" or "2020-12-12"; an IRI segment
    in_force_from: dt.date
    in_force_to: dt.date | None
    revision_id: str  # e-Gov revision id, e.g. 425AC0000000027_20240518_503AC0000000039
    source: str  # file the version was read from (name or URL)
    items: list[TableItem] = field(default_factory=list)
    note: str = ""  # e.g. how sure the in-force interval is

    def item(self, label: str) -> TableItem | None:
        return next((i for i in self.items if i.label == label), None)

    def in_force_on(self, date: dt.date) -> bool:
        return self.in_force_from <= date and (self.in_force_to is None or date < self.in_force_to)
