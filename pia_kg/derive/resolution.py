"""Citations resolved to the law item they meant, on their document's date, with problems found.

    store ──read──► citations + purposes, documents' dates, held law versions
                        │  as-of date per document (citation_dates)
                        ▼
             cited (table, item) in the version in force ──► pia:resolvedItem
             purpose text vs the item's 事務 ─────────────► pia:agreement
             wrong table / not in force / deleted / unknown / text points elsewhere
                                                     ──► pia:problem, pia:meantItem
                        │
                        ▼
             graph id:graph/derived/resolution (rebuilt whole)

The number is what a document says; the purpose text beside it is what it means. Where they
disagree, the item whose 事務 best explains the text (searched in the table that should have
been cited, in the version in force) is recorded as the expected item, and ``pia:meantItem``
points at it, so that questions about "the departments under 児童手当" find a row whatever
number it was written with.

Change histories are read too: a 変更箇所 row that rewrites a citation ("別表第1の56の項" →
"別表第1の80の項") is a citation in force from that row's date. Its purpose is the text beside
it when there is one, the assessment's own 事務 for a 個人番号の利用 basis, or else the item the
replaced citation meant (a renumbering claims the 事務 stayed the same).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from rdflib import Graph, Literal, URIRef

from pia_kg.derive.citation_dates import AsOf, document_as_of, nearest_version, version_on
from pia_kg.derive.purpose_agreement import (
    CLEARLY_BETTER_BY,
    MISMATCH_BELOW,
    agreement,
    best_matches,
)
from pia_kg.derive.renumbering_records import renumberings_in_change
from pia_kg.derive.resolution_inputs import (
    DERIVED_CITATION_PREFIX,
    ChangeRow,
    CitationRow,
    DocumentFacts,
    LawItem,
    LawVersion,
    read_citations,
    read_documents,
    read_law,
)
from pia_kg.loaders.documents.source import parse_source_ref
from pia_kg.store import Store
from pia_kg.text.citation import article_numbers, parse_citations
from pia_kg.text.legal import table_by_label
from pia_kg.text.widths import compact
from pia_kg.vocab import PIA, PROV, RDF, RDFS, RESOLUTION_GRAPH, XSD, mint

__all__ = [
    "Problem",
    "Resolution",
    "resolve_citation",
    "resolve_all",
    "resolution_graph",
    "derive_resolution_graphs",
]


@dataclass(frozen=True)
class Problem:
    kind: str  # number-text-mismatch | wrong-table | not-in-force | deleted-item | unknown-item | ambiguous
    comment: str
    expected_table: str | None = None
    expected_item: str | None = None
    evidence: str = ""


@dataclass
class Resolution:
    citation: CitationRow
    as_of: AsOf
    version: LawVersion | None = None
    item: LawItem | None = None
    agreement: float | None = None
    meant: LawItem | None = None
    meant_version: LawVersion | None = None
    purpose_used: str | None = None
    problems: list[Problem] = field(default_factory=list)


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


def _search(
    text: str, version: LawVersion, recipient: str | None
) -> tuple[LawItem | None, float, str]:
    """The item of ``version`` that best explains ``text``, its score, and a note on ties."""
    top = best_matches(text, version, recipient=recipient, top=2)
    if not top or top[0].score < MISMATCH_BELOW:
        return None, top[0].score if top else 0.0, ""
    tie = ""
    if len(top) > 1 and top[0].score - top[1].score < 0.02:
        tie = f"; {top[1].item.label} fits almost as well ({top[1].score:.2f})"
    return top[0].item, top[0].score, tie


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
    held = [v for v in versions if v.table.label == c.table]
    if not held:
        return None
    res = Resolution(c, as_of, purpose_used=purpose)
    date = as_of.date
    cited_kind = held[0].table.kind
    want_kind = expected_kind(c) or cited_kind
    version = version_on(versions, c.table, date)
    target = version  # where the item that was meant is searched
    if version is None:
        version = nearest_version(versions, c.table, date)
        target = _in_force_of_kind(versions, want_kind, date)
        when = "had ended" if version and version.in_force_from < date else "was not yet in force"
        res.problems.append(
            Problem(
                "not-in-force",
                f"{c.table} {when} on {date.isoformat()} ({as_of.method}); the table in force then "
                f"was {target.table.label if target else 'not held'}.",
                expected_table=target.table.label if target else None,
                evidence=f"{version.name if version else c.table} in force "
                f"{version.in_force_from if version else '?'}–{version.in_force_to if version else '?'}",
            )
        )
    elif cited_kind != want_kind:
        target = _in_force_of_kind(versions, want_kind, date)
        basis = compact(c.article or "") or {"use": "個人番号の利用", "transfer": "移転"}.get(c.role, c.role)
        res.problems.append(
            Problem(
                "wrong-table",
                f"{c.table} is a table of 情報提供 (第19条), not of 利用 (第9条); it cannot be the basis of {basis}."
                if cited_kind == "provision"
                else f"{c.table} is a table of 利用 (第9条); it cannot be the basis of {basis}.",
                expected_table=target.table.label if target else None,
                evidence=f"cited as the basis of {basis} ({c.role}); on {date.isoformat()} the "
                f"{want_kind} table in force is {target.name if target else 'not held'}",
            )
        )
    res.version = version
    item = version.items.get(c.item) if version else None
    res.item = item
    if version is not None and item is None:
        res.problems.append(
            Problem(
                "unknown-item",
                f"{version.name} has no item {c.item}.",
                evidence=f"items of {version.name}: {len(version.items)}",
            )
        )
    elif item is not None and item.deleted:
        res.problems.append(
            Problem("deleted-item", f"Item {c.item} of {version.name} is 削除 (deleted).",
                    evidence=f"{version.name} item {c.item} marked 削除")  # type: ignore[union-attr]
        )
    if purpose and item is not None and not item.deleted:
        res.agreement = agreement(purpose, item, recipient=recipient)
    # The text that says what was meant: the purpose, or the cited item's own 事務 when the
    # purpose agrees with it (richer), or that 事務 alone when no purpose is written.
    if item is not None and not item.deleted and (res.agreement is None or res.agreement >= MISMATCH_BELOW):
        meaning = item.jimu if (purpose is None or res.agreement is not None) else purpose
        meaning_recipient = item.agency if target is not version else recipient
    else:
        meaning, meaning_recipient = purpose, recipient
    if target is version and version is not None and item is not None and not item.deleted:
        if purpose and res.agreement is not None and res.agreement < MISMATCH_BELOW:
            better, score, tie = _search(purpose, version, recipient)
            if better is not None and better.label != item.label and score >= res.agreement + CLEARLY_BETTER_BY:
                res.meant, res.meant_version = better, version
                if version.in_force_from > date:
                    # Read on an earlier date than any held version: the table may have been
                    # renumbered since (静岡市's 2018 rows cite 難病 as 119, the 2020 table has
                    # it at 120), so the text decides the meaning but no error is claimed.
                    return res
                res.problems.append(
                    Problem(
                        "number-text-mismatch",
                        f"{c.table} {c.item} is {compact(item.jimu)[:40]}…, but the purpose text is "
                        f"that of item {better.label}.",
                        expected_table=version.table.label,
                        expected_item=better.label,
                        evidence=f"purpose {compact(purpose)[:60]!r}: agreement with {c.item} "
                        f"{res.agreement:.2f}, with {better.label} {score:.2f}{tie}",
                    )
                )
                return res
        if not res.problems:
            res.meant, res.meant_version = item, version
            return res
    # Something is off: find the item meant in the table that should have been cited.
    if target is not None and meaning:
        better, score, tie = _search(meaning, target, meaning_recipient)
        if better is not None:
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
    return res


# --- change histories -----------------------------------------------------------------

_PURPOSE_IN_CHANGE = re.compile(r"【[^】]*用途】\s*(?P<p>[^【]+)")
_USE_SECTION = re.compile(r"個人番号の利用|取り扱う事務|第9条第1項|第九条第一項")


def _change_citation(
    facts: DocumentFacts, rec: ChangeRow, i: int, table: str, item: str, article: str | None
) -> CitationRow:
    digest = hashlib.sha1(str(rec.record).encode()).hexdigest()[:16]
    return CitationRow(
        iri=URIRef(f"{DERIVED_CITATION_PREFIX}change-citation/{digest}-{i}"),
        doc=facts.doc,
        table=table,
        item=item,
        article=article,
        written=None,
        basis=rec.after,
        source=rec.source,
        owner=rec.record,
        role="change",
        purpose=None,
        recipient=None,
    )


def _cited_in_change(
    rec: ChangeRow, held: set[str]
) -> list[tuple[str, str, tuple[str, str] | None]]:
    """(table, item, replaced (table, item) or None) for each held citation the row writes."""
    pairs = renumberings_in_change(rec.before, rec.after, date=rec.date, source=rec.source or "")
    if pairs:
        return [(r.new_table, r.new_label, (r.old_table, r.old_label)) for r in pairs if r.new_table in held]
    return [
        (p.canonical, p.item, None)
        for p in parse_citations(rec.after)
        if p.canonical in held and p.item
    ]


def resolve_changes(facts: DocumentFacts, versions: Sequence[LawVersion]) -> list[Resolution]:
    """Citations written by the document's change history, each read on its row's date."""
    out: list[Resolution] = []
    held = {v.table.label for v in versions}
    meant_by_number: dict[tuple[str, str], tuple[LawItem, LawVersion]] = {}
    for rec in facts.changes:
        cited = _cited_in_change(rec, held)
        if not cited:
            continue
        parsed = parse_citations(rec.after)
        article = parsed[0].article if parsed else None
        day_before = rec.date - dt.timedelta(days=1)
        own_purpose = _PURPOSE_IN_CHANGE.search(compact(rec.after))
        is_use = bool(_USE_SECTION.search(compact(rec.section + rec.after))) and "移転" not in rec.section
        for i, (table, label, replaced) in enumerate(cited, start=1):
            c = _change_citation(facts, rec, i, table, label, article)
            purpose, recipient = None, None
            table_kind = table_by_label(table).kind  # type: ignore[union-attr]
            if own_purpose:
                purpose = own_purpose["p"].strip()
            elif is_use and facts.task and table_kind == "use":
                purpose = facts.task
            elif replaced is not None:
                known = meant_by_number.get(replaced)
                if known is None:
                    bv = version_on(versions, replaced[0], day_before) or nearest_version(
                        versions, replaced[0], day_before
                    )
                    bi = bv.items.get(replaced[1]) if bv else None
                    known = (bi, bv) if bi is not None and bv is not None and not bi.deleted else None
                if known is not None:
                    purpose = known[0].jimu
                    if known[1].table.kind == "provision":
                        recipient = known[0].agency
            as_of = AsOf(rec.date, "change-record", f"変更日 {rec.date.isoformat()} of the change record")
            res = resolve_citation(c, as_of, versions, purpose=purpose, recipient=recipient)
            if res is None:
                continue
            out.append(res)
            if res.meant is not None and res.meant_version is not None:
                meant_by_number[(table, label)] = (res.meant, res.meant_version)
    return out


# --- the whole store ------------------------------------------------------------------


def resolve_all(store: Store) -> list[Resolution]:
    """Every citation in the store resolved (document citations, then change histories)."""
    citations = read_citations(store)
    docs = read_documents(store)
    if not citations and not any(f.changes for f in docs.values()):
        return []  # law loaded before any document: nothing to resolve yet
    versions = read_law(store)
    if not versions:
        return []
    by_doc: dict[URIRef, list[CitationRow]] = defaultdict(list)
    for c in citations:
        by_doc[c.doc].append(c)
    out: list[Resolution] = []
    seen: set[URIRef] = set()
    for doc in sorted(set(by_doc) | set(docs), key=str):
        facts = docs.get(doc)
        as_of = document_as_of(facts, by_doc[doc], versions)
        if as_of is None:
            continue
        for c in by_doc[doc]:
            if c.iri in seen:  # one citation shared by several rows is read once
                continue
            seen.add(c.iri)
            purpose = c.purpose
            if c.role == "use" and facts is not None:
                purpose = facts.task  # the basis of 利用 is the assessment's own 事務
            recipient = c.recipient if c.role == "provision" else None
            res = resolve_citation(c, as_of, versions, purpose=purpose, recipient=recipient)
            if res is not None:
                out.append(res)
        if facts is not None:
            out += resolve_changes(facts, versions)
    return out


def _decimal(x: float) -> Literal:
    return Literal(Decimal(f"{x:.3f}"), datatype=XSD.decimal)


def resolution_graph(resolutions: Sequence[Resolution]) -> Graph:
    """The resolution graph: facts on each citation, problems as their own nodes."""
    g = Graph()
    for res in resolutions:
        c = res.citation
        cit = c.iri
        if c.role == "change":  # a citation resolution derived itself from a change record
            g.add((cit, RDF.type, PIA.LegalCitation))
            g.add((cit, PROV.wasDerivedFrom, c.owner))
            g.add((cit, PROV.wasDerivedFrom, c.doc))
            for prop, value in (
                (PIA.basisText, c.basis),
                (PIA.articleAsWritten, c.article),
                (PIA.tableAsWritten, c.written),
                (PIA.citedTable, c.table),
                (PIA.citedItem, c.item),
                (PIA.source, c.source),
            ):
                if value:
                    g.add((cit, prop, Literal(value)))
            span = parse_source_ref(c.source or "")
            if span:  # every fact node carries its lines (the SHACL shapes check it)
                g.add((cit, PIA.lineStart, Literal(span[1], datatype=XSD.integer)))
                g.add((cit, PIA.lineEnd, Literal(span[2], datatype=XSD.integer)))
        g.add((cit, PIA.asOf, Literal(res.as_of.date, datatype=XSD.date)))
        g.add((cit, PIA.resolutionMethod, Literal(res.as_of.method)))
        if res.version is not None:
            g.add((cit, PIA.resolvedVersion, res.version.iri))
        if res.item is not None:
            g.add((cit, PIA.resolvedItem, res.item.iri))
        if res.agreement is not None:
            g.add((cit, PIA.agreement, _decimal(res.agreement)))
        if res.meant is not None:
            g.add((cit, PIA.meantItem, res.meant.iri))
        digest = hashlib.sha1(str(cit).encode()).hexdigest()[:16]
        for n, p in enumerate(res.problems, start=1):
            node = mint("resolution", "problem", digest, str(n))
            g.add((cit, PIA.problem, node))
            g.add((node, RDF.type, PIA.CitationProblem))
            g.add((node, PIA.problemKind, Literal(p.kind)))
            g.add((node, RDFS.comment, Literal(p.comment)))
            if p.expected_table:
                g.add((node, PIA.expectedTable, Literal(p.expected_table)))
            if p.expected_item:
                g.add((node, PIA.expectedItem, Literal(p.expected_item)))
            evidence = p.evidence
            if c.role == "change" and res.purpose_used:
                evidence += f"; checked against {compact(res.purpose_used)[:60]!r}"
            evidence += f"; read as of {res.as_of.date.isoformat()} ({res.as_of.evidence})"
            g.add((node, PIA.evidence, Literal(evidence)))
    return g


def derive_resolution_graphs(store: Store) -> dict[URIRef, Graph]:
    """The deriver the pipeline calls after every load: {RESOLUTION_GRAPH: graph}."""
    return {RESOLUTION_GRAPH: resolution_graph(resolve_all(store))}
