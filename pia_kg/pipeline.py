"""From files to graphs in a store: documents, law tables, and what is derived from both.

    documents ──load_assessment──┐
                                 ├─► store (one named graph per document / table version)
    law tables ──law readers─────┘            │
                                              ▼
                       derive: correspondences across versions, citation resolutions
                                 (rebuilt whole, in their own graphs)

Every write is all-or-nothing: every file is parsed before anything is written, and the
graphs are swapped in one transaction, so a file that fails mid-way leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from pia_kg.errors import LoaderError, PiaKgError
from pia_kg.search import sync_index
from pia_kg.store import Store
from pia_kg.vocab import document_graph

__all__ = [
    "DOCUMENT_SUFFIXES",
    "derivers",
    "LoadReport",
    "collect_files",
    "load_documents",
    "remove_documents",
    "load_law_dir",
    "refresh_derived",
]

DOCUMENT_SUFFIXES = (".txt", ".pdf")


Progress = Callable[[str], None]
Deriver = Callable[[Store], "dict[URIRef, Graph]"]


@dataclass
class LoadReport:
    documents: list[dict[str, object]] = field(default_factory=list)
    law_versions: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    triples_before: int = 0
    triples_after: int = 0


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """The document files named by ``paths``: files as given, folders searched recursively."""
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in DOCUMENT_SUFFIXES)
        elif p.exists():
            found.append(p)
        else:
            raise LoaderError("no such file or folder", source=p)
    if not found:
        raise LoaderError(
            f"no documents found (looked for {', '.join(DOCUMENT_SUFFIXES)} files)",
            source=", ".join(str(p) for p in paths),
        )
    return found


def load_documents(
    store: Store,
    paths: Iterable[str | Path],
    *,
    keep_going: bool = False,
    progress: Progress | None = None,
) -> LoadReport:
    """Parse every document under ``paths``, then write them all in one transaction.

    With ``keep_going`` a document that fails is reported in ``failed`` and the others are
    loaded; without it the first failure raises and nothing is written.
    """
    from pia_kg.loaders.documents.assessment import load_assessment
    from pia_kg.loaders.documents.report import document_report

    report = LoadReport(triples_before=store.triple_count())
    graphs: dict[URIRef, Graph] = {}
    seen: dict[str, str] = {}
    for path in collect_files(paths):
        if progress:
            progress(path.name)
        try:
            loaded = load_assessment(path)
        except Exception as exc:  # one document's failure, whatever its type, is that document's
            error = exc if isinstance(exc, PiaKgError) else LoaderError(
                f"cannot be loaded ({type(exc).__name__}: {exc})", source=path
            )
            if not keep_going:
                raise error from None
            report.failed.append(str(error))
            continue
        quality = document_report(loaded)
        quality["file"] = path.name
        if quality["sha256"] in seen:  # the same content under another name: reported, not loaded twice
            quality["duplicate_of"] = seen[quality["sha256"]]
            report.documents.append({"document": path.name, "kind": "duplicate", "triples": 0, "quality": quality})
            continue
        seen[quality["sha256"]] = path.name
        graphs[loaded.graph_iri] = loaded.graph
        report.warnings += loaded.warnings
        report.documents.append(
            {"document": path.name, "kind": loaded.kind, "triples": len(loaded.graph), "quality": quality}
        )
    if graphs:
        store.replace_graphs(graphs)
        refresh_derived(store)
        sync_index(store, collect_files(paths))  # the search index and document text (pia_kg.search)
    report.triples_after = store.triple_count()
    return report


def remove_documents(store: Store, doc_ids: Sequence[str]) -> list[str]:
    """Drop the graphs of documents (by id = file stem, or file name); returns those removed."""
    present = set(store.named_graphs())
    targets, missing = [], []
    for doc in doc_ids:
        g = document_graph(Path(doc).stem)
        (targets if g in present else missing).append((doc, g))
    if missing:
        known = sorted(
            str(g).rsplit("/", 1)[-1] for g in present if "/graph/doc/" in str(g)
        )
        raise PiaKgError(
            f"no document {missing[0][0]!r} in the store; loaded documents: {', '.join(known) or 'none'}"
        )
    store.drop_graphs([g for _, g in targets])
    refresh_derived(store)
    return [d for d, _ in targets]


def load_law_dir(store: Store, law_dir: str | Path, *, progress: Progress | None = None) -> LoadReport:
    """Load law table versions (one graph each) from a folder, a TSV or an e-Gov XML file,
    then rebuild what is derived from them."""
    from pia_kg.loaders.law.catalog import read_law_path
    from pia_kg.loaders.law.rdf import version_graph
    from pia_kg.vocab import law_graph

    report = LoadReport(triples_before=store.triple_count())
    graphs: dict[URIRef, Graph] = {}
    for version in read_law_path(law_dir):
        if progress:
            progress(f"{version.table.label} {version.version_key}")
        graphs[law_graph(version.table.key, version.version_key)] = version_graph(version)
        report.law_versions.append(
            {
                "table": version.table.label,
                "version": version.version_key,
                "items": len(version.items),
                "source": version.source,
            }
        )
    if graphs:
        store.replace_graphs(graphs)
        refresh_derived(store)
    report.triples_after = store.triple_count()
    return report


def ontology_graphs(store: Store) -> dict[URIRef, Graph]:
    """The ontology in its own graph, so that labels of classes and individuals (levels,
    relations, document kinds) answer in SPARQL beside the data; rewritten only if changed."""
    from pia_kg.ontology.resources import ontology_graph
    from pia_kg.vocab import ONTOLOGY_GRAPH

    graph = ontology_graph()
    if store.triple_count(ONTOLOGY_GRAPH) == len(graph):
        return {}
    return {ONTOLOGY_GRAPH: graph}


def derivers() -> tuple[Deriver, ...]:
    """Steps that rebuild derived graphs from what the store holds, in order: each takes the
    store and returns {graph IRI: graph}."""
    from pia_kg.derive.history import derive_history_graphs
    from pia_kg.derive.law_state import derive_correspondence_graphs
    from pia_kg.derive.resolution import derive_resolution_graphs

    return (
        ontology_graphs,
        derive_correspondence_graphs,
        derive_resolution_graphs,
        derive_history_graphs,
    )


def refresh_derived(store: Store) -> None:
    """Rebuild every derived graph from what the store now holds."""
    graphs: dict[URIRef, Graph] = {}
    for derive in derivers():
        graphs.update(derive(store))
    if graphs:
        store.replace_graphs(graphs)
