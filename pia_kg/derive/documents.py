"""What is derived from one document and the law, computed for that document alone.

Resolution (each citation against the law in force on the document's date) and history (the
renames its 変更箇所 records, and its recorded renumberings checked against the tables) need
nothing but the document and the law. So they are computed from the law as a worker read it
once and a scratch store that holds the document alone, and written to graphs of that
document's own:

    id:graph/derived/resolution/{doc}    id:graph/derived/history/{doc}

Loading or removing a document then costs work proportional to that document, not to the
store; the one derivation across documents, the law's correspondences, is redone per version
pair only when that pair's inputs change (pia_kg/derive/correspondence_graphs.py, which
digests them with :func:`claims_digest`). The writer reads the law once (:func:`read_law`),
each worker process takes what it read (:func:`init_worker`) and derives documents one after
another (:func:`derive_graph`; the pipeline reads each file first).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.renumbering_records import RecordedRenumbering
from pia_kg.errors import PiaKgError
from pia_kg.search import IndexEntry
from pia_kg.store import GraphData
from pia_kg.vocab import HISTORY_GRAPH, ID, PIA, PROV, RESOLUTION_GRAPH

if TYPE_CHECKING:
    from pia_kg.derive.citation_check import LawContext
    from pia_kg.loaders.law.model import TableVersion

__all__ = [
    "DocumentResult",
    "derived_graphs_of",
    "document_graph_of",
    "is_derived_of_document",
    "read_law",
    "init_worker",
    "law_key",
    "made_with",
    "NOT_LOADING",
    "code_files",
    "prepare",
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
    """One document parsed and derived, as N-Triples per graph encoded in UTF-8 (cheap to
    pickle, and what the writer hands the bulk loader as it comes: :meth:`keep`), with its
    search-index entry."""

    name: str
    graph_iri: URIRef | None = None
    kind: str = ""
    triples: int = 0
    graphs: dict[URIRef, bytes] = field(default_factory=dict)
    claims: list[RecordedRenumbering] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)
    index: IndexEntry | None = None
    error: PiaKgError | None = None

    def text_size(self) -> int:
        """Size of the text it carries to the writer (its graphs' bytes, its document's
        characters)."""
        return sum(map(len, self.graphs.values())) + (len(self.index.text) if self.index else 0)

    def keep(self, graphs: Mapping[URIRef, str]) -> None:
        """Take ``graphs`` (N-Triples text by graph IRI) encoded, here in a worker, for the
        one writing process to pass on as it is (:func:`~pia_kg.backends.oxigraph_store.trig_pieces`).

        >>> r = DocumentResult("d.txt")
        >>> r.keep({URIRef("urn:g"): '<urn:s> <urn:p> "静" .\\n'})
        >>> r.graphs
        {rdflib.term.URIRef('urn:g'): b'<urn:s> <urn:p> "\\xe9\\x9d\\x99" .\\n'}
        """
        self.graphs = {g: text.encode("utf-8") for g, text in graphs.items()}


_DERIVED_FROM = nt.iri(PROV.wasDerivedFrom)
_MADE_WITH = nt.iri(PIA.madeWith)

# --- the law as the derivations read it, and a scratch store a document -----------------

# The law of this process, as the derivations read it (``LawContext`` and the item-table
# versions, :func:`read_law`), taken once per law, and the digest of what was taken.
# Nothing a derivation reads of a document leads into the law's triples (citations, rows,
# change records and names are the document's; the items they meant come from the law read
# here), so each document is derived in a store of its own that holds it alone: nothing to
# drop after it, and no law for each query to pass over. Deriving in a store that held the
# law beside each document took 37.6 ms a document, 28.4 so (200 generated documents, one
# process; the same derived graphs for those, the seeds and the realdocs): the queries pass
# over less, no document is dropped after (1.4 ms), and no store is made anew from the law
# every 50 documents (1.5 ms a document), which Oxigraph's in-memory store needed because it
# keeps what is removed from it.
_LAW: tuple[LawContext, list[TableVersion]] | None = None
_LAW_KEY = ""


def read_law(law_nquads: bytes) -> bytes:
    """The law as the derivations read it (``LawContext``, the item-table versions, and the
    correspondences the tables alone give between successive versions, which every recorded
    renumbering is checked against), read from the law's N-Quads in a store of their own,
    pickled: what the writer sends each worker (:func:`init_worker`) and keeps beside an
    on-disk store (pia_kg/derive/law_cache.py). Each worker read the N-Quads itself before
    (8.4 MB for the tables of ../shared/law, 0.17 s of CPU a worker); this is 0.7 MB, taken
    in 15 ms.

    >>> pickle.loads(read_law(b""))[1:]  # no law: no item-table version, no correspondence
    ([], [])
    """
    from pia_kg.derive.correspondence import derive_correspondences, successive_pairs
    from pia_kg.derive.law_state import main_versions_from_store
    from pia_kg.derive.resolution import law_context
    from pia_kg.derive.scratch import ScratchStore

    held = ScratchStore()
    if law_nquads:
        held.load_nquads(law_nquads)
    versions = main_versions_from_store(held)
    at = {id(v): i for i, v in enumerate(versions)}
    pairs = [(at[id(old)], at[id(new)], derive_correspondences(old, new)) for old, new in successive_pairs(versions)]
    return pickle.dumps((law_context(held), versions, pairs), protocol=pickle.HIGHEST_PROTOCOL)


def law_key(law: bytes) -> str:
    """The law as :func:`read_law` read it, named by a digest of its bytes: a worker takes
    a law once per key, and documents are derived against it (:func:`made_with`).

    >>> law_key(b"") == law_key(b"") != law_key(read_law(b""))
    True
    """
    return hashlib.sha256(law).hexdigest()


def init_worker(law: bytes) -> None:
    """Take the law this process derives against, as :func:`read_law` read it in this run
    (once per worker, and again only when the law changes)."""
    from pia_kg.derive.history import keep_table_correspondences

    global _LAW, _LAW_KEY
    key = law_key(law)
    if _LAW is not None and key == _LAW_KEY:
        return
    # made by this run's writer (read_law), or read from the store's law cache, which takes
    # only a file its own user wrote (pia_kg/derive/law_cache.py)
    context, versions, pairs = pickle.loads(law)
    keep_table_correspondences(versions, pairs)
    _LAW, _LAW_KEY = (context, versions), key


def prepare() -> None:
    """Read now what a derivation reads once per process: its modules, the questions its
    answer rows are shaped after and the digest of pia-kg's files (:func:`made_with`); the
    correspondences of the law's successive table versions, which each recorded renumbering
    is checked against, come with the law (:func:`read_law`). A writer that forks its
    workers prepares first: they start with all of it (the same objects, so the same cache
    entries) instead of each reading it again with its first documents."""
    from pia_kg.derive import answer_rows, basis_links, history, resolution, scratch  # noqa: F401
    from pia_kg.named_queries import named_queries

    named_queries()
    _code_digest()


def made_with(law_key: str) -> str:
    """What a document's derived graphs are made with, as a digest: the derivation format,
    pia-kg's own files (its readers, derivations and questions, byte for byte: all but
    :data:`NOT_LOADING`) and the law as read (its :func:`law_key`). Each resolution graph states
    it (``pia:madeWith``); a load skips a file whose bytes the store holds, made with the same
    (pia_kg/pipeline.py): reading it again would give the same graphs.

    >>> made_with("a") == made_with("a") != made_with("b")
    True
    """
    from pia_kg.derive.derivation_format import FORMAT

    return hashlib.sha256(f"{FORMAT}\n{_code_digest()}\n{law_key}".encode()).hexdigest()[:32]


#: The files of pia-kg a document's graphs depend on (its code, ontology and questions).
_CODE_SUFFIXES = frozenset({".py", ".rq", ".ttl", ".toml"})

#: What a load never runs, in pia_kg: the commands, the reports and the shaping of answers
#: for people (the API is a package of its own, not digested either). A new pia-kg that
#: changed only these does not read a national corpus again (hours of work); a test loads
#: texts and a PDF, derives again and removes a document, and checks that none of it was
#: imported (tests/loaders/documents/test_load_path.py).
NOT_LOADING = ("cli", "impact", "admission.py", "corpus.py", "display.py", "exports.py", "headlines.py", "results.py")


@lru_cache(maxsize=1)
def _code_digest() -> str:
    digest = hashlib.sha256()
    for name, path in code_files():
        digest.update(f"{name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def code_files() -> list[tuple[str, Path]]:
    """The files of pia-kg that :func:`made_with` digests, each with its name in its
    package (``pia_kg.loaders/documents/form.py``), in a stable order."""
    import pia_kg
    import pia_kg.loaders
    import pia_kg.ontology
    import pia_kg.queries

    out = []
    for package in (pia_kg, pia_kg.loaders, pia_kg.ontology, pia_kg.queries):
        for root in map(Path, package.__path__):
            for path in sorted(root.rglob("*")):
                inside = path.relative_to(root)
                if package is pia_kg and inside.parts[0] in NOT_LOADING:
                    continue
                if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file():
                    out.append((f"{package.__name__}/{inside.as_posix()}", path))
    return out


def law_versions() -> list[TableVersion]:
    """The item-table versions of the law this process took (:func:`init_worker`)."""
    return _law()[1]


def _law() -> tuple[LawContext, list[TableVersion]]:
    if _LAW is None:
        init_worker(read_law(b""))
    assert _LAW is not None
    return _LAW


def derive_graph(
    doc_graph: URIRef, graph: GraphData, text: str | None = None
) -> tuple[dict[URIRef, str], list[RecordedRenumbering]]:
    """The derived graphs of one document (N-Triples per graph IRI) and the renumberings it
    records, computed against the law of this process (:func:`init_worker`). ``graph``: the
    document's graph, an rdflib Graph or its N-Triples text; ``text``: that graph as
    N-Triples, when the caller has both."""
    from pia_kg.derive.answer_rows import answer_row_triples
    from pia_kg.derive.basis_links import basis_link_triples
    from pia_kg.derive.history import history_triples
    from pia_kg.derive.resolution import resolution_triples, resolve_all
    from pia_kg.derive.scratch import ScratchStore

    law, versions = _law()
    scratch = ScratchStore()  # the document alone (see ``_LAW``)
    scratch.load_graph(doc_graph, graph if text is None else text)
    resolutions = resolve_all(scratch, law)
    resolution = resolution_triples(resolutions)
    added = [r.citation.iri for r in resolutions if r.citation.role == "change"]
    resolution.update(basis_link_triples(scratch, added))
    resolution.update(answer_row_triples(scratch, resolution))
    history, claims = history_triples(scratch, versions)
    res_iri, hist_iri = derived_graphs_of(doc_graph)
    # Each derived graph says what it was derived from: never empty, so a document without
    # its derived graphs is told from one from which nothing was derived.
    resolution.add(nt.iri(res_iri), _DERIVED_FROM, nt.iri(doc_graph))
    resolution.add(nt.iri(res_iri), _MADE_WITH, nt.literal(made_with(_LAW_KEY)))
    history.add(nt.iri(hist_iri), _DERIVED_FROM, nt.iri(doc_graph))
    return {res_iri: resolution.text(), hist_iri: history.text()}, claims


def derive_text(job: tuple[URIRef, str]) -> DocumentResult:
    """Derive again from a document graph already in the store (N-Triples): ``rederive``'s job
    (the text goes to the scratch store as it is: no rdflib Graph is built)."""
    doc_graph, text = job
    result = DocumentResult(str(doc_graph).rsplit("/", 1)[-1], graph_iri=doc_graph)
    graphs, result.claims = derive_graph(doc_graph, text)
    result.keep(graphs)
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
