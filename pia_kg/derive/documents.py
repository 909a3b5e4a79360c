"""What is derived from one document and the law, computed for that document alone.

Resolution (each citation against the law in force on the document's date) and history (the
renames its 変更箇所 records, and its recorded renumberings checked against the tables) need
nothing but the document and the law. So they are computed in a scratch store that holds the
law and one document at a time, and written to graphs of that document's own:

    id:graph/derived/resolution/{doc}    id:graph/derived/history/{doc}

Loading or removing a document then costs work proportional to that document, not to the
store; the one derivation across documents, the law's correspondences, is redone per version
pair only when that pair's inputs change (pia_kg/derive/correspondence_graphs.py, which
digests them with :func:`claims_digest`). A worker process holds one scratch store
(:func:`init_worker`) and derives documents one after another (:func:`derive_graph`; the
pipeline reads each file first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.renumbering_records import RecordedRenumbering
from pia_kg.errors import PiaKgError
from pia_kg.search import IndexEntry
from pia_kg.store import GraphData
from pia_kg.vocab import HISTORY_GRAPH, ID, PROV, RESOLUTION_GRAPH

if TYPE_CHECKING:
    from pia_kg.derive.citation_check import LawContext
    from pia_kg.derive.scratch import ScratchStore
    from pia_kg.loaders.law.model import TableVersion

__all__ = [
    "DocumentResult",
    "derived_graphs_of",
    "document_graph_of",
    "is_derived_of_document",
    "init_worker",
    "derive_text",
    "derive_graph",
    "claims_digest",
]


def derived_graphs_of(doc_graph: URIRef) -> tuple[URIRef, URIRef]:
    """The resolution and history graphs of one document graph (same id, other folder).

    >>> derived_graphs_of(URIRef("https://w3id.org/pia-kg/id/graph/doc/001_x"))[0]
    rdflib.term.URIRef('https://w3id.org/pia-kg/id/graph/derived/resolution/001_x')
    """
    doc_id = str(doc_graph).rsplit("/", 1)[-1]
    return URIRef(f"{RESOLUTION_GRAPH}/{doc_id}"), URIRef(f"{HISTORY_GRAPH}/{doc_id}")


def document_graph_of(derived: URIRef) -> URIRef:
    """The document graph a resolution or history graph was derived from: the inverse of
    :func:`derived_graphs_of` (the id as the graph's IRI spells it, not slugged again).

    >>> document_graph_of(derived_graphs_of(URIRef("https://w3id.org/pia-kg/id/graph/doc/%E9%9D%99"))[1])
    rdflib.term.URIRef('https://w3id.org/pia-kg/id/graph/doc/%E9%9D%99')
    """
    return URIRef(f"{ID['graph/doc/']}{str(derived).rsplit('/', 1)[-1]}")


def is_derived_of_document(graph: URIRef) -> bool:
    return str(graph).startswith((f"{RESOLUTION_GRAPH}/", f"{HISTORY_GRAPH}/"))


@dataclass
class DocumentResult:
    """One document parsed and derived, as N-Triples text per graph (cheap to pickle), with
    its search-index entry."""

    name: str
    graph_iri: URIRef | None = None
    kind: str = ""
    triples: int = 0
    graphs: dict[URIRef, str] = field(default_factory=dict)
    claims: list[RecordedRenumbering] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)
    index: IndexEntry | None = None
    error: PiaKgError | None = None

    def text_size(self) -> int:
        """Characters of text it carries to the writer (its graphs, its document's text)."""
        return sum(map(len, self.graphs.values())) + (len(self.index.text) if self.index else 0)


_DERIVED_FROM = nt.iri(PROV.wasDerivedFrom)

# --- the scratch store: the law, and one document at a time ---------------------------

_SCRATCH: ScratchStore | None = None
_SCRATCH_LAW = ""
_LAW_NQUADS = b""
# Documents the scratch store has held since it was made. Oxigraph's in-memory store keeps
# what is removed from it (a dropped graph's quads stay in its indexes, marked removed), so
# every document derived left its quads behind: a worker's cost per document grew by about
# a tenth every hundred documents, and its memory by 0.12 MB per document (500 documents:
# 73 -> 97 ms each on average). The store is made anew from the law every
# ``RENEW_AFTER`` documents: 70 ms each time (about 1.5 ms per document); 50 documents cost
# 78 ms each on average, flat however many a worker derives.
RENEW_AFTER = 50
_HELD = 0
# The law of the scratch store as the derivations read it: read once per law, not per
# document (it was most of the cost of deriving a document).
_LAW: tuple[LawContext, list[TableVersion]] | None = None


def init_worker(law_nquads: bytes) -> None:
    """Give this process a scratch store holding the law (once per worker, and again only
    when the law changes)."""
    global _SCRATCH, _SCRATCH_LAW, _LAW, _LAW_NQUADS, _HELD
    key = hashlib.sha256(law_nquads).hexdigest()
    if _SCRATCH is not None and key == _SCRATCH_LAW:
        return
    _SCRATCH, _SCRATCH_LAW, _LAW, _LAW_NQUADS = _law_store(law_nquads), key, None, law_nquads
    _HELD = 0


def _law_store(law_nquads: bytes) -> ScratchStore:
    from pia_kg.derive.scratch import ScratchStore

    scratch = ScratchStore()
    if law_nquads:
        scratch.load_nquads(law_nquads)
    return scratch


def _renew_if_worn() -> None:
    """After ``RENEW_AFTER`` documents, the same law in a new scratch store (what the law
    reads as, ``_LAW``, is kept: the same N-Quads give the same law)."""
    global _SCRATCH, _HELD
    _HELD += 1
    if _HELD >= RENEW_AFTER:
        _SCRATCH, _HELD = _law_store(_LAW_NQUADS), 0


def _scratch() -> ScratchStore:
    if _SCRATCH is None:
        init_worker(b"")
    assert _SCRATCH is not None
    return _SCRATCH


def _law(scratch: ScratchStore) -> tuple[LawContext, list[TableVersion]]:
    """The scratch store's law, read while it holds no document."""
    from pia_kg.derive.law_state import main_versions_from_store
    from pia_kg.derive.resolution import law_context

    global _LAW
    if _LAW is None:
        _LAW = law_context(scratch), main_versions_from_store(scratch)
    return _LAW


def derive_graph(
    doc_graph: URIRef, graph: GraphData, text: str | None = None
) -> tuple[dict[URIRef, str], list[RecordedRenumbering]]:
    """The derived graphs of one document (N-Triples per graph IRI) and the renumberings it
    records, computed against the law of this process's scratch store. ``graph``: the
    document's graph, an rdflib Graph or its N-Triples text; ``text``: that graph as
    N-Triples, when the caller has both."""
    from pia_kg.derive.answer_rows import answer_row_triples
    from pia_kg.derive.basis_links import basis_link_triples
    from pia_kg.derive.history import history_triples
    from pia_kg.derive.resolution import resolution_triples, resolve_all

    scratch = _scratch()
    law, versions = _law(scratch)
    scratch.load_graph(doc_graph, graph if text is None else text)
    try:
        resolutions = resolve_all(scratch, law)
        resolution = resolution_triples(resolutions)
        added = [r.citation.iri for r in resolutions if r.citation.role == "change"]
        resolution.update(basis_link_triples(scratch, added))
        resolution.update(answer_row_triples(scratch, resolution))
        history, claims = history_triples(scratch, versions)
    finally:
        scratch.drop_graphs([doc_graph])
        _renew_if_worn()
    res_iri, hist_iri = derived_graphs_of(doc_graph)
    # Each derived graph says what it was derived from: never empty, so a document without
    # its derived graphs is told from one from which nothing was derived.
    resolution.add(nt.iri(res_iri), _DERIVED_FROM, nt.iri(doc_graph))
    history.add(nt.iri(hist_iri), _DERIVED_FROM, nt.iri(doc_graph))
    return {res_iri: resolution.text(), hist_iri: history.text()}, claims


def derive_text(job: tuple[URIRef, str]) -> DocumentResult:
    """Derive again from a document graph already in the store (N-Triples): ``rederive``'s job
    (the text goes to the scratch store as it is: no rdflib Graph is built)."""
    doc_graph, text = job
    result = DocumentResult(str(doc_graph).rsplit("/", 1)[-1], graph_iri=doc_graph)
    result.graphs, result.claims = derive_graph(doc_graph, text)
    return result


def claims_digest(law_fingerprint: str, claims: Iterable[RecordedRenumbering]) -> str:
    """A digest of what a correspondence graph is derived from: the law held (its fingerprint,
    and which graph) and the renumberings recorded that concern it, in any order.

    >>> claims_digest("law", []) == claims_digest("law", ()) != claims_digest("other law", [])
    True
    """
    digest = hashlib.sha256(law_fingerprint.encode())
    for c in sorted(
        {(c.old_table, c.old_label, c.new_table, c.new_label, c.source, str(c.date)) for c in claims}
    ):
        digest.update(repr(c).encode("utf-8"))
    return digest.hexdigest()
