"""What assessments' change histories (変更箇所) say about renames and renumberings.

A 変更箇所 row whose 変更前 and 変更後 are each one name is a rename: a department
(福祉局こども未来部子育て支援課 → こども未来局子育て支援課) or a contractor (富士通株式会社
北陸支社 → 富士通Japan株式会社石川支社). Each becomes a ``pia:Rename`` node, and the old name
becomes a ``skos:altLabel`` and ``pia:formerName`` of the entity that carries the name now,
found by following later renames to the end of the chain (北陸支社 → 石川支社 → 富士通Japan
株式会社), so a query for a department also finds it under its old names.

A row that moves a department to a different unit name (福祉総務課 → 子育て支援課) may be a
reassignment rather than a rename; ``pia:sameUnitName`` says which, so a reader can tell.

Renumberings recorded in change histories are claims, not facts: each is held against the
correspondences derived from the tables (``correspondence.check_recorded``, the one checker)
and written as a ``pia:RecordedRenumbering`` with its ``pia:checkStatus`` (confirmed,
contradicted, unknown-item); a contradicted one is a finding.

Everything goes into one derived graph per document (:func:`history_triples` on a store that
holds that document and the law; see pia_kg/derive/documents.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.correspondence import Correspondence
from pia_kg.derive.renumbering_records import RecordedRenumbering
from pia_kg.derive.store_reads import select
from pia_kg.loaders.documents.departments import split_unit, unit_level
from pia_kg.loaders.law.model import TableVersion
from pia_kg.store import Store
from pia_kg.text.widths import compact
from pia_kg.vocab import (
    DCTERMS,
    HISTORY_GRAPH,
    PIA,
    RDF,
    RDFS,
    SKOS,
    mint,
    unit_iri,
)

__all__ = [
    "HISTORY_GRAPH",
    "Rename",
    "renames_from_records",
]


_CONTRACTOR = re.compile(r"株式会社|有限会社|合同会社|合資会社|\(株\)|（株）|財団法人|社団法人|組合")
_NOT_A_NAME = re.compile(r"[【】「」。、:：]|について|を追加|を削除|変更|時点")


@dataclass(frozen=True)
class Rename:
    """One rename a change record states."""

    kind: str  # "department" | "contractor"
    old: str
    new: str
    date: dt.date | None
    body: str
    assessment: str
    source: str
    same_unit_name: bool = False


def _name_and_rest(text: str) -> tuple[str, str]:
    parts = text.split()
    return (compact(parts[0]), " ".join(parts[1:])) if parts else ("", "")


def _kind(old: str, new: str, section: str) -> str | None:
    if _CONTRACTOR.search(old) and _CONTRACTOR.search(new):
        return "contractor"
    if "委託先" in section:
        return None
    if old.endswith("長") or new.endswith("長"):
        return None  # a post (課長) follows its unit's rename; the unit is enough
    if unit_level(old) and unit_level(new):
        return "department"
    return None


def renames_from_records(rows: list[dict[str, str | None]]) -> list[Rename]:
    """The renames among change records (dicts: before, after, section, date, body, ...)."""
    found: dict[tuple[str, str, str, str], Rename] = {}  # one per row that records it
    for r in rows:
        before, after = (r.get("before") or "").strip(), (r.get("after") or "").strip()
        if not before or not after or _NOT_A_NAME.search(before + after):
            continue
        # 子育て支援課 電話 076-… → the name is the first token; the rest must not change
        # except for contractors, whose branch may be written after a space.
        old, old_rest = _name_and_rest(before)
        new, new_rest = _name_and_rest(after)
        kind = _kind(compact(before), compact(after), r.get("section") or "")
        if kind == "contractor":
            old, new = compact(before), compact(after)
        elif old_rest != new_rest:
            continue
        if kind is None or old == new:
            continue
        body = r.get("body") or ""
        same = False
        if kind == "department":
            o, n = split_unit(old, body), split_unit(new, body)
            same = bool(o and n and o.segments[-1] == n.segments[-1])
        date = dt.date.fromisoformat(r["date"]) if r.get("date") else None
        key = (kind, old, new, r.get("source") or "")
        found.setdefault(
            key,
            Rename(kind, old, new, date, body, r.get("assessment") or "", r.get("source") or "", same),
        )
    return sorted(found.values(), key=lambda x: (x.assessment, x.date or dt.date.min, x.old))


_RECORDS = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?record ?assessment ?body ?date ?section ?before ?after ?source WHERE {
  ?assessment pia:changeRecord ?record .
  OPTIONAL { ?assessment pia:body/rdfs:label ?body }
  OPTIONAL { ?record dcterms:date ?date }
  OPTIONAL { ?record pia:section ?section }
  OPTIONAL { ?record pia:before ?before }
  OPTIONAL { ?record pia:after ?after }
  OPTIONAL { ?record pia:source ?source }
}
"""

_ANY_RECORD = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
ASK { { ?assessment pia:changeRecord ?record } UNION { ?record a pia:ChangeRecord } }
"""

_ENTITIES = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
SELECT ?node ?label ?kind WHERE {
  { ?node a org:OrganizationalUnit . BIND("department" AS ?kind) }
  UNION { ?node a pia:Contractor . BIND("contractor" AS ?kind) }
  ?node rdfs:label ?label .
}
"""


def _entities(store: Store) -> dict[tuple[str, str], URIRef]:
    out: dict[tuple[str, str], URIRef] = {}
    for row in select(store, _ENTITIES):
        out.setdefault((str(row["kind"]), compact(str(row["label"]))), row["node"])  # type: ignore[arg-type]
    return out


def _target(r: Rename, renames: list[Rename], entities: dict[tuple[str, str], URIRef]) -> URIRef | None:
    """The entity that carries ``r``'s name now: follow later renames of the new name."""
    name, seen = r.new, {r.old}
    while name not in seen:
        seen.add(name)
        if (r.kind, name) in entities:
            return entities[(r.kind, name)]
        if r.kind == "department" and r.body:
            path = split_unit(name, r.body)
            for key, node in entities.items():
                if path and key[0] == "department" and node == unit_iri(r.body, list(path.segments)):
                    return node
        nxt = [x for x in renames if x.kind == r.kind and x.old == name and x.body == r.body]
        if not nxt:
            return None
        name = nxt[-1].new
    return None


_PIA, _RDF, _RDFS = nt.Names(PIA), nt.Names(RDF), nt.Names(RDFS)
_DCTERMS, _SKOS = nt.Names(DCTERMS), nt.Names(SKOS)


def history_triples(
    store: Store, versions: list[TableVersion] | None = None
) -> tuple[nt.Triples, list[RecordedRenumbering]]:
    """The history of what ``store`` holds, as N-Triples, and the recorded renumberings it
    checked (the inputs the correspondence graph depends on). ``versions``: the store's
    item-table versions, when the caller already read them (``main_versions_from_store``)."""
    g = nt.Triples()
    if not store.query(_ANY_RECORD).boolean:
        return g, []  # no 変更箇所: nothing renamed, no renumbering recorded
    rows = [{k: None if v is None else str(v) for k, v in r.items()} for r in select(store, _RECORDS)]
    renames = renames_from_records(rows)
    entities = _entities(store) if renames else {}
    for r in renames:
        node = nt.iri(mint("rename", r.source or r.assessment, r.kind, r.old, r.new))
        g.add(node, _RDF.type, _PIA.Rename)
        g.add(node, _PIA.renameKind, nt.literal(r.kind))
        g.add(node, _PIA.oldName, nt.literal(r.old))
        g.add(node, _PIA.newName, nt.literal(r.new))
        g.add(node, _PIA.sameUnitName, nt.boolean(r.same_unit_name))
        if r.date:
            g.add(node, _DCTERMS.date, nt.date(r.date))
        if r.source:
            g.add(node, _PIA.source, nt.literal(r.source))
        if r.assessment:
            g.add(node, _PIA.recordedIn, nt.iri(r.assessment))
        target = _target(r, renames, entities)
        if target is not None:
            entity = target.n3()
            g.add(node, _PIA.renames, entity)
            g.add(entity, _PIA.formerName, nt.literal(r.old))
            g.add(entity, _SKOS.altLabel, nt.literal(r.old, lang="ja"))
    return g, _add_record_checks(store, g, versions)


def _add_record_checks(
    store: Store, g: nt.Triples, versions: list[TableVersion] | None = None
) -> list[RecordedRenumbering]:
    """Each recorded renumbering, held against the correspondences derived from the tables;
    returns the records checked."""
    from pia_kg.derive.correspondence import check_recorded, successive_pairs
    from pia_kg.derive.law_state import change_records_from_store, main_versions_from_store
    from pia_kg.derive.renumbering_records import recorded_from_changes

    if versions is None:
        versions = main_versions_from_store(store)
    if not versions:
        return []
    records = recorded_from_changes(change_records_from_store(store))
    if not records:
        return []
    checked = []
    for old, new in successive_pairs(versions):
        checks = check_recorded(table_correspondences(old, new), records, old, new)
        for chk in checks:
            r = chk.record
            checked.append(r)
            node = nt.iri(mint("recorded-renumbering", r.source, r.old_table, r.old_label, r.new_table, r.new_label))
            g.add(node, _RDF.type, _PIA.RecordedRenumbering)
            g.add(node, _PIA.oldTable, nt.literal(r.old_table))
            g.add(node, _PIA.oldItem, nt.literal(r.old_label))
            g.add(node, _PIA.newTable, nt.literal(r.new_table))
            g.add(node, _PIA.newItem, nt.literal(r.new_label))
            g.add(node, _PIA.checkStatus, nt.literal(chk.status))
            g.add(node, _RDFS.comment, nt.literal(chk.detail))
            if r.source:
                g.add(node, _PIA.source, nt.literal(r.source))
            if r.date:
                g.add(node, _DCTERMS.date, nt.date(r.date))
    return checked


_PAIRS_CACHE: dict[tuple[int, int], list[Correspondence]] = {}


def keep_table_correspondences(
    versions: Sequence[TableVersion], pairs: Iterable[tuple[int, int, list[Correspondence]]]
) -> None:
    """Take the correspondences the tables give between versions, as the law was read with
    them (:func:`~pia_kg.derive.documents.read_law`: ``(index of old, index of new,
    correspondences)`` in ``versions``), for :func:`table_correspondences` to give back."""
    _PAIRS_CACHE.clear()
    for old, new, found in pairs:
        _PAIRS_CACHE[id(versions[old]), id(versions[new])] = found


def table_correspondences(old: TableVersion, new: TableVersion) -> list[Correspondence]:
    """The correspondences the tables alone give between two versions; kept per version pair
    (the law read-back is cached, so the same objects come back until the law changes). The
    law a worker takes comes with those of its successive versions
    (:func:`keep_table_correspondences`)."""
    from pia_kg.derive.correspondence import derive_correspondences

    key = (id(old), id(new))
    if key not in _PAIRS_CACHE:
        if len(_PAIRS_CACHE) > 64:
            _PAIRS_CACHE.clear()
        _PAIRS_CACHE[key] = derive_correspondences(old, new)
    return _PAIRS_CACHE[key]
