"""Law tables as the store holds them, and the correspondence graphs derived from them.

Correspondences depend on two inputs only: the table versions in the store and the
renumberings that loaded assessments record in their 変更箇所. Both are read back from the
store (however they got there: TSV, e-Gov XML, another process), and each version pair's
graph is derived again only when a digest of its own inputs changes
(pia_kg/derive/correspondence_graphs.py), so loading one more document that records no new
renumbering derives nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from rdflib import Literal, URIRef

from pia_kg.derive.renumbering_records import ChangeText
from pia_kg.derive.store_reads import Value, select
from pia_kg.loaders.law.model import ProviderEntry, TableItem, TableVersion
from pia_kg.store import Store
from pia_kg.text.legal import TABLES, table_by_key
from pia_kg.vocab import LAW_REVISIONS_GRAPH, PIA, mint

__all__ = [
    "main_versions_from_store",
    "change_records_from_store",
    "law_fingerprint",
    "graphs_fingerprint",
    "law_graphs",
    "derive_correspondence_graphs",
]


_LAW_GRAPHS = str(mint("graph", "law")) + "/"
# Item tables only: ordinance detail tables are not paired across versions.
_ITEM_TABLE_GRAPHS = tuple(
    str(mint("graph", "law", t.key)) + "/" for t in TABLES if t.kind in ("use", "provision")
)

_CHANGE_RECORDS = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?c ?before ?after ?date ?source WHERE {
  ?c a pia:ChangeRecord ; pia:before ?before ; pia:after ?after .
  OPTIONAL { ?c dcterms:date ?date }
  OPTIONAL { ?c pia:source ?source }
}
"""

_VERSIONS = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?v ?key ?versionKey ?from ?to ?revision ?sourceFile ?note WHERE {
  ?v a pia:TableVersion ; pia:versionOf/pia:tableKey ?key ; pia:versionKey ?versionKey ;
     eli:first_date_entry_in_force ?from .
  OPTIONAL { ?v eli:date_no_longer_in_force ?to }
  OPTIONAL { ?v eli:id_local ?revision }
  OPTIONAL { ?v pia:sourceFile ?sourceFile }
  OPTIONAL { ?v rdfs:comment ?note }
}
"""

# One row per item, or per provider entry of an item that has them.
_ITEMS = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
SELECT ?v ?order ?label ?agency ?jimu ?deleted ?line ?entryOrder ?provider ?information WHERE {
  ?item a pia:TableItem ; pia:inVersion ?v ; pia:itemOrder ?order ; pia:itemLabel ?label ;
        pia:deleted ?deleted .
  OPTIONAL { ?item pia:agency ?agency }
  OPTIONAL { ?item pia:jimu ?jimu }
  OPTIONAL { ?item pia:lineStart ?line }
  OPTIONAL {
    ?item pia:providerEntry ?entry .
    ?entry pia:order ?entryOrder .
    OPTIONAL { ?entry pia:provider ?provider }
    OPTIONAL { ?entry pia:information ?information }
  }
}
"""


def _text(term: object) -> str:
    return "" if term is None else str(term)


# The graphs of table versions: each holds its version (loaders/law/rdf.py: version_graph),
# found through the index of types, not by listing every graph of the store.
_VERSION_GRAPHS = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?v a <{PIA.TableVersion}> }} }}"


def law_graphs(store: Store) -> list[URIRef]:
    """The graphs of the law the store holds: each table version's and the revisions' (every
    graph under ``graph/law/``), found by what they hold, not by listing every graph of a
    store that holds thousands of documents."""
    found = {URIRef(str(row[0])) for row in store.query(_VERSION_GRAPHS).rows}
    found = {g for g in found if str(g).startswith(_LAW_GRAPHS)}
    return sorted(found | store.graphs_held([LAW_REVISIONS_GRAPH]))


def law_fingerprint(store: Store) -> str:
    """Names and sizes of the item-table graphs (:func:`graphs_fingerprint`)."""
    graphs = [URIRef(str(row[0])) for row in store.query(_VERSION_GRAPHS).rows]
    return graphs_fingerprint(store, [g for g in graphs if str(g).startswith(_ITEM_TABLE_GRAPHS)])


def graphs_fingerprint(store: Store, graphs: Iterable[URIRef]) -> str:
    """A digest of the names and sizes of ``graphs``: cheap on every backend (a count per
    graph), and a law table is only ever replaced whole (a same-size edit of a table is the
    blind spot)."""
    digest = hashlib.sha256()
    for g in sorted(graphs):
        digest.update(f"{g} {store.triple_count(g)}\n".encode())
    return digest.hexdigest()


# Several derivations read the law back after every load; the tables rarely change.
_VERSIONS_CACHE: dict[tuple[int, str], list[TableVersion]] = {}


def main_versions_from_store(store: Store) -> list[TableVersion]:
    """The item-table versions the store holds (the inverse of ``law_rdf.version_graph``).

    Cached per store and law fingerprint: callers must not modify what they get.
    """
    key = (id(store), law_fingerprint(store))
    if key not in _VERSIONS_CACHE:
        _VERSIONS_CACHE.clear()
        _VERSIONS_CACHE[key] = _read_versions(store)
    return _VERSIONS_CACHE[key]


def _read_versions(store: Store) -> list[TableVersion]:
    versions: dict[str, TableVersion] = {}
    for v, key, version_key, start, end, revision, source, note in store.query(_VERSIONS).rows:
        table = table_by_key(str(key))
        if table.kind not in ("use", "provision"):
            continue
        versions[str(v)] = TableVersion(
            table=table,
            version_key=str(version_key),
            in_force_from=dt.date.fromisoformat(str(start)),
            in_force_to=dt.date.fromisoformat(str(end)) if end is not None else None,
            revision_id=_text(revision),
            source=_text(source),
            note=_text(note),
        )
    items: dict[tuple[str, int], dict[str, object]] = {}
    for row in store.query(_ITEMS).rows:
        v, order, label, agency, jimu, deleted, line, entry_order, provider, information = row
        if str(v) not in versions:
            continue
        item = items.setdefault(
            (str(v), int(order)),
            {
                "label": str(label),
                "agency": _text(agency),
                "jimu": _text(jimu),
                "deleted": str(deleted) in ("true", "1"),
                "line": int(line) if line is not None else None,
                "providers": {},
            },
        )
        if entry_order is not None:
            item["providers"][int(entry_order)] = ProviderEntry(_text(provider), _text(information))  # type: ignore[index]
    for (v, _order), item in sorted(items.items(), key=lambda kv: kv[0]):
        providers = item["providers"]
        versions[v].items.append(
            TableItem(
                label=str(item["label"]),
                agency=str(item["agency"]),
                jimu=str(item["jimu"]),
                providers=tuple(providers[k] for k in sorted(providers)),  # type: ignore[union-attr]
                deleted=bool(item["deleted"]),
                source_line=item["line"],  # type: ignore[arg-type]
            )
        )
    return sorted(versions.values(), key=lambda v: (v.table.key, v.in_force_from))


def change_records_from_store(store: Store) -> list[ChangeText]:
    """The change records the store holds, each once, in the order first found. A record
    with several values of a property reads the first (as a graph's ``value`` did)."""
    found: dict[str, dict[str, Value]] = {}
    for row in select(store, _CHANGE_RECORDS):
        record = found.setdefault(str(row["c"]), dict(row))
        for key in ("date", "source"):
            if record[key] is None:
                record[key] = row[key]
    return [
        ChangeText(
            record,
            str(r["before"]),
            str(r["after"]),
            r["date"].toPython() if isinstance(r["date"], Literal) else r["date"],
            None if r["source"] is None else str(r["source"]),
        )
        for record, r in found.items()
    ]


def derive_correspondence_graphs(store: Store) -> tuple[dict[URIRef, str], list[URIRef]]:
    """The correspondence graphs to write (N-Triples, one per version pair whose inputs
    changed since it was derived) and to drop (the older layout's single graph, pairs no
    longer held) for the law and the renumberings the store's documents record;
    ``({}, [])`` when the store is up to date (pia_kg/derive/correspondence_graphs.py)."""
    from pia_kg.derive.correspondence_graphs import CorrespondenceGraphs
    from pia_kg.derive.first_records import stored_claims

    claims = [c for cs in stored_claims(store).values() for c in cs]
    return CorrespondenceGraphs(store, law_fingerprint(store)).update(claims)
