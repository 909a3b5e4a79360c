"""One citation read against the law on one date: resolved, a problem, or not checkable.

:func:`resolve_citation` reads a citation of a held table in the version in force and finds
its problems, in steps (each a small function): the version (a table not in force, a table
of the wrong kind), the item (unknown, deleted), the purpose text against the item's 事務
(another item's text), and, when something is off, the item that was meant.

:func:`check_citation` is what resolution calls for every citation: it decides first what
cannot be checked (no date, no table, a table pia-kg does not hold, a table without an item,
an item known only from a revision not held as a table) and says why, uses the item facts
of revisions not held (``pia:ItemStatusFact``) so that an item a held fact shows in force is
never an unknown item, and puts the law status of the date on every answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pia_kg.derive.citation_dates import AsOf, nearest_version, version_on
from pia_kg.derive.law_status import APPROXIMATE, NOT_HELD, StatusPeriod, status_on
from pia_kg.derive.purpose_agreement import (
    CLEARLY_BETTER_BY,
    MISMATCH_BELOW,
    agreement,
    best_matches,
)
from pia_kg.derive.resolution_inputs import CitationRow, ItemFactRow, LawItem, LawVersion
from pia_kg.text.citation import article_numbers
from pia_kg.text.legal import table_by_label
from pia_kg.text.widths import compact

__all__ = [
    "Problem",
    "Resolution",
    "LawContext",
    "expected_kind",
    "resolve_citation",
    "check_citation",
    "RESOLVED",
    "PROBLEM",
    "NOT_CHECKABLE",
]

RESOLVED, PROBLEM, NOT_CHECKABLE = "resolved", "problem", "not-checkable"


@dataclass(frozen=True)
class Problem:
    kind: str  # number-text-mismatch | wrong-table | not-in-force | deleted-item | unknown-item
    comment: str
    expected_table: str | None = None
    expected_item: str | None = None
    evidence: str = ""


@dataclass
class Resolution:
    citation: CitationRow
    as_of: AsOf | None
    version: LawVersion | None = None
    item: LawItem | None = None
    agreement: float | None = None
    meant: LawItem | None = None
    meant_version: LawVersion | None = None
    purpose_used: str | None = None
    problems: list[Problem] = field(default_factory=list)
    not_checkable: str | None = None  # why the citation could not be checked
    law_status: str | None = None  # held | approximate | not-held on as_of
    law_note: str = ""

    @property
    def check(self) -> str:
        """resolved, problem or not-checkable: what checking came to."""
        if self.problems:
            return PROBLEM
        return NOT_CHECKABLE if self.not_checkable else RESOLVED


@dataclass(frozen=True)
class LawContext:
    """What a citation is read against: held versions, status periods, item facts."""

    versions: Sequence[LawVersion]
    periods: Sequence[StatusPeriod] = ()
    facts: Sequence[ItemFactRow] = ()


_ARTICLE_9_2 = re.compile(r"第(?:9|九)条第(?:2|二)項")
_ROLE_KIND = {"transfer": "use", "use": "use", "provision": "provision", "linkage": "provision"}


def expected_kind(c: CitationRow) -> str | None:
    """Which kind of table can be the basis: 第9条 use needs a 事務 table (別表第一 / 別表),
    第19条 provision a 情報照会者 table (別表第二 / 主務省令第2条の表)."""
    articles = article_numbers(c.article or "")
    if 19 in articles:
        return "provision"
    if 9 in articles:
        return "use"
    return _ROLE_KIND.get(c.role)


def _in_force_of_kind(versions: Sequence[LawVersion], kind: str, date: dt.date) -> LawVersion | None:
    """The 番号法 table version of ``kind`` in force on ``date`` (one per kind at any date)."""
    labels = sorted({v.table.label for v in versions if v.table.kind == kind})
    found = [v for v in (version_on(versions, t, date) for t in labels) if v is not None]
    exact = [v for v in found if v.in_force_on(date)]
    return (exact or found or [None])[0]


def _describe(item: LawItem, version: LawVersion) -> str:
    jimu = compact(item.jimu)
    return f"{version.table.label} {item.label} ({version.key}): {item.agency and compact(item.agency) + ' / '}{jimu[:60]}"


def _search(text: str, version: LawVersion, recipient: str | None) -> tuple[LawItem | None, float, str]:
    """The item of ``version`` that best explains ``text``, its score, and a note on ties."""
    top = best_matches(text, version, recipient=recipient, top=2)
    if not top or top[0].score < MISMATCH_BELOW:
        return None, top[0].score if top else 0.0, ""
    tie = ""
    if len(top) > 1 and top[0].score - top[1].score < 0.02:
        tie = f"; {top[1].item.label} fits almost as well ({top[1].score:.2f})"
    return top[0].item, top[0].score, tie


# --- resolve_citation, step by step ------------------------------------------------------


def _not_in_force(res: Resolution, versions: Sequence[LawVersion], want_kind: str) -> tuple[LawVersion | None, LawVersion | None]:
    """A cited table not in force on the date: read in its nearest version; the target is
    the table of the right kind in force then."""
    c, date = res.citation, res.as_of.date  # type: ignore[union-attr]
    version = nearest_version(versions, c.table, date)  # type: ignore[arg-type]
    target = _in_force_of_kind(versions, want_kind, date)
    when = "had ended" if version and version.in_force_from < date else "was not yet in force"
    span = f"{version.in_force_from}–{version.in_force_to}" if version else "?–?"
    res.problems.append(
        Problem(
            "not-in-force",
            f"{c.table} {when} on {date.isoformat()} ({res.as_of.method}); the table in force then "  # type: ignore[union-attr]
            f"was {target.table.label if target else 'not held'}.",
            expected_table=target.table.label if target else None,
            evidence=f"{version.name if version else c.table} in force {span}",
        )
    )
    return version, target


def _wrong_table(res: Resolution, versions: Sequence[LawVersion], cited_kind: str, want_kind: str) -> LawVersion | None:
    c, date = res.citation, res.as_of.date  # type: ignore[union-attr]
    target = _in_force_of_kind(versions, want_kind, date)
    basis = compact(c.article or "") or {"use": "個人番号の利用", "transfer": "移転"}.get(c.role, c.role)
    what = "a table of 情報提供 (第19条), not of 利用 (第9条)" if cited_kind == "provision" else "a table of 利用 (第9条)"
    res.problems.append(
        Problem(
            "wrong-table",
            f"{c.table} is {what}; it cannot be the basis of {basis}.",
            expected_table=target.table.label if target else None,
            evidence=f"cited as the basis of {basis} ({c.role}); on {date.isoformat()} the "
            f"{want_kind} table in force is {target.name if target else 'not held'}",
        )
    )
    return target


def _check_item(res: Resolution, version: LawVersion | None) -> LawItem | None:
    c = res.citation
    item = version.items.get(c.item) if version and c.item else None
    if version is not None and item is None:
        res.problems.append(
            Problem("unknown-item", f"{version.name} has no item {c.item}.",
                    evidence=f"items of {version.name}: {len(version.items)}")
        )
    elif version is not None and item is not None and item.deleted:
        res.problems.append(
            Problem("deleted-item", f"Item {c.item} of {version.name} is 削除 (deleted).",
                    evidence=f"{version.name} item {c.item} marked 削除")
        )
    return item


def _mismatch(res: Resolution, item: LawItem, version: LawVersion, purpose: str, recipient: str | None) -> bool:
    """The purpose text is clearly another item's 事務: record it; True when handled."""
    better, score, tie = _search(purpose, version, recipient)
    if better is None or better.label == item.label or score < res.agreement + CLEARLY_BETTER_BY:  # type: ignore[operator]
        return False
    res.meant, res.meant_version = better, version
    if version.in_force_from > res.as_of.date:  # type: ignore[union-attr]
        # Read on an earlier date than any held version: the table may have been renumbered
        # since (静岡市's 2018 rows cite 難病 as 119, the 2020 table has it at 120), so the
        # text decides the meaning but no error is claimed.
        return True
    c = res.citation
    res.problems.append(
        Problem(
            "number-text-mismatch",
            f"{c.table} {c.item} is {compact(item.jimu)[:40]}…, but the purpose text is that of item {better.label}.",
            expected_table=version.table.label,
            expected_item=better.label,
            evidence=f"purpose {compact(purpose)[:60]!r}: agreement with {c.item} "
            f"{res.agreement:.2f}, with {better.label} {score:.2f}{tie}",
        )
    )
    return True


def _find_meant(res: Resolution, target: LawVersion, meaning: str, recipient: str | None) -> None:
    """Something is off: the item meant, searched in the table that should have been cited."""
    better, score, tie = _search(meaning, target, recipient)
    if better is None:
        return
    res.meant, res.meant_version = better, target
    last = res.problems[-1] if res.problems else None
    if last is not None and last.expected_item is None:
        res.problems[-1] = Problem(
            last.kind,
            last.comment + f" Meant: {target.table.label} {better.label}.",
            expected_table=target.table.label,
            expected_item=better.label,
            evidence=f"{last.evidence}; {compact(meaning)[:60]!r} best matches "
            f"{_describe(better, target)} ({score:.2f}{tie})",
        )


def _meaning(res: Resolution, item: LawItem | None, purpose: str | None, recipient: str | None, same_table: bool) -> tuple[str | None, str | None]:
    """The text that says what was meant: the purpose, or the cited item's own 事務 when the
    purpose agrees with it (richer), or that 事務 alone when no purpose is written."""
    if item is not None and not item.deleted and (res.agreement is None or res.agreement >= MISMATCH_BELOW):
        meaning = item.jimu if (purpose is None or res.agreement is not None) else purpose
        return meaning, (recipient if same_table else item.agency)
    return purpose, recipient


def _read_in_version(res: Resolution, versions: Sequence[LawVersion]) -> tuple[LawVersion | None, LawVersion | None]:
    """(version the citation is read in, version the meant item is searched in)."""
    c, date = res.citation, res.as_of.date  # type: ignore[union-attr]
    held = [v for v in versions if v.table.label == c.table]
    cited_kind = held[0].table.kind
    want_kind = expected_kind(c) or cited_kind
    version = version_on(versions, c.table, date)  # type: ignore[arg-type]
    if version is None:
        return _not_in_force(res, versions, want_kind)
    if cited_kind != want_kind:
        return version, _wrong_table(res, versions, cited_kind, want_kind)
    return version, version


def resolve_citation(
    c: CitationRow,
    as_of: AsOf,
    versions: Sequence[LawVersion],
    *,
    purpose: str | None = None,
    recipient: str | None = None,
) -> Resolution | None:
    """Read ``c`` against the tables on ``as_of``; None when it names no held table and item.

    ``purpose`` is the text the citation is checked against (the row's 用途, or what stands
    for it); ``recipient`` the 提供先 name, compared with the item's 情報照会者.
    """
    if not c.table or not c.item or table_by_label(c.table) is None:
        return None
    if not any(v.table.label == c.table for v in versions):
        return None
    res = Resolution(c, as_of, purpose_used=purpose)
    version, target = _read_in_version(res, versions)
    res.version = version
    item = res.item = _check_item(res, version)
    live = item is not None and not item.deleted
    if purpose and live:
        res.agreement = agreement(purpose, item, recipient=recipient)  # type: ignore[arg-type]
    meaning, meaning_recipient = _meaning(res, item, purpose, recipient, target is version)
    if target is version and version is not None and live:
        if purpose and res.agreement is not None and res.agreement < MISMATCH_BELOW:
            if _mismatch(res, item, version, purpose, recipient):  # type: ignore[arg-type]
                return res
        if not res.problems:
            res.meant, res.meant_version = item, version
            return res
    if target is not None and meaning:
        _find_meant(res, target, meaning, meaning_recipient)
    return res


# --- check_citation: every citation comes to an answer -----------------------------------


def _uncheckable_reason(c: CitationRow, as_of: AsOf | None, versions: Sequence[LawVersion]) -> str | None:
    """Why ``c`` cannot be checked, as "kind: particulars"; None when it can."""
    if as_of is None:
        return "no date: no 公表日, own date, change record or cited number to date the document"
    if not c.table:
        article = compact(c.article or c.basis or "")[:40] or "basis text only"
        if _ARTICLE_9_2.search(article):
            return f"table not held: {article} is a 事務 that a 条例 defines; the 条例 is not held"
        return f"no table cited: {article}; pia-kg checks items of the tables it holds"
    if table_by_label(c.table) is None:
        return f"table not held: {c.table} (pia-kg holds 番号法 別表第一/第二/別表 and 主務省令第2条の表)"
    if not any(v.table.label == c.table for v in versions):
        return f"table not held: no version of {c.table} is loaded"
    if not c.item:
        return f"no item cited: {c.table} is named without an item"
    return None


def _latest_fact(facts: Sequence[ItemFactRow], table: str, item: str, after: dt.date, on: dt.date) -> ItemFactRow | None:
    """The newest fact on (table, item) from a revision in force in (after, on]."""
    found = [f for f in facts if f.table == table and f.item == item and after < f.date <= on]
    return max(found, key=lambda f: f.date, default=None)


def _apply_fact(res: Resolution, law: LawContext, period: StatusPeriod) -> bool:
    """Use what a revision not held says of the cited item; True when it settles the check."""
    c, version = res.citation, version_on(law.versions, res.citation.table, res.as_of.date)  # type: ignore[arg-type,union-attr]
    if version is None or period.status != APPROXIMATE:
        return False
    fact = _latest_fact(law.facts, c.table, c.item, version.in_force_from, res.as_of.date)  # type: ignore[arg-type,union-attr]
    if fact is None:
        return False
    held_item = version.items.get(c.item)  # type: ignore[arg-type]
    res.version = version
    if fact.status in ("present", "reworded") and (held_item is None or held_item.deleted or fact.status == "reworded"):
        res.not_checkable = (
            f"item text not held: item {c.item} is {fact.status} in revision {fact.revision} ({fact.date.isoformat()}), "
            f"which is not held as a table: its text cannot be compared ({fact.evidence})"
        )
        return True
    if fact.status in ("deleted", "absent") and held_item is not None and not held_item.deleted:
        res.item = held_item
        res.problems.append(
            Problem("deleted-item", f"Item {c.item} of {c.table} is {fact.status} in revision {fact.revision} "
                    f"({fact.date.isoformat()}), in force on {res.as_of.date.isoformat()}.",  # type: ignore[union-attr]
                    evidence=f"{fact.source}: {fact.evidence}")
        )
        return True
    return False


def check_citation(
    c: CitationRow,
    as_of: AsOf | None,
    law: LawContext,
    *,
    purpose: str | None = None,
    recipient: str | None = None,
) -> Resolution:
    """``c`` checked against the law on ``as_of``: always an answer, with its law status."""
    res = Resolution(c, as_of, purpose_used=purpose)
    period = status_on(law.periods, table_by_label(c.table).key, as_of.date) if (
        as_of and c.table and table_by_label(c.table)) else None
    res.law_status = period.status if period else NOT_HELD
    res.law_note = period.note if period else "no table of this law is held"
    reason = _uncheckable_reason(c, as_of, law.versions)
    if reason is not None:
        res.not_checkable = reason
        return res
    if period is not None and _apply_fact(res, law, period):
        return res
    found = resolve_citation(c, as_of, law.versions, purpose=purpose, recipient=recipient)  # type: ignore[arg-type]
    found.law_status, found.law_note = res.law_status, res.law_note  # type: ignore[union-attr]
    return found  # type: ignore[return-value]
