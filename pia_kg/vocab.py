"""Namespaces and the minting of stable IRIs.

Every IRI pia-kg writes is minted here, from the identity of the thing it names (a document
id, a body name, a table key and a label), never from a counter or a random value: loading
the same document twice yields the same IRIs, so the graph does not grow.

The ontology itself (classes, properties, their labels and the alignment to DPV, ELI, ORG,
PROV-O and SKOS) is ``ontology/pia.ttl``; this module only names its terms for Python code.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "PIA",
    "ID",
    "DPV",
    "ELI",
    "ORG",
    "PROV",
    "SKOS",
    "DCTERMS",
    "RDF",
    "RDFS",
    "OWL",
    "XSD",
    "BASE",
    "PREFIXES",
    "slug",
    "mint",
    "document_iri",
    "document_graph",
    "body_iri",
    "unit_iri",
    "law_table_iri",
    "table_version_iri",
    "table_item_iri",
    "law_graph",
    "HISTORY_GRAPH",
    "CORRESPONDENCE_GRAPH",
    "FIRST_RECORDS_GRAPH",
    "DERIVATION_FORMAT_GRAPH",
    "STATE_GRAPH",
    "correspondence_graph_iri",
    "ONTOLOGY_GRAPH",
    "RESOLUTION_GRAPH",
    "LAW_REVISIONS_GRAPH",
    "LAW_STATUS_GRAPH",
    "ITEM_MEANINGS_GRAPH",
    "citation_rows_iri",
    "fact_iri",
]

BASE = "https://w3id.org/pia-kg/"
PIA = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
DPV = Namespace("https://w3id.org/dpv#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")

PREFIXES: dict[str, str] = {
    "pia": str(PIA),
    "id": str(ID),
    "dpv": str(DPV),
    "eli": str(ELI),
    "org": str(ORG),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}

# What pia-kg derives from documents and law together lives in graphs of its own, each
# derived for each document (RESOLUTION_GRAPH/{doc}, HISTORY_GRAPH/{doc}: pia_kg/derive/documents.py)
# or, for the correspondences, again whenever their inputs change (pia_kg/pipeline.py).
# Item correspondences across law table versions (pia_kg/derive/correspondence.py): one graph
# per version pair under it (correspondence_graph_iri); a store of an older layout holds this
# one graph for every pair instead.
CORRESPONDENCE_GRAPH = ID["graph/derived/correspondence"]
# The first record of each renumbering the documents record, which the correspondences read
# (pia_kg/derive/first_records.py): kept by the writer, so that it need not read every history.
FIRST_RECORDS_GRAPH = ID["graph/derived/first-records"]
# Which derivation of its documents the store holds (pia_kg/derive/derivation_format.py).
DERIVATION_FORMAT_GRAPH = ID["graph/derived/format"]
# The last write pia-kg made through a SPARQL endpoint, which a remote store's state token
# reads (pia_kg/backends/remote_store.py): not one of the store's graphs for pia-kg.
STATE_GRAPH = ID["graph/state"]
# The ontology itself, loaded beside the data so that its labels answer in SPARQL.
ONTOLOGY_GRAPH = ID["graph/ontology"]
# Citation resolutions and their problems (pia_kg/derive/resolution.py): one graph per document under it.
RESOLUTION_GRAPH = ID["graph/derived/resolution"]
# Revisions of the laws and item facts known beyond the held tables (loaders/law/revisions.py).
# Under graph/law/ with the table versions: the worker processes that resolve citations
# receive every graph/law/ graph (pia_kg/pipeline.py).
LAW_REVISIONS_GRAPH = ID["graph/law/revisions"]
# What the law held in the store says for each date: held, approximate, not-held
# (pia_kg/derive/law_status.py).
LAW_STATUS_GRAPH = ID["graph/derived/law-status"]
# What each law-table item says on each run of dates (pia_kg/derive/item_meanings.py).
ITEM_MEANINGS_GRAPH = ID["graph/derived/item-meanings"]
# Renames and recorded renumberings from 変更箇所 (pia_kg/derive/history.py).
HISTORY_GRAPH = ID["graph/derived/history"]

_SPACES = re.compile(r"\s+")


def slug(text: str) -> str:
    """A stable IRI path segment for a name as spelled anywhere: NFKC, spaces removed, %-escaped.

    ``静岡市 市民局　市民課`` and ``静岡市市民局市民課`` give the same slug, so a unit is one node
    whichever way a document spaces it.
    """
    return _slug_short(text) if len(text) <= 512 else _slug(text)


@lru_cache(maxsize=1 << 16)  # the same names and labels are minted over and over
def _slug_short(text: str) -> str:
    return _slug(text)


def _slug(text: str) -> str:
    folded = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    return quote(folded, safe="-._~()")


def mint(*parts: str) -> URIRef:
    """An IRI under ``id/`` from path parts, each slugged."""
    return ID["/".join(slug(p) for p in parts)]


def document_iri(doc_id: str) -> URIRef:
    """The source document (a prov:Entity) with id ``doc_id`` (its file stem)."""
    return mint("doc", doc_id)


def document_graph(doc_id: str) -> URIRef:
    """The named graph that holds everything extracted from one source document."""
    return mint("graph", "doc", doc_id)


def body_iri(name: str) -> URIRef:
    """A public body (静岡市, 群馬県) or any other organization, by its name."""
    return mint("org", name)


def unit_iri(body: str, path: list[str]) -> URIRef:
    """An organizational unit of ``body``: path from the top, e.g. ["市民局", "市民課"]."""
    return mint("org", body, *path)


def law_table_iri(table_key: str) -> URIRef:
    """A law table as a work (eli:LegalResource), e.g. ``bango-beppyo1``."""
    return mint("law", table_key)


def table_version_iri(table_key: str, version_key: str) -> URIRef:
    """One version of a law table, e.g. (``bango-beppyo1``, ``2024-05-18``)."""
    return mint("law", table_key, version_key)


@lru_cache(maxsize=1 << 16)
def table_item_iri(table_key: str, version_key: str, label: str) -> URIRef:
    """One item (項) of one version of a law table, label as in ``36の2``."""
    return mint("law", table_key, version_key, "item", label)


def law_graph(table_key: str, version_key: str) -> URIRef:
    """The named graph that holds one version of one law table."""
    return mint("graph", "law", table_key, version_key)


def correspondence_graph_iri(old_table: str, old_version: str, new_table: str, new_version: str) -> URIRef:
    """The named graph of the correspondences from one table version to the next.

    >>> str(correspondence_graph_iri("bango-beppyo1", "2024-05-18", "bango-beppyo", "2024-05-27"))
    'https://w3id.org/pia-kg/id/graph/derived/correspondence/bango-beppyo1/2024-05-18/bango-beppyo/2024-05-27'
    """
    return mint("graph", "derived", "correspondence", old_table, old_version, new_table, new_version)


def citation_rows_iri(assessment: str, table: str) -> URIRef:
    """The node holding one assessment's citation rows of one law table, as cited (the rows a
    question about an amendment of that table reads: pia_kg/derive/answer_rows.py).

    >>> str(citation_rows_iri("https://w3id.org/pia-kg/id/doc/a/assessment/main", "番号法 別表第一"))
    'https://w3id.org/pia-kg/id/doc/a/assessment/main/citation-rows/%E7%95%AA%E5%8F%B7%E6%B3%95%E5%88%A5%E8%A1%A8%E7%AC%AC%E4%B8%80'
    """
    return URIRef(f"{assessment}/citation-rows/{slug(table)}")


def fact_iri(doc_id: str, kind: str, *key: str) -> URIRef:
    """A fact node extracted from a document (a system, a transfer row, a change record).

    ``key`` is what identifies the fact inside its document (e.g. section and row number, or
    the line it starts on); long keys are hashed so IRIs stay short but stable.
    """
    joined = "|".join(key)
    if len(joined) > 60:
        joined = hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]
    return mint("doc", doc_id, kind, joined)
