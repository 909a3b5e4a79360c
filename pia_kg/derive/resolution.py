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
from functools import lru_cache

from rdflib import URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.citation_check import (
    LawContext,
    Problem,
    Resolution,
    check_citation,
    expected_kind,
    resolve_citation,
)
from pia_kg.derive.citation_dates import AsOf, document_as_of, nearest_version, version_on
from pia_kg.derive.law_status import periods_from_store
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
    read_item_facts,
    read_law,
)
from pia_kg.loaders.documents.source import parse_source_ref
from pia_kg.store import Store
from pia_kg.text.citation import ParsedCitation, parse_citations
from pia_kg.text.legal import table_by_label
from pia_kg.text.widths import compact
from pia_kg.vocab import PIA, PROV, RDF, RDFS, mint

__all__ = [
    "Problem",
    "Resolution",
    "expected_kind",
    "resolve_citation",
    "check_citation",
    "resolve_all",
    "resolution_triples",
]


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


# A body's documents repeat the same 変更箇所 rows: the citations a row's 変更後 writes, a
# pure function of that text, are kept (a worker reads document after document; the
# renumberings a row claims are kept by renumbering_records).
@lru_cache(maxsize=1 << 12)
def _parsed(text: str) -> tuple[ParsedCitation, ...]:
    return tuple(parse_citations(text))


def _cited_in_change(
    rec: ChangeRow, held: set[str]
) -> list[tuple[str, str, tuple[str, str] | None]]:
    """(table, item, replaced (table, item) or None) for each held citation the row writes."""
    pairs = renumberings_in_change(rec.before, rec.after, date=rec.date)
    if pairs:
        return [(r.new_table, r.new_label, (r.old_table, r.old_label)) for r in pairs if r.new_table in held]
    return [
        (p.canonical, p.item, None)
        for p in _parsed(rec.after)
        if p.canonical in held and p.item
    ]


def _replaced_meaning(
    replaced: tuple[str, str], versions: Sequence[LawVersion], day_before: dt.date,
    meant_by_number: dict[tuple[str, str], tuple[LawItem, LawVersion]],
) -> tuple[LawItem, LawVersion] | None:
    """What the citation a change row replaces meant: as resolved earlier, else its item."""
    known = meant_by_number.get(replaced)
    if known is not None:
        return known
    bv = version_on(versions, replaced[0], day_before) or nearest_version(versions, replaced[0], day_before)
    bi = bv.items.get(replaced[1]) if bv else None
    return (bi, bv) if bi is not None and bv is not None and not bi.deleted else None


def _change_purpose(
    rec: ChangeRow, facts: DocumentFacts, table: str, replaced: tuple[str, str] | None,
    versions: Sequence[LawVersion], meant_by_number: dict[tuple[str, str], tuple[LawItem, LawVersion]],
) -> tuple[str | None, str | None]:
    """(purpose, recipient) a change row's citation is checked against: the row's own 用途,
    the assessment's 事務 for a 個人番号の利用 basis, or what the replaced citation meant."""
    own = _PURPOSE_IN_CHANGE.search(compact(rec.after))
    if own:
        return own["p"].strip(), None
    is_use = bool(_USE_SECTION.search(compact(rec.section + rec.after))) and "移転" not in rec.section
    if is_use and facts.task and table_by_label(table).kind == "use":  # type: ignore[union-attr]
        return facts.task, None
    if replaced is None:
        return None, None
    known = _replaced_meaning(replaced, versions, rec.date - dt.timedelta(days=1), meant_by_number)
    if known is None:
        return None, None
    return known[0].jimu, known[0].agency if known[1].table.kind == "provision" else None


def resolve_changes(facts: DocumentFacts, law: LawContext) -> list[Resolution]:
    """Citations written by the document's change history, each read on its row's date."""
    out: list[Resolution] = []
    held = {v.table.label for v in law.versions}
    meant_by_number: dict[tuple[str, str], tuple[LawItem, LawVersion]] = {}
    for rec in facts.changes:
        cited = _cited_in_change(rec, held)
        parsed = _parsed(rec.after) if cited else ()
        article = parsed[0].article if parsed else None
        as_of = AsOf(rec.date, "change-record", f"変更日 {rec.date.isoformat()} of the change record")
        for i, (table, label, replaced) in enumerate(cited, start=1):
            c = _change_citation(facts, rec, i, table, label, article)
            purpose, recipient = _change_purpose(rec, facts, table, replaced, law.versions, meant_by_number)
            res = check_citation(c, as_of, law, purpose=purpose, recipient=recipient)
            out.append(res)
            if res.meant is not None and res.meant_version is not None:
                meant_by_number[(table, label)] = (res.meant, res.meant_version)
    return out


# --- the whole store ------------------------------------------------------------------


def _resolve_document(
    facts: DocumentFacts | None, citations: list[CitationRow], law: LawContext, seen: set[URIRef]
) -> list[Resolution]:
    as_of = document_as_of(facts, citations, law.versions)
    out = []
    for c in citations:
        if c.iri in seen:  # one citation shared by several rows is read once
            continue
        seen.add(c.iri)
        purpose = c.purpose
        if c.role in ("use", "free-text") and facts is not None:
            purpose = facts.task  # the basis of 利用 is the assessment's own 事務
        recipient = c.recipient if c.role == "provision" else None
        out.append(check_citation(c, as_of, law, purpose=purpose, recipient=recipient))
    if facts is not None and as_of is not None:
        out += resolve_changes(facts, law)
    return out


def law_context(store: Store) -> LawContext:
    """The law ``store`` holds, as resolution reads it (a worker reads it once per law)."""
    return LawContext(read_law(store), periods_from_store(store), read_item_facts(store))


def resolve_all(store: Store, law: LawContext | None = None) -> list[Resolution]:
    """Every citation in the store checked (document citations, then change histories):
    resolved, a problem, or not checkable with the reason. ``law``: the store's law, when
    the caller already read it (:func:`law_context`)."""
    citations = read_citations(store)
    docs = read_documents(store)
    if not citations and not any(f.changes for f in docs.values()):
        return []  # law loaded before any document: nothing to resolve yet
    law = law or law_context(store)
    by_doc: dict[URIRef, list[CitationRow]] = defaultdict(list)
    for c in citations:
        by_doc[c.doc].append(c)
    out: list[Resolution] = []
    seen: set[URIRef] = set()
    for doc in sorted(set(by_doc) | set(docs), key=str):
        out += _resolve_document(docs.get(doc), by_doc[doc], law, seen)
    return out


_PIA, _RDF, _PROV, _RDFS = nt.Names(PIA), nt.Names(RDF), nt.Names(PROV), nt.Names(RDFS)


def _add_change_citation(g: nt.Triples, c: CitationRow) -> None:
    """A citation resolution derived itself from a change record, with its lines."""
    cit = nt.iri(c.iri)
    g.add(cit, _RDF.type, _PIA.LegalCitation)
    g.add(cit, _PROV.wasDerivedFrom, nt.iri(c.owner))
    g.add(cit, _PROV.wasDerivedFrom, nt.iri(c.doc))
    for prop, value in (
        (_PIA.basisText, c.basis),
        (_PIA.articleAsWritten, c.article),
        (_PIA.tableAsWritten, c.written),
        (_PIA.citedTable, c.table),
        (_PIA.citedItem, c.item),
        (_PIA.source, c.source),
    ):
        if value:
            g.add(cit, prop, nt.literal(value))
    span = parse_source_ref(c.source or "")
    if span:  # every fact node carries its lines (the SHACL shapes check it)
        g.add(cit, _PIA.lineStart, nt.integer(span[1]))
        g.add(cit, _PIA.lineEnd, nt.integer(span[2]))


def _add_facts(g: nt.Triples, res: Resolution) -> None:
    cit = nt.iri(res.citation.iri)
    g.add(cit, _PIA.citationCheck, nt.literal(res.check))
    if res.law_status:
        g.add(cit, _PIA.lawStatus, nt.literal(res.law_status))
    if res.not_checkable:
        g.add(cit, _PIA.notCheckableReason, nt.literal(res.not_checkable))
    if res.as_of is not None:
        g.add(cit, _PIA.asOf, nt.date(res.as_of.date))
        g.add(cit, _PIA.resolutionMethod, nt.literal(res.as_of.method))
    for prop, node in (
        (_PIA.resolvedVersion, res.version),
        (_PIA.resolvedItem, res.item),
        (_PIA.meantItem, res.meant),
    ):
        if node is not None:
            g.add(cit, prop, nt.iri(node.iri))
    if res.agreement is not None:
        g.add(cit, _PIA.agreement, nt.decimal(res.agreement))


def _add_problems(g: nt.Triples, res: Resolution) -> None:
    c = res.citation
    cit = nt.iri(c.iri)
    digest = hashlib.sha1(str(c.iri).encode()).hexdigest()[:16]
    for n, p in enumerate(res.problems, start=1):
        node = nt.iri(mint("resolution", "problem", digest, str(n)))
        g.add(cit, _PIA.problem, node)
        g.add(node, _RDF.type, _PIA.CitationProblem)
        g.add(node, _PIA.problemKind, nt.literal(p.kind))
        g.add(node, _RDFS.comment, nt.literal(p.comment))
        if p.expected_table:
            g.add(node, _PIA.expectedTable, nt.literal(p.expected_table))
        if p.expected_item:
            g.add(node, _PIA.expectedItem, nt.literal(p.expected_item))
        evidence = p.evidence
        if c.role == "change" and res.purpose_used:
            evidence += f"; checked against {compact(res.purpose_used)[:60]!r}"
        if res.as_of is not None:
            evidence += f"; read as of {res.as_of.date.isoformat()} ({res.as_of.evidence})"
        if res.law_status and res.law_status != "held":
            evidence += f"; law status {res.law_status}: {res.law_note}"
        g.add(node, _PIA.evidence, nt.literal(evidence))


def resolution_triples(resolutions: Sequence[Resolution]) -> nt.Triples:
    """The resolution graph as N-Triples: facts on each citation, problems as their own nodes."""
    g = nt.Triples()
    for res in resolutions:
        if res.citation.role == "change":
            _add_change_citation(g, res.citation)
        _add_facts(g, res)
        _add_problems(g, res)
    return g
