"""A law table version as RDF, in the terms of docs/model.md (section "Law").

One graph per version (``vocab.law_graph``), so reloading a table replaces exactly that
version. The graph also states the version's ``pia:LawTable`` (label, key, kind): every
version graph is self-contained, and the repeated triples are identical across graphs.

Ordinance detail tables (H26 ordinances 5 and 7) are written as versions too: one
``pia:TableItem`` per 号, with ``pia:detailsItem`` pointing at the 別表 item it details and a provider entry holding
only ``pia:information`` for the ordinance's 特定個人情報 column, because the text of each 号 is
the best evidence of what a 別表 item covers.

Text values (agency, 事務, provider, information) are plain literals, as document facts
are, so the two compare directly; only ``rdfs:label`` carries a language tag.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from pia_kg.loaders.law.model import TableItem, TableVersion
from pia_kg.loaders.law.tsv import DetailItem, tsv_line_span
from pia_kg.vocab import (
    ELI,
    PIA,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    XSD,
    law_graph,
    law_table_iri,
    mint,
    table_item_iri,
    table_version_iri,
)

__all__ = ["version_graph", "item_iri", "provider_entry_iri", "source_file_iri"]


def item_iri(version: TableVersion, item: TableItem) -> URIRef:
    return table_item_iri(version.table.key, version.version_key, item.label)


def provider_entry_iri(version: TableVersion, item: TableItem, order: int) -> URIRef:
    """The n-th (1-based) 情報提供者 entry of ``item``; minted under the item's path."""
    return mint(
        "law", version.table.key, version.version_key, "item", item.label, "provider", str(order)
    )


def source_file_iri(file_name: str) -> URIRef:
    """The law file (TSV or e-Gov XML) a version was read from, as a prov:Entity."""
    return mint("law-file", file_name)


def version_graph(version: TableVersion) -> Graph:
    """The triples of one table version: its table, the version, its items and providers.

    The graph's identifier is the version's named graph, ``vocab.law_graph(key, version)``.
    """
    g = Graph(identifier=law_graph(version.table.key, version.version_key))
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    table = version.table
    t = law_table_iri(table.key)
    g.add((t, RDF.type, PIA.LawTable))
    g.add((t, RDFS.label, Literal(table.label, lang="ja")))
    g.add((t, RDFS.label, Literal(table.label_en, lang="en")))
    g.add((t, PIA.tableKey, Literal(table.key)))
    g.add((t, PIA.tableKind, Literal(table.kind)))

    v = table_version_iri(table.key, version.version_key)
    g.add((v, RDF.type, PIA.TableVersion))
    g.add((v, RDFS.label, Literal(f"{table.label} ({version.version_key})", lang="ja")))
    g.add((v, PIA.versionOf, t))
    g.add((v, ELI.is_member_of, t))
    g.add((v, PIA.versionKey, Literal(version.version_key)))
    g.add((v, ELI.first_date_entry_in_force, Literal(version.in_force_from, datatype=XSD.date)))
    if version.in_force_to is not None:
        g.add((v, ELI.date_no_longer_in_force, Literal(version.in_force_to, datatype=XSD.date)))
    if version.revision_id:
        g.add((v, ELI.id_local, Literal(version.revision_id)))
    g.add((v, PIA.sourceFile, Literal(version.source)))
    g.add((v, PROV.wasDerivedFrom, source_file_iri(version.source)))
    g.add((source_file_iri(version.source), RDF.type, PROV.Entity))
    if version.note:
        g.add((v, RDFS.comment, Literal(version.note, lang="en")))

    for order, item in enumerate(version.items, start=1):
        _add_item(g, version, v, item, order)
    return g


def _add_item(g: Graph, version: TableVersion, v: URIRef, item: TableItem, order: int) -> None:
    i = item_iri(version, item)
    g.add((i, RDF.type, PIA.TableItem))
    g.add((i, PIA.itemLabel, Literal(item.label)))
    g.add((i, PIA.itemOrder, Literal(order, datatype=XSD.integer)))
    g.add((i, PIA.inVersion, v))
    g.add((i, ELI.is_part_of, v))
    g.add((i, PIA.deleted, Literal(item.deleted, datatype=XSD.boolean)))
    for prop, text in ((PIA.agency, item.agency), (PIA.jimu, item.jimu)):
        if text:
            g.add((i, prop, Literal(text)))
    # Items read from e-Gov XML have no line numbers: they keep prov:wasDerivedFrom only,
    # since pia:source is always a FILE#Ls-Le reference.
    g.add((i, PROV.wasDerivedFrom, source_file_iri(version.source)))
    span = tsv_line_span(item) if version.source.endswith(".tsv") else None
    if span:
        g.add((i, PIA.source, Literal(f"{version.source}#L{span[0]}-L{span[1]}")))
        g.add((i, PIA.lineStart, Literal(span[0], datatype=XSD.integer)))
        g.add((i, PIA.lineEnd, Literal(span[1], datatype=XSD.integer)))
    for n, entry in enumerate(item.providers, start=1):
        p = provider_entry_iri(version, item, n)
        g.add((i, PIA.providerEntry, p))
        g.add((p, RDF.type, PIA.ProviderEntry))
        g.add((p, PIA.order, Literal(n, datatype=XSD.integer)))
        if entry.provider:
            g.add((p, PIA.provider, Literal(entry.provider)))
        if entry.information:
            g.add((p, PIA.information, Literal(entry.information)))
    if isinstance(item, DetailItem):
        if item.details_label and item.details_table and item.details_version:
            target = table_item_iri(item.details_table, item.details_version, item.details_label)
            g.add((i, PIA.detailsItem, target))
