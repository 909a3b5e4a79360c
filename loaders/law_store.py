"""Law tables as the store holds them, and the correspondence graph derived from them.

Correspondences depend on two inputs only: the table versions in the store and the
renumberings that loaded assessments record in their 変更箇所. Both are read back from the
store (however they got there: TSV, e-Gov XML, another process), and the derived graph is
rebuilt only when a digest of those inputs changes, so loading one more document that
records no renumbering costs one small query, not a new derivation.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from pia_kg.loaders.law_model import ProviderEntry, TableItem, TableVersion
from rdflib import Graph, Literal, URIRef

from pia_kg.legal import TABLES, table_by_key
from pia_kg.store import Store
from pia_kg.vocab import CORRESPONDENCE_GRAPH, ELI, PIA, RDF, RDFS, mint

__all__ = [
    "main_versions_from_graph",
    "law_graph_from_store",
    "change_records_from_store",
    "derive_correspondence_graphs",
]


# Item tables only: ordinance detail tables are not paired across versions.
_ITEM_TABLE_GRAPHS = tuple(
    str(mint("graph", "law", t.key)) + "/" for t in TABLES if t.kind in ("use", "provision")
)

_CHANGE_RECORDS = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT {
  ?c a pia:ChangeRecord ; pia:before ?before ; pia:after ?after ; dcterms:date ?date ;
     pia:source ?source .
} WHERE {
  ?c a pia:ChangeRecord ; pia:before ?before ; pia:after ?after .
  OPTIONAL { ?c dcterms:date ?date }
  OPTIONAL { ?c pia:source ?source }
}
"""

_DIGEST = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
SELECT ?digest WHERE { GRAPH <%s> { ?g pia:inputsDigest ?digest } }
""" % CORRESPONDENCE_GRAPH


def law_graph_from_store(store: Store) -> Graph:
    """The union of the item-table version graphs in ``store``."""
    out = Graph()
    for g in store.named_graphs():
        if str(g).startswith(_ITEM_TABLE_GRAPHS):
            out += store.get_graph(g)
    return out


def change_records_from_store(store: Store) -> Graph:
    result = store.query(_CHANGE_RECORDS)
    return result.graph if result.graph is not None else Graph()


def _date(value: object) -> dt.date | None:
    return value.toPython() if isinstance(value, Literal) else None


def main_versions_from_graph(g: Graph) -> list[TableVersion]:
    """The item-table versions described in ``g`` (the inverse of ``law_rdf.version_graph``)."""
    versions: dict[URIRef, TableVersion] = {}
    for v in g.subjects(RDF.type, PIA.TableVersion):
        table_key = str(g.value(g.value(v, PIA.versionOf), PIA.tableKey))
        start = _date(g.value(v, ELI.first_date_entry_in_force))
        if start is None:
            continue
        versions[v] = TableVersion(
            table=table_by_key(table_key),
            version_key=str(g.value(v, PIA.versionKey)),
            in_force_from=start,
            in_force_to=_date(g.value(v, ELI.date_no_longer_in_force)),
            revision_id=str(g.value(v, ELI.id_local) or ""),
            source=str(g.value(v, PIA.sourceFile) or ""),
            note=str(g.value(v, RDFS.comment) or ""),
        )
    rows: dict[URIRef, list[tuple[int, TableItem]]] = {v: [] for v in versions}
    for item in g.subjects(RDF.type, PIA.TableItem):
        v = g.value(item, PIA.inVersion)
        if v not in versions:
            continue
        entries = sorted(
            (int(g.value(e, PIA.order) or 0), e) for e in g.objects(item, PIA.providerEntry)
        )
        providers = tuple(
            ProviderEntry(str(g.value(e, PIA.provider) or ""), str(g.value(e, PIA.information) or ""))
            for _, e in entries
        )
        line = g.value(item, PIA.lineStart)
        rows[v].append(
            (
                int(g.value(item, PIA.itemOrder)),
                TableItem(
                    label=str(g.value(item, PIA.itemLabel)),
                    agency=str(g.value(item, PIA.agency) or ""),
                    jimu=str(g.value(item, PIA.jimu) or ""),
                    providers=providers,
                    deleted=bool(g.value(item, PIA.deleted).toPython()),
                    source_line=int(line) if line is not None else None,
                ),
            )
        )
    for v, version in versions.items():
        version.items = [item for _, item in sorted(rows[v], key=lambda r: r[0])]
    return sorted(versions.values(), key=lambda v: (v.table.key, v.in_force_from))


def derive_correspondence_graphs(store: Store) -> dict[URIRef, Graph]:
    """{CORRESPONDENCE_GRAPH: graph} when its inputs changed since last time, else {}."""
    from pia_kg.loaders.correspondence import correspondence_graph, derive_all
    from pia_kg.loaders.renumbering_records import recorded_from_graph, unique

    recorded = unique(recorded_from_graph(change_records_from_store(store)))
    # The digest names each law graph with its size: cheap on every backend, and a law
    # table is only ever replaced whole (a same-size edit of a table is the blind spot).
    digest = hashlib.sha256()
    for g in store.named_graphs():
        if str(g).startswith(_ITEM_TABLE_GRAPHS):
            digest.update(f"{g} {store.triple_count(g)}\n".encode())
    for r in recorded:
        digest.update(repr(r).encode("utf-8"))
    key = digest.hexdigest()
    previous = store.query(_DIGEST).rows
    if previous and str(previous[0][0]) == key:
        return {}
    out = Graph(identifier=CORRESPONDENCE_GRAPH)
    law = law_graph_from_store(store)
    for old, new, pairs in derive_all(main_versions_from_graph(law), recorded):
        out += correspondence_graph(pairs, old, new)
    out.add((CORRESPONDENCE_GRAPH, PIA.inputsDigest, Literal(key)))
    return {CORRESPONDENCE_GRAPH: out}
