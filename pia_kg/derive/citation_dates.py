"""The date a document's citations are read at, and how that date was found.

"Item 81" means 日本学生支援機構 in 別表第一 and 児童手当 in the 2024 別表, so every citation
is read against the version in force on its document's date. In order of trust:

- ``published``: the 公表日 on the cover;
- ``document-date``: a date the document gives itself when it has no 公表日 (a draft put
  to public comment carries the date of the committee material it is part of);
- ``latest-change``: the date of the newest row of its change history (a document is at
  least as new as the last change it records);
- ``inferred``: none of these, so each held table version is tried and the one under which
  the document's cited numbers and purpose texts fit best is taken. The newest change record
  is then a lower bound: a draft whose change history stops in 2023 but whose 別紙 cite the
  2024 tables is read on the day those tables came into force, and says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pia_kg.derive.purpose_agreement import agreement
from pia_kg.derive.resolution_inputs import CitationRow, DocumentFacts, LawVersion

__all__ = ["AsOf", "document_as_of", "infer_as_of", "version_on", "nearest_version"]


@dataclass(frozen=True)
class AsOf:
    date: dt.date
    method: str  # "published" | "document-date" | "latest-change" | "inferred"
    evidence: str


def version_on(versions: Sequence[LawVersion], table: str, date: dt.date) -> LawVersion | None:
    """The held version of the table labelled ``table`` in force on ``date``.

    A date before the earliest held version resolves to that version (assessments from
    2015–2020 cite the old tables, whose numbering held); a date after the table ended gives
    None: the table was not in force.
    """
    held = [v for v in versions if v.table.label == table]
    for v in held:
        if v.in_force_on(date):
            return v
    if held and date < held[0].in_force_from:
        # Only a table that already existed then (old 別表第一 since 2015) reads early dates
        # from its earliest held version; 番号法別表 did not exist while 別表第一 was in force.
        kind = held[0].table.kind
        if not any(v.table.kind == kind and v.table.label != table and v.in_force_on(date) for v in versions):
            return held[0]
    return None


def nearest_version(versions: Sequence[LawVersion], table: str, date: dt.date) -> LawVersion | None:
    """The held version of ``table`` closest to ``date``: the last that ended before it, or
    the first that starts after it. Used to read a citation of a table not in force."""
    held = [v for v in versions if v.table.label == table]
    before = [v for v in held if v.in_force_to is not None and v.in_force_to <= date]
    if before:
        return before[-1]
    after = [v for v in held if v.in_force_from > date]
    return after[0] if after else None


def _fit(citations: Iterable[CitationRow], versions: Sequence[LawVersion], date: dt.date) -> tuple[float, int]:
    """How well the citations read on ``date``: mean per-citation score, and how many counted."""
    total, counted = 0.0, 0
    for c in citations:
        if not c.table or not c.item or not any(v.table.label == c.table for v in versions):
            continue
        counted += 1
        v = version_on(versions, c.table, date)
        item = v.items.get(c.item) if v else None
        if item is None or item.deleted:
            continue
        # A number that exists counts half; its purpose text agreeing counts the rest.
        total += 0.5 + 0.5 * (agreement(c.purpose, item) if c.purpose else 0.5)
    return (total / counted if counted else 0.0), counted


# A later date must explain the citations this much better than the newest change record's
# date before it replaces it.
_BETTER_FIT = 0.1


def _scores(
    citations: Sequence[CitationRow], versions: Sequence[LawVersion], not_before: dt.date | None
) -> list[tuple[dt.date, float]]:
    starts = {v.in_force_from for v in versions}
    if not_before is not None:
        starts = {d for d in starts if d > not_before} | {not_before}
    scored = []
    for date in sorted(starts):
        fit, counted = _fit(citations, versions, date)
        if counted:
            scored.append((date, fit))
    return scored


def infer_as_of(
    citations: Sequence[CitationRow],
    versions: Sequence[LawVersion],
    *,
    not_before: dt.date | None = None,
) -> AsOf | None:
    """The earliest table-version start (not before ``not_before``) under which the citations
    fit best; None when the document cites no held table with an item (nothing to infer from)."""
    scored = _scores(citations, versions, not_before)
    if not scored:
        return None
    best_fit = max(f for _, f in scored)
    # On a tie the earliest date wins: it is closest to what the document itself shows.
    best = next(d for d, f in scored if f == best_fit)
    table = ", ".join(f"{d.isoformat()}: {f:.2f}" for d, f in scored)
    return AsOf(
        best,
        "inferred",
        f"cited numbers and purposes fit the tables in force from {best.isoformat()} best "
        f"(fit by date: {table})",
    )


def document_as_of(
    facts: DocumentFacts | None, citations: Sequence[CitationRow], versions: Sequence[LawVersion]
) -> AsOf | None:
    """The date ``facts``' citations are read at, with the method used to find it."""
    if facts is not None:
        if facts.issued:
            return AsOf(facts.issued, "published", f"公表日 {facts.issued.isoformat()}")
        if facts.document_date:
            return AsOf(
                facts.document_date,
                "document-date",
                f"no 公表日{' (a draft)' if facts.draft else ''}; the document's own date "
                f"{facts.document_date.isoformat()}",
            )
        latest = facts.latest_change
        if latest:
            # The newest change is a lower bound: a draft rewritten for tables that came into
            # force after its last recorded change is read against those tables.
            why = (
                f"no 公表日{' (a draft)' if facts.draft else ''}; newest of "
                f"{len(facts.changes)} change records is dated {latest.isoformat()}"
            )
            scored = dict(_scores(citations, versions, latest))
            inferred = infer_as_of(citations, versions, not_before=latest)
            if inferred and inferred.date != latest and scored[inferred.date] >= scored.get(latest, 0.0) + _BETTER_FIT:
                return AsOf(inferred.date, "inferred", f"{why}, a lower bound; {inferred.evidence}")
            return AsOf(latest, "latest-change", why)
    return infer_as_of(citations, versions)
