"""From files to graphs in a store: documents, law tables, and what is derived from both.

    documents ──worker processes: parse, derive against the law──┐
                                                                  ├─► store, one batch per transaction
    law tables ──law readers──────────────────────────────────────┘

Each document lives in its own named graph, and what is derived from it and the law alone
(citation resolutions, renames, recorded renumberings checked) in graphs of its own
(pia_kg/derive/documents.py). Worker processes parse and derive documents in parallel, a
bounded number at a time, so memory does not grow with the number of documents; a long
load is written in rounds of ``ROUND`` documents, each by a process of its own. Each batch
of documents is written with its derived graphs, and the correspondence graphs of the
version pairs whose inputs changed, all or nothing (``Store.replace_graphs``: one transaction, or in the
embedded store the bulk loader under an undo journal): a crash leaves every document with
its derivations, or the batch not there at all. The embedded store gathers the batches in a
write group (``Store.write_group``: spooled beside the store, about 500 documents) and
commits them together, all or nothing: the engine then merges its files once a group
instead of once a batch. A document that fails to parse stops the load before its batch
is written (earlier batches stay); with ``keep_going`` it is reported and skipped.

When the law changes, everything derived from it is derived again (:func:`rederive`).
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rdflib import Graph, URIRef

from pia_kg.derive.derivation_format import FORMAT, format_graph
from pia_kg.derive.documents import (
    DocumentResult,
    derive_graph,
    derive_text,
    derived_graphs_of,
    init_worker,
    is_derived_of_document,
    law_key,
    law_versions,
    made_with,
    prepare,
    read_law,
)
from pia_kg.derive.renumbering_records import RecordedRenumbering
from pia_kg.errors import LoaderError, PiaKgError, StoreError
from pia_kg.file_digests import FileDigests, digests_path
from pia_kg.search import IndexEntry, index_entry, index_for
from pia_kg.store import GraphData, Store, WriteGroup, statement_count
from pia_kg.vocab import (
    DERIVATION_FORMAT_GRAPH,
    HISTORY_GRAPH,
    ID,
    PIA,
    RESOLUTION_GRAPH,
    document_graph,
)

if TYPE_CHECKING:
    from pia_kg.loaders.law.model import TableVersion

__all__ = [
    "DOCUMENT_SUFFIXES",
    "DEFAULT_BATCH",
    "LoadReport",
    "collect_files",
    "load_documents",
    "remove_documents",
    "load_law_dir",
    "rederive",
]

DOCUMENT_SUFFIXES = (".txt", ".pdf")
#: Documents per transaction: big enough to amortise a commit, small enough that a batch's
#: N-Triples stay a few tens of MB.
DEFAULT_BATCH = 25
#: Text a batch carries at most (characters of its graphs and documents), whatever its number
#: of documents: a writer's memory follows it (the text, then the bulk loader's work on it,
#: about four times as much), so long documents make smaller batches instead of a bigger
#: process. 25 generated documents carry about 24 million.
BATCH_TEXT = 40_000_000
#: Documents one writing process loads (or derives again) at most. The writer's resident memory grows with what
#: it has written, in native memory that Python does not see and that neither a new store
#: handle nor ``malloc_trim`` gave back (4,000 documents in one process: peak 457 -> 633 MB,
#: linearly; 35,000 would need about 2 GB). A process of its own per round gives it back: 1,000
#: documents into a 4,000-document store peak at 545 MB. A round costs a process start (about
#: 1 s, its workers' included): 1 ms per document.
ROUND = 1000

#: Told by a load into a store whose documents an older pia-kg derived (see
#: pia_kg/derive/derivation_format.py).
OUTDATED_WARNING = (
    "what this store already holds was derived by an older pia-kg: item-meaning, departments-under-item, "
    "recipients-under-item and citation-problems will not answer until `pia-kg rederive` derives them "
    f"again (in format {FORMAT})"
)

Progress = Callable[[str], None]
T = TypeVar("T")

_DOC_GRAPHS = str(ID["graph/doc/"])


@dataclass
class LoadReport:
    documents: list[dict[str, object]] = field(default_factory=list)
    law_versions: list[dict[str, object]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # the documents' (each also in its quality report)
    notices: list[str] = field(default_factory=list)  # of the store or the load as a whole, for the person loading
    failed: list[str] = field(default_factory=list)
    triples_before: int = 0  # the store's size (law loads; a document load does not count it)
    triples_after: int = 0
    triples_written: int = 0  # in the graphs a document load wrote
    compacted: tuple[int, int] | None = None  # the store's bytes before and after the load last compacted it
    compactions: int = 0  # how many times it did (a load in rounds: after each round that doubled the store)


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


def parse_and_derive(path: Path) -> DocumentResult:
    """Read one document file into its graph and derive from it (a worker's job): any
    failure, whatever its type, becomes that document's error."""
    from pia_kg.loaders.documents.assessment import load_assessment
    from pia_kg.loaders.documents.report import document_report

    result = DocumentResult(path.name)
    try:
        loaded = load_assessment(path)
    except Exception as exc:  # one document's failure, whatever its type, is that document's
        result.error = _portable(exc) if isinstance(exc, PiaKgError) else LoaderError(
            f"cannot be loaded ({type(exc).__name__}: {exc})", source=path
        )
        return result
    result.quality = document_report(loaded)
    result.quality["file"] = path.name
    result.graph_iri = loaded.graph_iri
    result.kind = loaded.kind
    result.triples = len(loaded.graph)
    result.warnings = list(loaded.warnings)
    text = loaded.graph.serialize(format="nt")
    derived, result.claims = derive_graph(loaded.graph_iri, loaded.graph, text)
    result.keep({loaded.graph_iri: text, **derived})
    src = loaded.source
    if src is not None:
        result.index = index_entry(src.doc_id, src.name, src.sha256, src.text, loaded.graph)
    return result


def load_documents(
    store: Store,
    paths: Iterable[str | Path],
    *,
    keep_going: bool = False,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH,
    workers: int | None = None,
    batch_text: int = BATCH_TEXT,
    round_size: int | None = None,
    again: bool = False,
    stage: Progress | None = None,
) -> LoadReport:
    """Parse and derive every document under ``paths`` in worker processes; write them in
    batches of ``batch_size`` (fewer where they reach ``batch_text`` characters of text), each
    batch with its derivations in one transaction. More than ``round_size`` documents into a
    store in a folder are loaded in rounds of that many, each written by a process of its own
    (:func:`_in_rounds`). A file the store holds as it is (the same bytes, derived by this
    pia-kg against this law) is reported ``unchanged`` and not read again, unless ``again``
    (:func:`_skip_unchanged`). A load that grew the store enough compacts it at its end
    (``Store.worth_compacting``), told to ``stage``.

    A document that fails raises before its batch is written; with ``keep_going`` it is
    reported in ``failed`` and the others are loaded.
    """
    files = collect_files(paths)
    options = {
        "keep_going": keep_going, "batch_size": batch_size, "workers": workers, "batch_text": batch_text, "again": again
    }
    round_size = round_size or default_round()
    if len(files) > round_size and _hands_over(store):
        report = _in_rounds(store, files, round_size, progress, options, stage)
    else:
        report = _load_files(store, files, progress=progress, seen={}, **options)
        _compact_if_worth(store, report, store.compact, stage)
    return report


def _compact_if_worth(
    store: Store, report: LoadReport, compact: Callable[[], tuple[int, int] | None], stage: Progress | None
) -> None:
    """Compact the store (by ``compact``) when it has grown enough since it was last
    compacted (``Store.worth_compacting``), told to ``stage``; the sizes before and after go
    to ``report``, which counts the compactions."""
    if not store.worth_compacting():
        return
    if stage:
        stage("compacting the store's files")
    try:
        sizes = compact()
    except StoreError as exc:  # the documents are committed: the load did its work
        report.notices.append(f"the documents are loaded, but {exc}; `pia-kg compact` tries again")
        return
    if sizes is not None:
        report.compacted = sizes
        report.compactions += 1


def _load_files(
    store: Store,
    files: Sequence[Path],
    *,
    keep_going: bool,
    progress: Progress | None,
    batch_size: int,
    workers: int | None,
    batch_text: int,
    seen: dict[str, str],
    again: bool = False,
) -> LoadReport:
    """:func:`load_documents` in this process; ``seen``: the documents already loaded by
    content digest (a file of the same content is reported as their duplicate), updated."""
    report = LoadReport()  # no count of the whole store: it would cost a scan of it
    index = index_for(store, prune=True)  # the search index and document text (pia_kg.search)
    written: list[str] = []  # documents in the index whose batch is written, maybe not committed

    def committed() -> None:
        index.confirm(written)
        written.clear()

    try:
        with store.write_group() as group:
            writer = _Writer(store, group=group)
            if writer.outdated:
                report.notices.append(OUTDATED_WARNING)
            if not again:
                files = _skip_unchanged(store, files, writer.law, report, seen, progress)
            results = _in_workers(parse_and_derive, files, writer.law, workers, ahead=batch_size)
            for batch in _batched(results, batch_size, weight=DocumentResult.text_size, limit=batch_text):
                # a failing document raises here: the batches before it are committed as the group ends
                graphs, claims, entries = _take(batch, report, seen, keep_going, progress)
                # The index first: a crash after it leaves entries of documents the store does not
                # hold, which the next writer drops (search.index_for); the other order left
                # documents in the store that no search could find.
                index.add(entries)
                writer.write(graphs, claims)
                written += [e.doc_id for e in entries]
                if not group.pending:  # committed (the group commits itself when full)
                    committed()
        committed()
    except BaseException:
        # what was not committed is not in the store: its entries go (the index's pending ones)
        index_for(store, prune=True)
        raise
    return report


def _skip_unchanged(
    store: Store, files: Sequence[Path], law: bytes, report: LoadReport, seen: dict[str, str], progress: Progress | None
) -> list[Path]:
    """The files to read: ``files`` but those the store holds as they are, each reported
    ``unchanged`` (and ``seen``). A file is held as it is when its document's graph holds its
    SHA-256 and its resolution graph was made with what this load would make it with
    (:func:`~pia_kg.derive.documents.made_with`: this pia-kg's files, this law): reading it
    again would write the same graphs. Only the files whose document the store holds are read
    here (to digest them), found by name: loading a folder again after one file was added to it
    reads that file, not the folder; and a file that did not change on disk since it was last
    digested is not read even for that (pia_kg/file_digests.py). A name given twice is read as
    given.
    """
    names = Counter(p.stem for p in files)
    by_graph = {document_graph(p.stem): p for p in files if names[p.stem] == 1}
    held = store.graphs_held(list(by_graph)) if by_graph else set()
    if not held:
        return list(files)
    marker = made_with(law_key(law))
    stored = _stored_digests(store, sorted(held), marker)
    with FileDigests(digests_path(getattr(store, "path", None))) as digests:
        found = digests.of([by_graph[g] for g in stored])  # one that cannot be read: a worker says why
    same = {by_graph[g] for g, digest in stored.items() if found.get(by_graph[g]) == digest}
    for path in files:
        if path in same:
            if progress:
                progress(path.name)
            seen.setdefault(stored[document_graph(path.stem)], path.name)
            report.documents.append({"document": path.name, "kind": "unchanged", "triples": 0})
    return [p for p in files if p not in same]


def _stored_digests(store: Store, graphs: Sequence[URIRef], marker: str) -> dict[URIRef, str]:
    """The SHA-256 each document graph of ``graphs`` holds, for those whose resolution graph
    was made with ``marker``: looked up by name, 200 documents a query."""
    out: dict[URIRef, str] = {}
    for i in range(0, len(graphs), 200):
        pairs = " ".join(f"(<{g}> <{derived_graphs_of(g)[0]}>)" for g in graphs[i : i + 200])
        rows = store.query(
            f"""SELECT ?g ?sha WHERE {{ VALUES (?g ?res) {{ {pairs} }}
              GRAPH ?g {{ ?source <{PIA.sha256}> ?sha }}
              GRAPH ?res {{ ?res <{PIA.madeWith}> "{marker}" }} }}"""
        ).rows
        out.update((URIRef(str(g)), str(sha)) for g, sha in rows)
    return out


def _take(
    batch: Sequence[DocumentResult],
    report: LoadReport,
    seen: dict[str, str],
    keep_going: bool,
    progress: Progress | None,
) -> tuple[dict[URIRef, GraphData], dict[URIRef, list[RecordedRenumbering]], list[IndexEntry]]:
    """What a batch writes (graphs, recorded renumberings by document graph, index entries),
    its documents reported; a document that failed raises, or with ``keep_going`` is
    reported in ``failed``; one whose content was ``seen`` is reported as a duplicate."""
    graphs: dict[URIRef, GraphData] = {}
    claims: dict[URIRef, list[RecordedRenumbering]] = {}
    entries: list[IndexEntry] = []
    for r in batch:
        if progress:
            progress(r.name)
        if r.error is not None:
            if not keep_going:
                raise r.error
            report.failed.append(str(r.error))
            continue
        assert r.graph_iri is not None
        quality = r.quality
        if quality["sha256"] in seen:  # the same content under another name: reported, not loaded twice
            quality["duplicate_of"] = seen[quality["sha256"]]
            report.documents.append({"document": r.name, "kind": "duplicate", "triples": 0, "quality": quality})
            continue
        seen[quality["sha256"]] = r.name
        graphs.update(r.graphs)
        claims[r.graph_iri] = r.claims
        entries += [r.index] if r.index is not None else []
        report.triples_written += sum(map(statement_count, r.graphs.values()))
        report.warnings += r.warnings
        report.documents.append({"document": r.name, "kind": r.kind, "triples": r.triples, "quality": quality})
    return graphs, claims, entries


# --- rounds: a writing process per round ---------------------------------------------------


def _in_rounds(
    store: Store, files: Sequence[Path], size: int, progress: Progress | None, options: dict[str, Any],
    stage: Progress | None = None,
) -> LoadReport:
    """Load ``files`` ``size`` at a time, each round in a process of its own that opens the
    store, writes its batches as :func:`_load_files` does, and ends: the writer's memory is
    then what one round needs, whatever the number of documents. This process hands the store
    over meanwhile (``released``) and relays each round's progress; a round's error stops the
    load after the batches already written, as in one process. After a round that doubled
    the store since it was last compacted, a process of its own compacts it
    (:func:`_compact_if_worth`): the next rounds write into a compacted store."""
    report = LoadReport()
    seen: dict[str, str] = {}
    with store.released() as opener:  # type: ignore[attr-defined]
        compact = partial(_in_own_process, opener, _compact_round, (), "compacting the store", "`pia-kg compact`", None)
        for start in range(0, len(files), size):
            part = files[start : start + size]
            what = f"writing documents {part[0].name} to {part[-1].name}"
            done, seen = _in_own_process(opener, _load_round, (part, seen, options), what, "loading the same files again", progress)
            report.documents += done.documents
            report.warnings += done.warnings
            report.notices += [n for n in done.notices if n not in report.notices]  # each round tells it
            report.failed += done.failed
            report.triples_written += done.triples_written
            _compact_if_worth(store, report, compact, stage)
    return report


def _compact_round(store: Store, progress: Progress) -> tuple[int, int] | None:
    return store.compact()


def _load_round(
    store: Store, progress: Progress, files: list[Path], seen: dict[str, str], options: dict[str, Any]
) -> tuple[LoadReport, dict[str, str]]:
    return _load_files(store, files, progress=progress, seen=seen, **options), seen


def _hands_over(store: Store) -> bool:
    """Whether another process can write to ``store`` while this one waits (a store in a
    folder: ``released``); a store in memory or behind an endpoint is written from here."""
    return callable(getattr(store, "released", None)) and getattr(store, "path", None) is not None


def _in_own_process(
    opener: Callable[[], Store],
    job: Callable[..., T],
    args: tuple[Any, ...],
    what: str,
    again: str,
    progress: Progress | None,
) -> T:
    """``job(store, progress, *args)`` in a process of its own, on the store ``opener`` opens
    there; its progress relayed to ``progress``, its error raised here (``what`` it was doing
    and what completes it, ``again``, if it dies)."""
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    proc = ctx.Process(target=_run_job, args=(there, opener, job, args, os.getpid()), name="pia-kg-round")
    proc.start()
    there.close()
    try:
        while True:
            try:
                kind, value = here.recv()
            except EOFError:
                proc.join()
                raise StoreError(
                    f"the process {what} stopped (exit code {proc.exitcode}); every batch it wrote "
                    f"whole is in the store, and {again} completes it"
                ) from None
            if kind == "progress":
                if progress:
                    progress(value)
            elif kind == "done":
                return value  # type: ignore[no-any-return]
            else:
                raise value
    finally:
        if proc.is_alive():  # this process was stopped (Ctrl-C): the round stops too
            proc.terminate()
        proc.join()
        here.close()


def _run_job(
    conn: Any, opener: Callable[[], Store], job: Callable[..., Any], args: tuple[Any, ...], parent: int
) -> None:
    """A round's process: run the job, sending each document's name as it goes, then what
    the job returns (or its error, as one for a person); ``parent``: the process that
    started it."""
    _die_with_parent(parent)
    try:
        store = opener()
        try:
            result = job(store, lambda name: conn.send(("progress", name)), *args)
        finally:
            store.close()
        conn.send(("done", result))
    except PiaKgError as exc:
        conn.send(("error", _portable(exc)))
    except Exception as exc:  # whatever it is, the person gets one line, not a traceback
        conn.send(("error", StoreError(f"{type(exc).__name__}: {exc}")))
    except KeyboardInterrupt:
        pass  # Ctrl-C reached the whole group: the process that started this one says so
    finally:
        conn.close()


def _portable(exc: PiaKgError) -> PiaKgError:
    """``exc`` as it can cross to another process: itself if it unpickles, else its message in
    the error type above it that takes a message alone (an error built from a name and a list,
    such as UnknownStoreError, does not unpickle from its message).

    >>> from pia_kg.errors import UnknownStoreError
    >>> e = _portable(UnknownStoreError("x", ["oxigraph"]))
    >>> type(e).__name__, str(e) == str(UnknownStoreError("x", ["oxigraph"]))
    ('StoreError', True)
    """
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 (whatever the unpickling raises)
        for base in type(exc).__mro__[1:]:
            if issubclass(base, PiaKgError):
                try:
                    return pickle.loads(pickle.dumps(base(str(exc))))  # type: ignore[no-any-return]
                except Exception:  # noqa: BLE001, S112
                    continue
        return PiaKgError(str(exc))


def _die_with_parent(parent: int) -> None:
    """Ask Linux to stop this process when ``parent``, the one that started it, dies (a killed
    load stops its writer too; the journal then undoes a half-written batch at the next
    open); if it died while this one was starting, stop now."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere a round ends at its next message, which no one reads
    if os.getppid() != parent:
        os._exit(1)


def remove_documents(store: Store, doc_ids: Sequence[str]) -> list[str]:
    """Drop the graphs of documents (by id = file stem, or file name) and of what was derived
    from them, in one transaction; returns the documents removed."""
    present = store.graphs_held([document_graph(Path(doc).stem) for doc in doc_ids])
    targets, missing = [], []
    for doc in doc_ids:
        g = document_graph(Path(doc).stem)
        (targets if g in present else missing).append((doc, g))
    if missing:
        from pia_kg.headlines import unknown_document

        raise unknown_document(store, missing[0][0], kind="document in the store")
    drops = [x for _, g in targets for x in (g, *derived_graphs_of(g))]
    _Writer(store).write({}, {g: [] for _, g in targets}, drops=drops)
    # the index knows a document by its file stem, which its graph's IRI spells slugged
    removed = {g for _, g in targets}
    index = index_for(store)
    index.remove(d for d in index.doc_ids() if document_graph(d) in removed)
    return [d for d, _ in targets]


def load_law_dir(store: Store, law_dir: str | Path, *, progress: Progress | None = None) -> LoadReport:
    """Load law table versions (one graph each) from a folder, a TSV or an e-Gov XML file,
    then derive again what depends on the law (:func:`rederive`)."""
    from pia_kg.derive.law_cache import forget_law
    from pia_kg.derive.law_status import derive_law_status_graphs
    from pia_kg.loaders.law.catalog import read_law_path
    from pia_kg.loaders.law.rdf import version_graph
    from pia_kg.loaders.law.revisions import known_revisions, revisions_graph
    from pia_kg.vocab import LAW_REVISIONS_GRAPH, law_graph

    report = LoadReport(triples_before=store.triple_count())
    graphs: dict[URIRef, GraphData] = {}
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
        revisions, facts = known_revisions(law_dir)
        graphs[LAW_REVISIONS_GRAPH] = revisions_graph(revisions, facts)
        forget_law(store)  # the law read kept for the next command is of the law replaced here
        store.replace_graphs(graphs)
        status = derive_law_status_graphs(store)  # {} when unchanged
        if status:
            store.replace_graphs(status)
        rederive(store)
    report.triples_after = store.triple_count()
    return report


def rederive(
    store: Store,
    *,
    progress: Progress | None = None,
    batch_size: int = DEFAULT_BATCH,
    workers: int | None = None,
    round_size: int | None = None,
) -> int:
    """Derive everything again from the documents and the law the store holds (for when the
    law changed), in batches, then compact the store; returns the number of documents.
    Graphs of an older layout (one resolution and one history graph for the whole store)
    are dropped. More than ``round_size`` documents in a store in a folder go in rounds, each
    written by a process of its own (as :func:`load_documents` does)."""
    from pia_kg.derive.item_meanings import item_meaning_graphs

    present = store.named_graphs()
    docs = [g for g in present if str(g).startswith(_DOC_GRAPHS)]
    known = {d for g in docs for d in derived_graphs_of(g)}
    stale = [g for g in present if g in (RESOLUTION_GRAPH, HISTORY_GRAPH)]
    stale += [g for g in present if is_derived_of_document(g) and g not in known]
    round_size = round_size or default_round()
    if len(docs) > round_size and _hands_over(store):
        with store.released() as opener:  # type: ignore[attr-defined]
            for start in range(0, len(docs), round_size):
                part = docs[start : start + round_size]
                # the first round starts the first records afresh; the next ones go on from them
                args = (part, stale if start == 0 else [], start == 0, batch_size, workers)
                what = f"deriving documents {start + 1} to {start + len(part)} again"
                _in_own_process(opener, _rederive_docs, args, what, "`pia-kg rederive`", progress)
    else:
        _rederive_docs(store, progress, docs, stale, True, batch_size, workers)
    # every document is derived in this pia-kg's format now, and what each law item says
    # with it (a rederive that dies before this point leaves the store saying the older
    # one: it is run again)
    store.replace_graphs({**item_meaning_graphs(store), DERIVATION_FORMAT_GRAPH: format_graph()})
    store.compact()  # every derived graph was replaced: reclaim the old ones (Store.compact)
    return len(docs)


def _rederive_docs(
    store: Store,
    progress: Progress | None,
    docs: Sequence[URIRef],
    stale: Sequence[URIRef],
    fresh: bool,
    batch_size: int,
    workers: int | None,
) -> int:
    """Derive ``docs`` again and drop ``stale``; ``fresh``: the first records start from none
    (every document of the store is being derived again), else from those the store holds."""
    writer = _Writer(store, read_claims=not fresh)
    jobs = ((g, _ntriples(store.get_graph(g))) for g in docs)
    results = _in_workers(derive_text, jobs, writer.law, workers, ahead=batch_size)
    for batch in _batched(results, batch_size, weight=DocumentResult.text_size, limit=BATCH_TEXT):
        graphs: dict[URIRef, GraphData] = {}
        for r in batch:
            if progress:
                progress(r.name)
            graphs.update(r.graphs)
        writer.write(graphs, {r.graph_iri: r.claims for r in batch if r.graph_iri}, drops=stale)
        stale = []
    if not docs:
        writer.write({}, {}, drops=stale)
    return len(docs)


# --- writing: one transaction per batch --------------------------------------------------

class _Writer:
    """Writes batches of document graphs with what depends on them: the ontology graph (if
    missing or changed), the first record of each renumbering the documents record
    (pia_kg/derive/first_records.py) and the correspondence graphs of the version pairs whose
    law or first records changed (pia_kg/derive/correspondence_graphs.py), each batch in one
    ``replace_graphs``. What it reads of the store at the start does not grow with the number
    of documents (``read_claims=False``: start from no recorded renumbering, for a writer
    that derives every document again)."""

    def __init__(self, store: Store, *, read_claims: bool = True, group: WriteGroup | None = None):
        from pia_kg.derive.correspondence_graphs import CorrespondenceGraphs
        from pia_kg.derive.derivation_format import has_documents, has_law, store_format
        from pia_kg.derive.first_records import FirstRecords
        from pia_kg.derive.law_state import law_fingerprint

        self.store = store
        # A store without documents or law takes this pia-kg's derivation format with the
        # first batch; one whose documents or law were derived in another stays so until
        # `rederive`.
        other = store_format(store) != FORMAT
        self.mark_format = other and not has_documents(store) and not has_law(store)
        self.outdated = other and not self.mark_format
        self.first_records = FirstRecords.read(store) if read_claims else FirstRecords(saved=False)
        self.correspondences = CorrespondenceGraphs(store, law_fingerprint(store), self._law_versions)
        self.first = True
        #: The store's write group the writes go to (``_load_files``); its reads see what is
        #: committed, so it commits before a batch whose first records depend on what it holds.
        self.group = group if group is not None else WriteGroup()

    @cached_property
    def law(self) -> bytes:
        """The law as the workers derive against it (:func:`~pia_kg.derive.documents.read_law`),
        read once, when first needed (a removal may need none of it), or kept from the command
        before (pia_kg/derive/law_cache.py), and taken by this process too."""
        from pia_kg.derive.law_cache import law_read
        from pia_kg.derive.law_state import law_graphs

        graphs = law_graphs(self.store)
        law = law_read(self.store, graphs, lambda: read_law(_law_nquads(self.store, graphs)))
        init_worker(law)
        return law

    def _law_versions(self) -> list[TableVersion]:
        """The law's item-table versions, as :attr:`law` read them: the correspondences'."""
        init_worker(self.law)
        return law_versions()

    def write(
        self,
        graphs: dict[URIRef, GraphData],
        claims: dict[URIRef, list[RecordedRenumbering]],
        drops: Sequence[URIRef] = (),
    ) -> None:
        """Write ``graphs`` (documents and what was derived from each) and drop ``drops``;
        ``claims``: the renumberings each written or removed document records, by document
        graph (a removed one: none)."""
        from pia_kg.vocab import FIRST_RECORDS_GRAPH

        leaving = [g for g in drops if str(g).startswith(_DOC_GRAPHS)]
        if self.group.pending and self.first_records.involves({*claims, *leaving}):
            # the batch replaces or removes a document that holds a first record: the others
            # of its claims are read from the store, which must hold every batch before it
            self.group.commit()
        # the law may have changed since the correspondences were written: the first batch
        # compares their digests whatever it records
        if self.first_records.change(self.store, claims, leaving) or self.first:
            pairs, stale = self.correspondences.update(self.first_records.records())
            graphs.update(pairs)
            drops = [*drops, *stale]
        if not self.first_records.saved:
            graphs[FIRST_RECORDS_GRAPH] = self.first_records.text()
        if self.first:
            graphs.update(_ontology_graphs(self.store))
            if self.mark_format:
                graphs[DERIVATION_FORMAT_GRAPH] = format_graph()
        # derived graphs before the documents they come from: a store that applies a request
        # step by step (Virtuoso) is never left with a document without its derivations
        ordered = dict(sorted(graphs.items(), key=lambda kv: str(kv[0]).startswith(_DOC_GRAPHS)))
        if ordered or drops:
            self.store.replace_graphs(ordered, drops)
        self.first = False
        self.first_records.saved = True


def _ontology_graphs(store: Store) -> dict[URIRef, GraphData]:
    """The ontology in its own graph, so that labels of classes and individuals (levels,
    relations, document kinds) answer in SPARQL beside the data; rewritten only if changed."""
    from pia_kg.ontology.resources import ontology_ntriples
    from pia_kg.vocab import ONTOLOGY_GRAPH

    text = ontology_ntriples()
    if store.triple_count(ONTOLOGY_GRAPH) == text.count("\n"):
        return {}
    return {ONTOLOGY_GRAPH: text}


def _law_nquads(store: Store, graphs: list[URIRef]) -> bytes:
    """The law graphs ``graphs`` as N-Quads, for the writer to read the law from (``read_law``)."""
    dump = getattr(store, "graphs_nquads", None)
    if dump is not None:
        return dump(graphs)
    lines = []
    for g in graphs:
        for s, p, o in store.get_graph(g):
            lines.append(f"{s.n3()} {p.n3()} {o.n3()} <{g}> .\n")
    return "".join(lines).encode("utf-8")


def _ntriples(graph: Graph) -> str:
    return graph.serialize(format="nt")


# --- worker processes ----------------------------------------------------------------------


def default_round() -> int:
    """``ROUND`` documents per writing process (``PIA_KG_ROUND`` overrides)."""
    return max(1, int(os.environ.get("PIA_KG_ROUND", 0)) or ROUND)


def default_workers() -> int:
    """One worker per core (``PIA_KG_WORKERS`` overrides)."""
    return int(os.environ.get("PIA_KG_WORKERS", 0)) or (os.cpu_count() or 1)


def _in_workers(
    job: Callable[[Any], DocumentResult],
    items: Iterable[Any],
    law: bytes,
    workers: int | None,
    *,
    ahead: int = 0,
) -> Iterator[DocumentResult]:
    """``job`` over ``items`` in worker processes, results in order, with two jobs per
    worker plus ``ahead`` in flight: memory stays bounded whatever the number of items, and
    while the caller writes a batch of ``ahead`` results the workers go on with the next
    batch instead of waiting (with two per worker only, they sat idle through most of each
    write). A single worker, or a handful of items, run in this process. ``law``: the law
    as :func:`~pia_kg.derive.documents.read_law` read it."""
    items = iter(items)
    first = list(itertools.islice(items, 4))
    n = workers if workers is not None else default_workers()
    if n <= 1 or len(first) < 4:
        init_worker(law)
        yield from map(job, itertools.chain(first, items))
        return
    method = _start_method()
    if method == "fork":
        _prepare_fork(law)
    pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context(method), initializer=_start_worker, initargs=(law,))
    try:
        pending: deque[Future[DocumentResult]] = deque()
        source = itertools.chain(first, items)
        for item in itertools.islice(source, 2 * n + ahead):
            pending.append(pool.submit(job, item))
            gc.unfreeze()  # the first submission started every worker
        while pending:
            done = pending.popleft().result()
            for item in itertools.islice(source, 1):
                pending.append(pool.submit(job, item))
            yield done
    finally:
        gc.unfreeze()
        pool.shutdown(wait=True, cancel_futures=True)


def _start_method() -> str:
    """How worker processes start: forked from this process when it runs no other thread of
    Python's, started anew otherwise.

    A forked worker begins with what this process already has: its modules, the law it read
    and what :func:`~pia_kg.derive.documents.prepare` read of it. A worker started anew
    imported and read all of that itself, about 0.6 CPU s, in each worker and each command
    (10 ms a document in commands of 100). The engine's own threads (the embedded store's
    merges) are not copied and hold nothing a worker uses: a worker opens no store but its
    scratch store in memory, and ends without closing anything it was given. Another thread
    of Python's could hold a lock of the interpreter's or of a library's at the moment of
    the fork, and the worker would wait for it for ever: a server or a test that runs
    threads gets workers started anew.
    """
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _prepare_fork(law: bytes) -> None:
    """Before forking the workers: the law taken here, what every worker reads once read
    (the document readers' modules, :func:`~pia_kg.derive.documents.prepare`), and all of it
    set aside from the garbage collector, so that a worker's collections do not walk it and
    copy its pages (undone here once the workers are forked)."""
    from pia_kg.loaders.documents import assessment, report  # noqa: F401  (the workers' first job)

    init_worker(law)
    prepare()
    gc.collect()
    gc.freeze()


def _start_worker(law: bytes) -> None:
    """A worker process: the law taken, then everything it holds so far (modules,
    the law) set aside from the garbage collector, which would otherwise walk it again with
    every document."""
    init_worker(law)
    gc.collect()
    gc.freeze()
    # A document's objects die by reference counting (its graph holds no cycle: over 150
    # documents a collection finds ten objects to free), so the collector is let run a
    # generation every 20,000 new objects instead of 700, and a full collection rarely: it
    # walked every cache entry the worker made since (5-8% of a document's work).
    gc.set_threshold(20_000, 50, 50)


def _batched(
    items: Iterable[T], size: int, *, weight: Callable[[T], int] | None = None, limit: int = 0
) -> Iterator[list[T]]:
    """``items`` in lists of ``size``; with ``weight``, a list also ends at the item that
    brings its weight to ``limit``.

    >>> list(_batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    >>> list(_batched([5, 1, 9, 1, 1, 1], 4, weight=lambda n: n, limit=6))
    [[5, 1], [9], [1, 1, 1]]
    """
    batch: list[T] = []
    total = 0
    for item in items:
        batch.append(item)
        total += weight(item) if weight is not None else 0
        if len(batch) >= max(1, size) or (weight is not None and total >= limit):
            yield batch
            batch, total = [], 0
    if batch:
        yield batch
