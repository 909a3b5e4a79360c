"""How far the law held answers for a date: ``held``, ``approximate`` or ``not-held``.

pia-kg holds a few versions of each table, not every revision. For a table and a date:

- ``held``: the version of the law in force that day is held (its newest revision on or
  before the date is one a held table version was taken from, or took effect the same day);
- ``approximate``: a revision not held was in force; answers come from the held version
  before it, and the period names the revisions missing since then;
- ``not-held``: no revision of the law held on or before that date (dates before the
  earliest held version).

The rule lives here once, in :func:`status_periods`; the derived graph
(:data:`~pia_kg.vocab.LAW_STATUS_GRAPH`) writes its result as ``pia:LawStatusPeriod`` nodes
(one per table and run of dates with the same answer), which every named query that reads
the law as of a date joins on, and citation resolution reads the same periods. Revisions
dated 2100 or later (e-Gov's placeholder 2117-12-31 for "date not yet fixed") are kept as
revisions but do not start a period.

    >>> d = dt.date
    >>> v = [HeldVersion("bango-beppyo2", "2020-12-12", d(2020, 12, 12), d(2024, 5, 18), "425_20201212")]
    >>> r = [Revision("425", "425_20201212", d(2020, 12, 12)), Revision("425", "425_20220111", d(2022, 1, 11))]
    >>> p = status_periods(v, r, {"bango-beppyo2": "425"})
    >>> [(x.start, x.status, x.missing) for x in p]  # doctest: +NORMALIZE_WHITESPACE
    [(None, 'not-held', ()),
     (datetime.date(2020, 12, 12), 'held', ()),
     (datetime.date(2022, 1, 11), 'approximate', ('425_20220111',)),
     (datetime.date(2024, 5, 18), 'approximate', ('425_20220111',))]
    >>> status_on(p, "bango-beppyo2", d(2023, 6, 1)).status
    'approximate'
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from pia_kg.store import Store
from pia_kg.vocab import (
    ELI,
    LAW_STATUS_GRAPH,
    PIA,
    PREFIXES,
    RDF,
    RDFS,
    XSD,
    law_table_iri,
    mint,
    table_version_iri,
)

__all__ = [
    "HELD",
    "APPROXIMATE",
    "NOT_HELD",
    "HeldVersion",
    "Revision",
    "StatusPeriod",
    "status_periods",
    "status_on",
    "periods_from_store",
    "derive_law_status_graphs",
]

HELD, APPROXIMATE, NOT_HELD = "held", "approximate", "not-held"
_PLACEHOLDER_FROM = dt.date(2100, 1, 1)


@dataclass(frozen=True)
class HeldVersion:
    table_key: str
    version_key: str
    start: dt.date
    end: dt.date | None  # exclusive
    revision_id: str


@dataclass(frozen=True)
class Revision:
    law_id: str
    revision_id: str
    date: dt.date


@dataclass(frozen=True)
class StatusPeriod:
    """One run of dates [start, end) of one table with the same law status."""

    table_key: str
    start: dt.date | None  # None: from the beginning
    end: dt.date | None  # exclusive; None: open
    status: str
    version_key: str | None  # the held version read in the period, if the table is in force
    missing: tuple[str, ...]  # revision ids not held, in force since the last held one
    held_from: dt.date | None = None  # the last held revision's date

    def covers(self, date: dt.date) -> bool:
        return (self.start is None or self.start <= date) and (self.end is None or date < self.end)

    @property
    def note(self) -> str:
        if self.status == NOT_HELD:
            return "no version of this law held on or before this date"
        if self.status == HELD:
            return "the version in force is held"
        since = self.held_from.isoformat() if self.held_from else "?"
        return (
            f"read from the version held of {since}; {len(self.missing)} revision(s) not held "
            f"in force since: {', '.join(self.missing)}"
        )


def _law_periods(
    table: str, held: Sequence[HeldVersion], law_held: Sequence[dt.date], revisions: Sequence[Revision]
) -> list[StatusPeriod]:
    known = sorted({r.date for r in revisions if r.date < _PLACEHOLDER_FROM} | set(law_held))
    bounds = sorted(set(known) | {v.start for v in held} | {v.end for v in held if v.end})
    held_dates = sorted(set(law_held))
    out = []
    for start, end in zip([None, *bounds], [*bounds, None], strict=True):
        if start is None:
            out.append(StatusPeriod(table, None, end, NOT_HELD, None, ()))
            continue
        version = next((v for v in held if v.start <= start and (v.end is None or start < v.end)), None)
        last_held = max((d for d in held_dates if d <= start), default=None)
        if last_held is None:
            status, missing = NOT_HELD, ()
        else:
            missing = tuple(
                r.revision_id for r in revisions
                if last_held < r.date <= start and r.date not in held_dates
            )
            status = APPROXIMATE if missing else HELD
        key = version.version_key if version else None
        out.append(StatusPeriod(table, start, end, status, key, missing, last_held))
    return _merge(out)


def _merge(periods: list[StatusPeriod]) -> list[StatusPeriod]:
    """Adjacent periods with the same answer as one."""
    out: list[StatusPeriod] = []
    for p in periods:
        last = out[-1] if out else None
        if last and (last.status, last.version_key, last.missing) == (p.status, p.version_key, p.missing):
            out[-1] = StatusPeriod(last.table_key, last.start, p.end, last.status, last.version_key,
                                   last.missing, last.held_from)
        else:
            out.append(p)
    return out


def status_periods(
    versions: Iterable[HeldVersion], revisions: Iterable[Revision], table_laws: Mapping[str, str]
) -> list[StatusPeriod]:
    """The status periods of every table in ``table_laws`` (table key → its law's e-Gov id).

    A law's held dates are the starts of the held versions of any of its tables: a revision
    is held when a held version starts the same day.
    """
    versions, revisions = list(versions), sorted(revisions, key=lambda r: (r.date, r.revision_id))
    out = []
    for table, law in sorted(table_laws.items()):
        of_law = [v for v in versions if table_laws.get(v.table_key) == law]
        held = sorted((v for v in of_law if v.table_key == table), key=lambda v: v.start)
        law_held = [v.start for v in of_law]
        out += _law_periods(table, held, law_held, [r for r in revisions if r.law_id == law])
    return out


def status_on(periods: Sequence[StatusPeriod], table_key: str, date: dt.date) -> StatusPeriod | None:
    """The period of ``table_key`` that covers ``date``; None for a table without a known law."""
    return next((p for p in periods if p.table_key == table_key and p.covers(date)), None)


_PREFIX_TEXT = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
_REVISIONS = _PREFIX_TEXT + """
SELECT ?law ?id ?date WHERE {
  ?r a pia:LawRevision ; pia:lawId ?law ; eli:id_local ?id ; eli:first_date_entry_in_force ?date .
}
"""


def _held_versions(store: Store) -> list[HeldVersion]:
    from pia_kg.derive.law_state import main_versions_from_store

    return [
        HeldVersion(v.table.key, v.version_key, v.in_force_from, v.in_force_to, v.revision_id)
        for v in main_versions_from_store(store)
    ]


def periods_from_store(store: Store) -> list[StatusPeriod]:
    """The status periods of the law the store holds (held versions and known revisions)."""
    from pia_kg.loaders.law.catalog import LAWS

    revisions = [
        Revision(str(law), str(rid), dt.date.fromisoformat(str(date)[:10]))
        for law, rid, date in store.query(_REVISIONS).rows
    ]
    table_laws = {t: law.law_id for law in LAWS for t in law.tables}
    return status_periods(_held_versions(store), revisions, table_laws)


def _period_iri(p: StatusPeriod) -> URIRef:
    return mint("law-status", p.table_key, p.start.isoformat() if p.start else "start")


def status_graph(
    periods: Sequence[StatusPeriod], revisions_held: Iterable[str] = (), versions: Iterable[HeldVersion] = ()
) -> Graph:
    """The ``pia:LawStatusPeriod`` nodes, ``pia:held`` on each revision held, and on each held
    version its law status on its first day (what an amendment's answers rest on)."""
    from pia_kg.loaders.law.revisions import revision_iri

    g = Graph(identifier=LAW_STATUS_GRAPH)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for p in periods:
        node = _period_iri(p)
        g.add((node, RDF.type, PIA.LawStatusPeriod))
        g.add((node, PIA.statusOf, law_table_iri(p.table_key)))
        g.add((node, PIA.lawStatus, Literal(p.status)))
        g.add((node, RDFS.comment, Literal(p.note)))
        if p.start:
            g.add((node, ELI.first_date_entry_in_force, Literal(p.start, datatype=XSD.date)))
        if p.end:
            g.add((node, ELI.date_no_longer_in_force, Literal(p.end, datatype=XSD.date)))
        if p.version_key:
            g.add((node, PIA.readsVersion, table_version_iri(p.table_key, p.version_key)))
        if p.missing:
            g.add((node, PIA.missingRevisions, Literal(" ".join(p.missing))))
    for rid in revisions_held:
        g.add((revision_iri(rid), PIA.held, Literal(True)))
    for v in versions:
        first_day = status_on(periods, v.table_key, v.start)
        if first_day is not None:
            g.add((table_version_iri(v.table_key, v.version_key), PIA.lawStatus, Literal(first_day.status)))
    return g


def derive_law_status_graphs(store: Store) -> dict[URIRef, Graph]:
    """{LAW_STATUS_GRAPH: graph} when the periods changed since last time, else {}."""
    periods = periods_from_store(store)
    held_ids = _held_revision_ids(store)
    digest = hashlib.sha256(repr((periods, held_ids)).encode())
    key = digest.hexdigest()
    previous = store.query(
        _PREFIX_TEXT + f"SELECT ?d WHERE {{ GRAPH <{LAW_STATUS_GRAPH}> {{ ?g pia:inputsDigest ?d }} }}"
    ).rows
    if previous and str(previous[0][0]) == key:
        return {}
    graph = status_graph(periods, held_ids, _held_versions(store))
    graph.add((LAW_STATUS_GRAPH, PIA.inputsDigest, Literal(key)))
    return {LAW_STATUS_GRAPH: graph}


def _held_revision_ids(store: Store) -> list[str]:
    """Revisions whose date a held version of the same law starts on."""
    from pia_kg.loaders.law.catalog import LAWS

    table_laws = {t: law.law_id for law in LAWS for t in law.tables}
    held = {(table_laws.get(v.table_key), v.start) for v in _held_versions(store)}
    return sorted(
        str(rid)
        for law, rid, date in store.query(_REVISIONS).rows
        if (str(law), dt.date.fromisoformat(str(date)[:10])) in held
    )
