"""What each law-table item says on each date, worked out once per law state.

item-meaning (queries/item_meaning.rq) asks what item ``item`` of table ``table`` said on a
date: the version read that day (:func:`~pia_kg.derive.citation_dates.version_on`, the
rule citations are read by: the version in force; before the earliest held version, that version, unless another table of
the same kind was in force), the item's state in a revision not held as a table (the newest
such fact on or before the date), and how far the law held answers for the date
(:func:`~pia_kg.derive.law_status.status_on`). Evaluated per question in SPARQL, that took
4-8 ms of nested NOT EXISTS and period joins, 20-30 times a plain look-up of the item.

The answer changes only on the dates the law names (a version's first and last day, a
revision's, a status period's bounds), so this module works it out once for every item of
every table and every run of dates between those, when the law is loaded or derived again
(pia_kg/pipeline.py ``rederive``), and writes each item as a node of
:data:`~pia_kg.vocab.ITEM_MEANINGS_GRAPH`::

    <…/item-meaning/…> a pia:ItemMeaning ;
        pia:meaningTable "番号法別表", "My Number Act, Appended Table (from 2024-05-27)" ;
        pia:meaningItem "81" ;
        pia:meaningRow "2024-05-27 2024-05-30 {…}", … ;   # a run's first day, the day after
                                                          # its last, a packed answer row
        pia:allVersionsRow "{…}" .                        # the rows without a date

The question is one index look-up of the item and a comparison of texts per run (a run of
the item's table has its own law status note: 番号法別表 81 has 40), with no join per run
(pia_kg/packed_rows.py packs the rows).

>>> [d.isoformat() for d in _runs([dt.date(2024, 5, 27), dt.date(2020, 12, 12)])[0]]
['2020-12-11', '2020-12-12', '2024-05-27']
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from pia_kg.derive import ntriples as nt
from pia_kg.derive.citation_dates import version_on
from pia_kg.derive.law_status import NOT_HELD, StatusPeriod, periods_from_store, status_on
from pia_kg.named_queries import get_query
from pia_kg.packed_rows import pack
from pia_kg.store import Store
from pia_kg.vocab import ITEM_MEANINGS_GRAPH, PIA, PREFIXES, RDF, law_table_iri, mint

__all__ = ["item_meaning_graphs", "dated_row"]

#: The packed columns are the ``#+ members:`` of queries/item_meaning.rq, in the answer's
#: order (it orders its rows by the packed text, so the first two are its sort keys).
_QUESTION = "item_meaning"

_P = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
_TABLES = _P + """
SELECT ?law ?label ?kind WHERE { ?law a pia:LawTable ; rdfs:label ?label . OPTIONAL { ?law pia:tableKind ?kind } }
"""
_VERSIONS = _P + """
SELECT ?law ?v ?key ?from ?until WHERE {
  ?v pia:versionOf ?law ; pia:versionKey ?key ; eli:first_date_entry_in_force ?from .
  OPTIONAL { ?v eli:date_no_longer_in_force ?until }
}
"""
_ITEMS = _P + """
SELECT ?v ?i ?label ?agency ?jimu ?deleted ?source WHERE {
  ?i pia:inVersion ?v ; pia:itemLabel ?label .
  OPTIONAL { ?i pia:agency ?agency } OPTIONAL { ?i pia:jimu ?jimu }
  OPTIONAL { ?i pia:deleted ?deleted } OPTIONAL { ?i pia:source ?source }
}
"""
_PROVIDERS = _P + """
SELECT ?i ?provider ?order WHERE {
  ?i pia:inVersion ?v ; pia:providerEntry ?e . ?e pia:provider ?provider . OPTIONAL { ?e pia:order ?order }
}
"""
_FACTS = _P + """
SELECT ?law ?f ?label ?status ?evidence ?rid ?from ?held ?agency ?jimu ?source WHERE {
  ?f a pia:ItemStatusFact ; pia:factTable ?law ; pia:factItem ?label ; pia:knownInRevision ?rev .
  ?rev eli:id_local ?rid ; eli:first_date_entry_in_force ?from .
  OPTIONAL { ?f pia:itemStatus ?status } OPTIONAL { ?f rdfs:comment ?evidence }
  OPTIONAL { ?rev pia:held ?held }
  OPTIONAL { ?f pia:agency ?agency } OPTIONAL { ?f pia:jimu ?jimu } OPTIONAL { ?f pia:source ?source }
}
"""


@dataclass(frozen=True)
class _Table:
    """What :func:`~pia_kg.derive.citation_dates.version_on` reads of a version's table."""

    label: str  # the table's IRI: unique where labels are per language
    kind: str


@dataclass
class _Version:
    table: _Table
    key: Node
    in_force_from: dt.date
    in_force_to: dt.date | None
    start_term: Node
    end_term: Node | None
    items: dict[str, dict[str, Node | None]] = field(default_factory=dict)

    def in_force_on(self, date: dt.date) -> bool:
        return self.in_force_from <= date and (self.in_force_to is None or date < self.in_force_to)


@dataclass(frozen=True)
class _Fact:
    start: dt.date
    start_term: Node
    held: bool
    cells: Mapping[str, Node | None]
    status: str
    evidence: str


def _date(value: Node) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def _runs(dates: Sequence[dt.date]) -> tuple[list[dt.date], list[dt.date | None]]:
    """A date standing for each run between the law's dates (the day before the first
    stands for every earlier one), and where each run ends."""
    bounds = sorted(set(dates))
    if not bounds:
        return [], []
    starts = [bounds[0] - dt.timedelta(days=1), *bounds]
    return starts, [*bounds, None]


def _status(periods: Sequence[StatusPeriod], table_key: str | None, date: dt.date | None) -> tuple[str, str]:
    if date is None:
        return "held", ""
    p = status_on(periods, table_key, date) if table_key else None
    return (p.status, p.note) if p else (NOT_HELD, "no version of this law held")


def _row(version: Node, start: Node, until: Node | None, cells: Mapping[str, Node | None],
         deleted: Node | None, status: tuple[str, str], fact_note: str | None, dated: bool) -> str:
    note = status[1] if not fact_note else (f"{fact_note}; {status[1]}" if dated else fact_note)
    values = {
        "valid_from": start, "version": version, "valid_until": until,
        "agency": cells.get("agency"), "jimu": cells.get("jimu"), "providers": cells.get("providers"),
        "deleted": deleted, "source": cells.get("source"), "item_iri": cells.get("iri"),
        "law_status": Literal(status[0]), "law_note": Literal(note),
    }
    return pack([values[k] for k in get_query(_QUESTION).members])


class _Law:
    """One table: its versions (oldest first), its item facts, its labels."""

    def __init__(self, iri: str, kind: str | None, key: str | None):
        self.iri, self.kind, self.key = iri, kind, key
        self.labels: list[str] = []
        self.versions: list[_Version] = []
        self.facts: dict[str, list[_Fact]] = defaultdict(list)

    def item_labels(self) -> list[str]:
        found = {label for v in self.versions for label in v.items} | set(self.facts)
        return sorted(found)

    def rows(self, label: str, date: dt.date | None, every: Sequence[_Version],
             periods: Sequence[StatusPeriod]) -> list[str]:
        """The packed rows of item ``label`` on ``date`` (every version and fact: None);
        ``every``: the versions of every table, oldest first."""
        status = _status(periods, self.key, date)
        out = []
        # the version read on the date: the rule citations are read by
        read = version_on(every, self.iri, date) if date else None  # type: ignore[arg-type]
        for v in self.versions:
            cells = v.items.get(label)
            if cells is None or (date is not None and v is not read):
                continue
            out.append(_row(v.key, v.start_term, v.end_term, cells, cells.get("deleted"), status, None, date is not None))
        facts = self.facts.get(label, [])
        for f in facts:
            if f.held:
                continue
            if date is not None and (f.start > date or any(f.start < g.start <= date for g in facts)):
                continue
            deleted = Literal(f.status in ("deleted", "absent"))
            note = f"item {f.status} in revision {f.cells['version']} (not held as a table): {f.evidence}"
            out.append(_row(f.cells["version"], f.start_term, None, f.cells, deleted, status, note, date is not None))  # type: ignore[arg-type]
        return sorted(set(out))


def _read(store: Store, periods: Sequence[StatusPeriod]) -> list[_Law]:
    """Every table with a kind (item-meaning answers for those), its versions and facts."""
    keys = {str(law_table_iri(p.table_key)): p.table_key for p in periods}
    laws: dict[str, _Law] = {}
    for law, label, kind in store.query(_TABLES).rows:
        if kind is None:
            continue
        entry = laws.setdefault(str(law), _Law(str(law), str(kind), keys.get(str(law))))
        if str(label) not in entry.labels:
            entry.labels.append(str(label))
    versions: dict[str, _Version] = {}
    for law, v, key, start, until in store.query(_VERSIONS).rows:
        if str(law) in laws:
            table = _Table(str(law), laws[str(law)].kind)
            versions[str(v)] = _Version(table, key, _date(start), _date(until) if until is not None else None,
                                        start, until)
    providers: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for i, provider, order in store.query(_PROVIDERS).rows:
        providers[str(i)].append((int(str(order)) if order is not None else 0, str(provider)))
    for v, i, label, agency, jimu, deleted, source in store.query(_ITEMS).rows:
        if str(v) in versions:
            names = list(dict.fromkeys(p for _, p in sorted(providers.get(str(i), []))))
            versions[str(v)].items[str(label)] = {
                "iri": i, "agency": agency, "jimu": jimu, "deleted": deleted, "source": source,
                "providers": Literal(" / ".join(names)),
            }
    for v in sorted(versions.values(), key=lambda v: v.in_force_from):
        laws[v.table.label].versions.append(v)
    for law, f, label, status, evidence, rid, start, held, agency, jimu, source in store.query(_FACTS).rows:
        if str(law) in laws:
            cells = {"iri": f, "agency": agency, "jimu": jimu, "source": source, "version": rid,
                     "providers": Literal("")}
            laws[str(law)].facts[str(label)].append(_Fact(
                _date(start), start, str(held) in ("true", "1"), cells,
                str(status) if status is not None else "", str(evidence) if evidence is not None else ""))
    return list(laws.values())


def dated_row(start: dt.date | None, end: dt.date | None, row: str) -> str:
    """A packed row of a run of dates, as pia:meaningRow holds it: the run's first day and
    the day after its last (``0000-00-00`` and ``9999-99-99`` when open), then the row, so
    that a question compares texts of one literal instead of looking up two dates per run.

    >>> dated_row(None, dt.date(2024, 5, 27), '81\\t')
    '0000-00-00 2024-05-27 81\\t'
    """
    return f"{start.isoformat() if start else _OPEN_START} {end.isoformat() if end else _OPEN_END} {row}"


_OPEN_START, _OPEN_END = "0000-00-00", "9999-99-99"


def item_meaning_graphs(store: Store) -> dict[URIRef, str]:
    """{ITEM_MEANINGS_GRAPH: what every item of every table held says on each run of dates,
    as N-Triples} (written by ``rederive`` in the transaction that marks the store derived)."""
    periods = periods_from_store(store)
    laws = _read(store, periods)
    every = sorted((v for law in laws for v in law.versions), key=lambda v: v.in_force_from)
    dates = [d for v in every for d in (v.in_force_from, v.in_force_to) if d]
    dates += [f.start for law in laws for fs in law.facts.values() for f in fs]
    dates += [d for p in periods for d in (p.start, p.end) if d]
    starts, ends = _runs(dates)
    out = nt.Triples()
    a, meaning = nt.iri(RDF.type), nt.iri(PIA.ItemMeaning)
    table_p, item_p = nt.iri(PIA.meaningTable), nt.iri(PIA.meaningItem)
    dated_p, all_p = nt.iri(PIA.meaningRow), nt.iri(PIA.allVersionsRow)
    for law in laws:
        for label in law.item_labels():
            node = nt.iri(mint("item-meaning", law.iri, label))
            out.add(node, a, meaning)
            out.add(node, item_p, nt.literal(label))
            for t in law.labels:
                out.add(node, table_p, nt.literal(t))
            for r in law.rows(label, None, every, periods):
                out.add(node, all_p, nt.literal(r))
            # the rows of each run of dates with the same answer
            answers = [law.rows(label, d, every, periods) for d in starts]
            first = 0
            for n in range(1, len(answers) + 1):
                if n < len(answers) and answers[n] == answers[first]:
                    continue
                for r in answers[first]:
                    out.add(node, dated_p, nt.literal(dated_row(starts[first] if first else None, ends[n - 1], r)))
                first = n
    return {ITEM_MEANINGS_GRAPH: out.text()}
