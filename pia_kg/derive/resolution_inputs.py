"""What citation resolution reads from the store: law items, citations, documents, change records.

Resolution is a derived graph: it is rebuilt from whatever the store holds, so it reads the
store through SPARQL rather than through loader objects (a document loaded yesterday and one
loaded now are resolved alike). The queries are internal plumbing, not questions a user asks,
so they live here as constants instead of in ``queries/``. They never read the resolution
graph itself: citations that resolution derives from change records are minted under
``id/resolution/`` and filtered out, so a rebuild does not feed on its previous output.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from pia_kg.derive.store_reads import Value, select
from pia_kg.store import Store
from pia_kg.text.legal import LawTable
from pia_kg.vocab import PREFIXES, mint, table_item_iri, table_version_iri

__all__ = [
    "LawItem",
    "LawVersion",
    "CitationRow",
    "DocumentFacts",
    "ChangeRow",
    "DERIVED_CITATION_PREFIX",
    "read_law",
    "read_citations",
    "read_documents",
    "ItemFactRow",
    "read_item_facts",
]

# Citations that resolution itself derives (from change records) are minted under here.
DERIVED_CITATION_PREFIX = str(mint("resolution")) + "/"

_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())

_CITATIONS = _PREFIXES + """
SELECT ?cit ?doc ?table ?item ?article ?written ?basis ?source ?owner ?role ?purpose ?recipient
WHERE {
  # the document looked up from each citation (a join read every prov:wasDerivedFrom of the
  # store, the law's included, when the law is held beside: pia_kg/derive/answer_rows.py)
  ?cit a pia:LegalCitation . OPTIONAL { ?cit prov:wasDerivedFrom ?doc }
  FILTER(BOUND(?doc) && !STRSTARTS(STR(?cit), ?derived))
  OPTIONAL { ?cit pia:citedTable ?table }
  OPTIONAL { ?cit pia:citedItem ?item }
  OPTIONAL { ?cit pia:articleAsWritten ?article }
  OPTIONAL { ?cit pia:tableAsWritten ?written }
  OPTIONAL { ?cit pia:basisText ?basis }
  OPTIONAL { ?cit pia:source ?source }
  {
    ?owner pia:citation ?cit ; a ?role .
    FILTER(?role IN (pia:Transfer, pia:Provision))
    OPTIONAL { ?owner pia:purpose ?purpose }
    OPTIONAL { ?owner pia:recipientName ?recipient }
  } UNION {
    ?owner pia:numberUseBasis ?cit .
    BIND(pia:numberUseBasis AS ?role)
  } UNION {
    ?owner pia:networkLinkageBasis ?cit .
    BIND(pia:networkLinkageBasis AS ?role)
  } UNION {
    ?owner pia:freeTextCitation ?cit .
    BIND(pia:freeTextCitation AS ?role)
  } UNION {
    ?owner pia:quotedCitation ?cit .
    OPTIONAL { ?cit pia:quotedPurpose ?purpose }
    BIND(pia:quotedCitation AS ?role)
  }
}
"""

_DOCUMENTS = _PREFIXES + """
SELECT ?assessment ?doc ?issued ?draft ?task ?docdate WHERE {
  ?assessment a pia:Assessment ; prov:wasDerivedFrom ?doc .
  OPTIONAL { ?assessment dcterms:issued ?issued }
  OPTIONAL { ?assessment pia:isDraft ?draft }
  OPTIONAL { ?assessment pia:taskName ?task }
  OPTIONAL { { ?doc dcterms:date ?docdate } UNION { ?doc dcterms:created ?docdate }
             UNION { ?assessment dcterms:created ?docdate } }
}
"""

_CHANGES = _PREFIXES + """
SELECT ?assessment ?record ?date ?order ?section ?before ?after ?source WHERE {
  ?assessment a pia:Assessment ; pia:changeRecord ?record .
  ?record dcterms:date ?date .
  OPTIONAL { ?record pia:order ?order }
  OPTIONAL { ?record pia:section ?section }
  OPTIONAL { ?record pia:before ?before }
  OPTIONAL { ?record pia:after ?after }
  OPTIONAL { ?record pia:source ?source }
}
"""


_ITEM_FACTS = _PREFIXES + """
SELECT ?table ?item ?status ?revision ?date ?evidence ?source WHERE {
  ?f a pia:ItemStatusFact ; pia:factTable/rdfs:label ?table ; pia:factItem ?item ;
     pia:itemStatus ?status ; pia:knownInRevision ?r .
  ?r eli:id_local ?revision ; eli:first_date_entry_in_force ?date .
  FILTER(LANG(?table) = "ja")
  OPTIONAL { ?f rdfs:comment ?evidence }
  OPTIONAL { ?f pia:source ?source }
}
"""


@dataclass(frozen=True)
class ItemFactRow:
    """An item's state in a revision not held as a table (pia:ItemStatusFact)."""

    table: str  # canonical label
    item: str
    status: str  # present | deleted | absent | reworded
    revision: str
    date: dt.date
    evidence: str
    source: str


@dataclass(frozen=True)
class LawItem:
    iri: URIRef
    label: str
    order: int
    agency: str
    jimu: str
    deleted: bool


@dataclass
class LawVersion:
    """One held version of a table, with its items by label."""

    iri: URIRef
    table: LawTable
    key: str
    in_force_from: dt.date
    in_force_to: dt.date | None  # exclusive
    items: dict[str, LawItem] = field(default_factory=dict)

    def in_force_on(self, date: dt.date) -> bool:
        return self.in_force_from <= date and (self.in_force_to is None or date < self.in_force_to)

    def live_items(self) -> list[LawItem]:
        return [i for i in self.items.values() if not i.deleted]

    @property
    def name(self) -> str:
        return f"{self.table.label} ({self.key})"


@dataclass(frozen=True)
class CitationRow:
    """One citation with what sits next to it: the row that cites it and that row's 用途."""

    iri: URIRef
    doc: URIRef
    table: str | None
    item: str | None
    article: str | None
    written: str | None
    basis: str | None
    source: str | None
    owner: URIRef
    role: str  # "transfer" | "provision" | "use" | "linkage" | "quoted" | "free-text" | "change"
    purpose: str | None
    recipient: str | None


@dataclass(frozen=True)
class ChangeRow:
    record: URIRef
    date: dt.date
    order: int
    section: str
    before: str
    after: str
    source: str | None


@dataclass
class DocumentFacts:
    """What dates an assessment: its 公表日, a date of its own, its change history."""

    assessment: URIRef
    doc: URIRef
    issued: dt.date | None = None
    draft: bool = False
    task: str | None = None
    document_date: dt.date | None = None
    changes: list[ChangeRow] = field(default_factory=list)

    @property
    def latest_change(self) -> dt.date | None:
        return max((c.date for c in self.changes), default=None)


def _text(node: Value) -> str | None:
    return None if node is None else str(node)


def _date(node: Value) -> dt.date | None:
    if node is None:
        return None
    value = node.toPython() if isinstance(node, Literal) else None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(node)[:10])
    except ValueError:
        return None


def read_law(store: Store) -> list[LawVersion]:
    """Every held version of the tables citations can name (detail ordinances left out).

    Built on the law read-back the other derivations share (one read per law state).
    """
    from pia_kg.derive.law_state import main_versions_from_store

    out = []
    for v in main_versions_from_store(store):
        version = LawVersion(
            table_version_iri(v.table.key, v.version_key),
            v.table,
            v.version_key,
            v.in_force_from,
            v.in_force_to,
        )
        for order, item in enumerate(v.items, start=1):
            version.items[item.label] = LawItem(
                iri=table_item_iri(v.table.key, v.version_key, item.label),
                label=item.label,
                order=order,
                agency=item.agency,
                jimu=item.jimu,
                deleted=item.deleted,
            )
        out.append(version)
    return out


_ROLES = {"Transfer": "transfer", "Provision": "provision", "numberUseBasis": "use",
          "networkLinkageBasis": "linkage", "quotedCitation": "quoted",
          "freeTextCitation": "free-text"}


def read_citations(store: Store) -> list[CitationRow]:
    """Every citation loaded from documents, one row per (citation, owner)."""
    query = _CITATIONS.replace("?derived", Literal(DERIVED_CITATION_PREFIX).n3())
    rows = []
    seen: set[tuple[URIRef, URIRef]] = set()
    for r in select(store, query):
        cit, owner = URIRef(str(r["cit"])), URIRef(str(r["owner"]))
        if (cit, owner) in seen:  # several purposes or names on one row: keep the first
            continue
        seen.add((cit, owner))
        role = _ROLES[str(r["role"]).rsplit("#", 1)[-1]]
        rows.append(
            CitationRow(
                iri=cit,
                doc=URIRef(str(r["doc"])),
                table=_text(r["table"]),
                item=_text(r["item"]),
                article=_text(r["article"]),
                written=_text(r["written"]),
                basis=_text(r["basis"]),
                source=_text(r["source"]),
                owner=owner,
                role=role,
                purpose=_text(r["purpose"]),
                recipient=_text(r["recipient"]),
            )
        )
    rows.sort(key=lambda c: (str(c.doc), c.source or "", str(c.iri)))
    return rows


def read_documents(store: Store) -> dict[URIRef, DocumentFacts]:
    """The dating facts of every loaded assessment, by source document IRI."""
    docs: dict[URIRef, DocumentFacts] = {}
    for r in select(store, _DOCUMENTS):
        doc = URIRef(str(r["doc"]))
        facts = docs.setdefault(doc, DocumentFacts(URIRef(str(r["assessment"])), doc))
        facts.issued = facts.issued or _date(r["issued"])
        facts.draft = facts.draft or str(r["draft"]).lower() in ("true", "1")
        facts.task = facts.task or _text(r["task"])
        facts.document_date = facts.document_date or _date(r["docdate"])
    by_assessment = {f.assessment: f for f in docs.values()}
    changes: dict[URIRef, dict[URIRef, ChangeRow]] = defaultdict(dict)
    for r in select(store, _CHANGES):
        facts = by_assessment.get(URIRef(str(r["assessment"])))
        date = _date(r["date"])
        if facts is None or date is None:
            continue
        record = URIRef(str(r["record"]))
        changes[facts.assessment].setdefault(
            record,
            ChangeRow(
                record=record,
                date=date,
                order=int(r["order"]) if r["order"] is not None else 0,
                section=_text(r["section"]) or "",
                before=_text(r["before"]) or "",
                after=_text(r["after"]) or "",
                source=_text(r["source"]),
            ),
        )
    for facts in docs.values():
        facts.changes = sorted(changes[facts.assessment].values(), key=lambda c: (c.date, c.order))
    return docs


def read_item_facts(store: Store) -> list[ItemFactRow]:
    """The item facts the store holds, oldest first (a fact of a revision whose tables are
    held adds nothing: citation_check only reads facts newer than the held version)."""
    rows = [
        ItemFactRow(str(t), str(i), str(st), str(rev), _date(d) or dt.date.min, _text(ev) or "", _text(src) or "")
        for t, i, st, rev, d, ev, src in store.query(_ITEM_FACTS).rows
    ]
    return sorted(rows, key=lambda f: (f.date, f.table, f.item))
