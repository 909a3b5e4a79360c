"""Renumberings that assessments record in their own change history (変更箇所).

When a law table is renumbered, bodies update their assessments and the 変更箇所 row shows the
citation before and after: "別表第1の項番56" → "別表第1の項番80", "番号法第19条第8号 別表第2の87"
→ "主務省令第2の表 第106項". Such a row is evidence for a correspondence, not proof: the seeds show
rows that contradict the tables (金沢市 moved 児童手当 from 別表第1 56 to 80, an item that was
never 児童手当). So this module only extracts what a row claims; the correspondence derivation
checks each claim against the tables and keeps a contradicted one as a finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from rdflib import Graph

from pia_kg.text.citation import find_table_items, labels_in_parentheses, recipient_items
from pia_kg.text.legal import REFORM_DATE
from pia_kg.text.wareki import wareki_to_date
from pia_kg.vocab import DCTERMS, PIA, RDF

__all__ = [
    "RecordedRenumbering",
    "renumberings_in_change",
    "recorded_from_graph",
    "recorded_from_changes",
    "ChangeText",
    "applies_to",
    "unique",
]


@dataclass(frozen=True)
class RecordedRenumbering:
    """One citation change an assessment records: (old table, old item) → (new table, new item).

    Tables are canonical labels (番号法別表第一, 主務省令第2条の表). ``source`` says where the row
    is (``001_57af33314b6a26f0.txt#L440``); ``note`` says how the tables were read when a text
    does not name them.
    """

    old_table: str
    old_label: str
    new_table: str
    new_label: str
    source: str = ""
    date: dt.date | None = None
    note: str = ""


def _citations(
    text: str, *, date: dt.date | None, default_table: str | None
) -> tuple[list[tuple[str, str]], str]:
    """The (table, item) pairs a change text cites, in order, and a note on how they were read."""
    found = find_table_items(text)
    if found:
        return found, ""
    rows = recipient_items(text)
    if rows and date is not None:
        provision = date < REFORM_DATE
        kinds = {
            ("提供先", True): "番号法別表第二",
            ("移転先", True): "番号法別表第一",
            ("提供先", False): "主務省令第2条の表",
            ("移転先", False): "番号法別表",
        }
        note = "table inferred from 【提供先】/【移転先】 and the change date"
        return [(kinds[(kind, provision)], label) for kind, label in rows], note
    if default_table:
        labels = labels_in_parentheses(text)
        return [(default_table, x) for x in labels], f"table {default_table} given by the caller"
    return [], ""


def renumberings_in_change(
    before: str,
    after: str,
    *,
    date: dt.date | None = None,
    source: str = "",
    default_table: str | None = None,
) -> list[RecordedRenumbering]:
    """The renumberings one 変更箇所 row claims, from its 変更前/変更後 texts.

    Citations are paired in order, and only when both texts cite the same number of items:
    a row that adds or drops an item says nothing about which became which, and pairing it
    anyway would invent a correspondence. A pair whose item did not change is not a
    renumbering and is left out. ``default_table`` (canonical label) reads bare lists such as
    "(74、75の項)" in texts that do not name their table; without it they are ignored.
    """
    claims = _claims(before, after, date, default_table)
    return [replace(r, source=source) for r in claims] if source else list(claims)


# A body's documents repeat the same 変更箇所 rows, and a worker reads document after
# document: what a row's texts claim is a pure function of them, kept here once.
@lru_cache(maxsize=1 << 12)
def _claims(
    before: str, after: str, date: dt.date | None, default_table: str | None
) -> tuple[RecordedRenumbering, ...]:
    old, note_old = _citations(before, date=date, default_table=default_table)
    new, note_new = _citations(after, date=date, default_table=default_table)
    if not old or len(old) != len(new):
        return ()
    note = "; ".join(sorted({n for n in (note_old, note_new) if n}))
    return tuple(
        RecordedRenumbering(ot, ol, nt, nl, date=date, note=note)
        for (ot, ol), (nt, nl) in zip(old, new, strict=True)
        if (ot, ol) != (nt, nl)
    )


@dataclass(frozen=True)
class ChangeText:
    """What a pia:ChangeRecord says: its 変更前 and 変更後 texts, its date (a date, or the
    text it was written as) and its ``pia:source``."""

    record: str
    before: str
    after: str
    date: object = None
    source: str | None = None


def recorded_from_changes(
    changes: Iterable[ChangeText], *, default_table: str | None = None
) -> list[RecordedRenumbering]:
    """Every renumbering claimed by ``changes``; a record's ``source`` (file#lines), or else
    the record itself, becomes the renumbering's source."""
    out: list[RecordedRenumbering] = []
    for c in changes:
        out.extend(
            renumberings_in_change(
                c.before,
                c.after,
                date=_as_date(c.date),
                source=c.source if c.source is not None else c.record,
                default_table=default_table,
            )
        )
    return sorted(out, key=lambda r: (r.source, r.old_table, r.old_label))


def recorded_from_graph(
    graph: Graph, *, default_table: str | None = None
) -> list[RecordedRenumbering]:
    """Every renumbering claimed by the pia:ChangeRecord nodes of ``graph`` (see docs/model.md).

    The record's ``pia:source`` (file#lines) becomes the renumbering's source.
    """
    changes = []
    for node in graph.subjects(RDF.type, PIA.ChangeRecord):
        before = graph.value(node, PIA.before)
        after = graph.value(node, PIA.after)
        if before is None or after is None:
            continue
        raw_date = graph.value(node, DCTERMS.date)
        source = graph.value(node, PIA.source)
        changes.append(
            ChangeText(
                str(node),
                str(before),
                str(after),
                raw_date.toPython() if raw_date is not None else None,
                str(source) if source is not None else None,
            )
        )
    return recorded_from_changes(changes, default_table=default_table)


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return wareki_to_date(value)
    return None


def applies_to(
    record: RecordedRenumbering, old_table: str, old_from: dt.date, new_table: str
) -> bool:
    """Whether ``record`` speaks about the version pair (old table from ``old_from``) → new table.

    A row dated before the old version took effect is about an older numbering we do not hold
    (静岡市's 2018 rows), so it neither confirms nor contradicts anything here.
    """
    if (record.old_table, record.new_table) != (old_table, new_table):
        return False
    return record.date is None or record.date >= old_from


def unique(records: Iterable[RecordedRenumbering]) -> list[RecordedRenumbering]:
    """Records without repeats of the same claim from the same source."""
    seen: dict[tuple[str, str, str, str, str], RecordedRenumbering] = {}
    for r in records:
        seen.setdefault((r.old_table, r.old_label, r.new_table, r.new_label, r.source), r)
    return list(seen.values())
