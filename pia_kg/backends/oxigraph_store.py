"""Embedded Oxigraph on disk: the default store.

Opened ``read_only`` (what ``pia-kg serve`` does), it holds no lock, so ``pia-kg load`` can
write the same folder meanwhile; before each read the handle checks the folder's state
token and reopens when a write has landed, so answers follow the loads.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from pia_kg.backends.common import (
    SparqlUpdateStore,
    capped,
    delta_plan,
    directory_token,
    ntriples,
    ntriples_utf8,
    prefix_lines,
    swap_update,
    with_timeout,
    without_prefix_lines,
)
from pia_kg.backends.journal import (
    MAX_UNDO_BYTES,
    journal_path,
    read_journal,
    remove_journal,
    write_journal,
)
from pia_kg.errors import QueryError, ResultLimitError, StoreError
from pia_kg.store import (
    ExportFormat,
    GraphData,
    QueryResult,
    WriteGroup,
    beside_store,
    replace_file,
)
from pia_kg.vocab import PREFIXES

_XSD_STRING = str(XSD.string)

#: An Oxigraph term, as ``query_terms`` gives them.
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
#: What ``query_terms`` answers: (variables, rows) for a SELECT, triples for a CONSTRUCT,
#: a bool for an ASK.
RawResult = tuple[list[str], list[tuple[OxTerm | None, ...]]] | list[ox.Triple] | bool
_Converter = Callable[[object, int | None], object]

#: Bytes of RDF text written between two flushes of the engine's write buffers (memory).
FLUSH_EVERY = 32 << 20
#: New graphs' TriG a write group spools to disk before committing them: see
#: :class:`_SpoolGroup`. What bounds a group in practice is the load's round
#: (``pipeline.ROUND``, 1,000 documents a writing process: about 2.2 GB of TriG for generated
#: documents), so a round is one commit; this bounds the spool for rounds of bigger
#: documents. One `pia-kg load` of 1,000 generated documents took 0.160-0.166 CPU s a
#: document so, 0.174-0.176 in groups of 512 MB (about 230 documents; the main process 65-67
#: ms a document against 69-73), and 313-316 bytes a triple after the load against 329.
GROUP_BYTES = 4096 << 20
#: Characters (bytes, of text sent in UTF-8) of replaced graphs (graphs the store holds
#: already) a write group keeps in memory.
GROUP_REPLACED = 4 << 20

_EXPORT = {
    ExportFormat.nquads: ox.RdfFormat.N_QUADS,
    ExportFormat.trig: ox.RdfFormat.TRIG,
    ExportFormat.jsonld: ox.RdfFormat.JSON_LD,
}


def to_rdflib(term: object) -> Node | None:
    """A pyoxigraph term as the rdflib term every QueryResult carries."""
    if term is None:
        return None
    return _converted(term)


def _text(term: OxTerm | None) -> str | None:
    """A pyoxigraph term's text (an IRI's, a literal's lexical form), as ``query_texts`` gives it."""
    return None if term is None else term.value


# rdflib's Literal constructor is slow and results repeat the same terms (labels, tables,
# item texts) many times; the terms are immutable, so conversions are shared.
@lru_cache(maxsize=262_144)
def _converted(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value, datatype=None if dt == _XSD_STRING else URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise StoreError(f"unsupported term from Oxigraph: {term!r}")


def as_trig(graphs: Mapping[URIRef, GraphData]) -> bytes:
    """Graphs (N-Triples text or rdflib Graphs) as one TriG document (:func:`trig_pieces`).

    >>> as_trig({URIRef("http://g"): '<http://s> <http://p> "a ." .\\n# note\\n'})
    b'<http://g> {\\n<http://s> <http://p> "a ." .\\n# note\\n\\n}\\n'
    """
    return b"".join(trig_pieces(graphs))


def trig_pieces(graphs: Mapping[URIRef, GraphData]) -> Iterator[bytes]:
    """Graphs as a TriG document, in pieces to write one after the other.

    N-Triples is Turtle, so each graph's text goes whole into a block naming its graph:
    no statement is touched here (rewriting every line into a quad cost the loading process
    a third of what the bulk loader itself spends), and Oxigraph's parser reads it as fast as
    N-Quads. The text the workers sent in UTF-8 goes as it came, piece by piece, without a
    copy: spooling 100 generated documents (4 batches, 100 MB) into a store of 1,000 cost the
    writing process 7.5-10.9 ms a document of CPU when each batch's text was joined as a
    str and encoded whole, 0.3 so.

    >>> list(trig_pieces({URIRef("http://g"): b'<http://s> <http://p> "a" .\\n'}))
    [b'<http://g> {\\n', b'<http://s> <http://p> "a" .\\n', b'\\n}\\n']
    """
    for g, data in graphs.items():
        yield b"<%s> {\n" % str(g).encode("utf-8")
        yield ntriples_utf8(data)
        yield b"\n}\n"


def _cannot_open(path: Path, exc: OSError) -> StoreError:
    """Why a folder could not be opened for writing, said for a person: the engine's lock
    means another process writes there.

    >>> print(_cannot_open(Path("st"), OSError("IO error: While lock file: st/LOCK: Resource temporarily unavailable")))
    the store at st is being written by another process (a pia-kg load, remove, rederive, compact or law load, or a server that opened it for writing); wait until it ends: reading commands (query, sparql, impact, export, graphs, serve) work meanwhile
    """
    if "lock" in str(exc).lower():
        return StoreError(
            f"the store at {path} is being written by another process (a pia-kg load, remove, "
            "rederive, compact or law load, or a server that opened it for writing); wait until "
            "it ends: reading commands (query, sparql, impact, export, graphs, serve) work meanwhile"
        )
    return StoreError(f"cannot open the store at {path}: {exc}")


#: A load compacts the store at its end (:meth:`OxigraphStore.worth_compacting`) when it
#: leaves at least this many bytes on disk: below, a compaction does not shrink the store
#: but grows it (see :meth:`OxigraphStore.compact`). Copies of one store compacted after each
#: of ten loads of 500 generated documents (bytes a triple before -> after; CPU s):
#:
#:   documents   500  1,000  1,500  2,000  2,500  3,000  3,500  4,000  4,500  5,000
#:   GB before   0.73  1.40   2.11   2.91   3.58   4.34   5.02   5.81   6.51   6.94
#:   before      314    307    310    320    316    319    317    321    320    307
#:   after       342    336    334    281    279    245    221    210    210    210
#:   CPU s        13     21     32     35     49     62     70     93     90    101
COMPACT_FROM = 3 << 30
#: ... and when the store has grown this many times over since it was last compacted (or
#: since it was empty): the compactions of a store grown step by step then cost, all
#: together, about twice the last one (each is of a store twice the size of the one before),
#: and keep its files near the size a compaction gives them. Left as the bulk loader wrote
#: them, every load merges its files into a base level that grows with the store (see
#: :class:`_SpoolGroup`): one document more took 1.80 CPU s in a 5,000-document store grown
#: 500 at a time, 0.83 once it was compacted.
COMPACT_GROWTH = 2
#: Attempts at opening a folder read-only while a writer's merges delete files under it.
READ_ONLY_TRIES = 5


def _read_only(path: Path) -> ox.Store:
    """A read-only handle on the store in ``path``. The engine's background merges delete
    files while another process writes: an open that read the file list just before one was
    deleted fails ("No such file or directory", raised as RuntimeError by the engine), and a
    moment later finds the new list. Seen when a reader opened right after a load; it is
    tried again, then said in one line."""
    import time

    attempt = 1
    while True:
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            if "No such file" not in str(exc) or attempt >= READ_ONLY_TRIES or not path.is_dir():
                raise StoreError(f"cannot open the store at {path}: {exc}") from None
        time.sleep(0.05 * attempt)
        attempt += 1


class OxigraphStore(SparqlUpdateStore):
    """Oxigraph's RocksDB store in a directory (created if missing), or in memory with no path."""

    name = "oxigraph"
    capabilities = frozenset({"persistent", "fast"})

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path is not None else None
        self.read_only = read_only and self.path is not None
        self._writes = 0  # the state token of a store without a folder
        self._unflushed = 0  # bytes written since the write buffers were last flushed
        self._opened_at: str | None = None
        self._token: tuple[tuple[int, int, int], str] | None = None  # see state_token
        self._marker: Path | None = None  # the generation file, see state_token
        self._group: _SpoolGroup | None = None  # see write_group
        self._store = self._open()

    def _open(self) -> ox.Store:
        try:
            if self.path is None:
                return ox.Store()
            if self.read_only:
                if journal_path(self.path).exists():
                    self._roll_back_for_reader()
                # the token _current compares with: read before opening, so a write landing
                # in between makes the next read open again rather than miss it
                self._opened_at = self.state_token()
                return _read_only(self.path)
            self.path.mkdir(parents=True, exist_ok=True)
            store = ox.Store(str(self.path))
        except OSError as exc:
            raise _cannot_open(self.path, exc) from None
        self._roll_back(store)
        remove_spools(self.path)  # this process holds the store: no other writer uses them
        return store

    def _roll_back_for_reader(self) -> None:
        """A reader that finds a journal: if no writer holds the store, the writer that left
        it was killed, and the reader would see its half-written batch: roll it back first
        (a moment's write). If a writer holds the store, it is that writer's batch, in
        progress: the writer commits or rolls it back, and the reader moves to the new state
        when the generation marker changes."""
        assert self.path is not None
        try:
            store = ox.Store(str(self.path))
        except OSError:
            return  # a live writer holds it
        try:
            self._roll_back(store)
        finally:
            del store

    def _roll_back(self, store: ox.Store) -> None:
        """Undo a batch a killed writer left half-written (see pia_kg/backends/journal.py)."""
        assert self.path is not None
        try:
            pending = read_journal(self.path)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read the journal of an unfinished load beside {self.path}: {exc}") from None
        if pending is None:
            return
        undo = swap_update(pending.old, [URIRef(g) for g in pending.added if g not in pending.old])
        try:
            store.update(undo)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"cannot roll back the unfinished load in {self.path}: {exc}") from None
        remove_journal(self.path)
        self._committed()

    def state_token(self) -> str | None:
        """Changes after every committed write, by this process or another pia-kg process.

        A folder store's token is the generation its writers record beside it *after* each
        commit (a digest of the folder's files would change when the engine appends to its
        log, a moment before the new data is visible: an answer computed then would be kept
        for the new state). A folder no pia-kg writer has written falls back to that digest.
        """
        if self.path is None:
            return f"memory:{id(self)}:{self._writes}"
        marker = self._generation_file()
        try:
            # every question asks it (twice): the text is read again only when the marker is
            # another file (a writer replaces it whole), a stat instead of an open and a read
            seen = os.stat(marker)
            key = (seen.st_ino, seen.st_mtime_ns, seen.st_size)
            if self._token is not None and self._token[0] == key:
                return self._token[1]
            token = "gen:" + marker.read_text(encoding="ascii").strip()
        except OSError:
            return "dir:" + directory_token(self.path)
        self._token = (key, token)
        return token

    def _generation_file(self) -> Path:
        assert self.path is not None
        if self._marker is None:
            self._marker = beside_store(self.path, ".generation")
        return self._marker

    def _committed(self) -> None:
        """Record a new state once a write is committed (see ``state_token``)."""
        self._writes += 1
        if self.path is None:
            return
        marker = self._generation_file()
        try:
            replace_file(marker, f"{uuid.uuid4().hex}\n".encode("ascii"))
        except OSError as exc:
            raise StoreError(f"the write was committed, but its marker {marker} could not be written: {exc}") from None

    def _current(self) -> ox.Store:
        """The handle to read from: a read-only one is reopened when the folder changed."""
        if self.read_only and self.state_token() != self._opened_at:
            self._store = self._open()
        return self._store

    def query(
        self, sparql: str, *, timeout: float | None = None, limit: int | None = None
    ) -> QueryResult:
        return with_timeout(lambda: self._query(sparql, limit), timeout)

    def query_texts(
        self, sparql: str, texts: Sequence[str] | None = None, *, timeout: float | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        def convert(result: object, limit: int | None) -> QueryResult:
            if not isinstance(result, ox.QuerySolutions):
                return self._convert(result, limit)
            variables = [v.value for v in result.variables]
            how = [_text if texts is None or v in texts else to_rdflib for v in variables]
            rows = [tuple([f(t) for f, t in zip(how, sol, strict=True)]) for sol in capped(result, limit)]
            return QueryResult("select", variables, rows)

        return with_timeout(lambda: self._query(sparql, limit, convert), timeout)  # type: ignore[return-value]

    def select_rows(self, sparql: str) -> tuple[list[str], Iterator[tuple[Node | None, ...]]]:
        """Oxigraph's solutions converted as they are read: what is held is the engine's own
        (the rows it sorts for an ORDER BY, or keeps for a DISTINCT), never the answer's
        terms. To be read on the thread that asked (Oxigraph's iterators stay on theirs)."""
        result = self._query(sparql, None, lambda result, _limit: result)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("only a SELECT query gives rows")

        def rows() -> Iterator[tuple[Node | None, ...]]:
            try:
                for solution in result:
                    yield tuple(map(to_rdflib, solution))
            except OSError as exc:
                raise QueryError(f"query failed: {exc}") from None

        return [v.value for v in result.variables], rows()

    def query_terms(self, sparql: str) -> RawResult:
        """``query`` without the conversion to rdflib terms, for callers that read many
        terms and need few of them as rdflib objects (the derivations' scratch store):
        Oxigraph's own terms, a SELECT as (variables, rows), a CONSTRUCT as triples, an ASK
        as a bool. Raises as ``query`` does.

        >>> s = OxigraphStore()
        >>> s.query_terms("SELECT ?x WHERE { BIND(1 AS ?x) }")
        (['x'], [(<Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>,)])
        """
        return self._query(sparql, None, self._terms)  # type: ignore[return-value]

    def _query(self, sparql: str, limit: int | None = None, convert: _Converter | None = None) -> object:
        convert = convert or self._convert
        try:
            return self._evaluate(sparql, limit, convert)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except OSError as exc:
            if not self.read_only:
                raise QueryError(f"query failed: {exc}") from None
        # A writer compacted files away under the read-only handle: read the new state.
        self._opened_at = None
        try:
            return self._evaluate(sparql, limit, convert)
        except (SyntaxError, OSError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def _evaluate(self, sparql: str, limit: int | None, convert: _Converter) -> object:
        result = self._current().query(sparql, use_default_graph_as_union=True)
        try:
            return convert(result, limit)
        except (ResultLimitError, OSError) as exc:
            error = type(exc)(*exc.args)
        # Oxigraph's result iterators must be dropped on the thread that made them: raise
        # a fresh error whose traceback no longer holds the iterator.
        del result
        raise error

    @staticmethod
    def _convert(result: object, limit: int | None) -> QueryResult:
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [tuple(map(to_rdflib, sol)) for sol in capped(result, limit)]
            return QueryResult("select", variables, rows)
        graph = Graph()
        for t in capped(result, limit, "triples"):
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return QueryResult("graph", graph=graph)

    @staticmethod
    def _terms(result: object, limit: int | None) -> RawResult:
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            return [v.value for v in result.variables], [tuple(sol) for sol in capped(result, limit)]
        return list(capped(result, limit, "triples"))  # type: ignore[arg-type]

    def update(self, sparql_update: str) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only here; nothing was changed")
        self._commit_group()  # writes keep their order
        try:
            self._store.update(sparql_update)
        except SyntaxError as exc:
            raise StoreError(f"internal update was rejected: {exc}") from None
        except OSError as exc:
            raise StoreError(f"update failed, store unchanged: {exc}") from None
        self._committed()
        self._written(len(sparql_update))

    def replace_graphs(self, graphs: Mapping[URIRef, GraphData], drops: Sequence[URIRef] = ()) -> None:
        """One transaction, as for every backend. In a folder, graphs not there yet (a load of
        new documents) are bulk-loaded under an undo journal (pia_kg/backends/journal.py):
        six times less work than a transactional write, and as safe; graphs there already are
        changed line by line or bulk-loaded again (:meth:`_bulk_write`); a store in memory
        loads new graphs as N-Quads, and drops and refills the others in one update. In a
        write group (:meth:`write_group`), the write is gathered, to be committed with the
        group's others."""
        if not graphs and not drops:
            return
        group = self._group
        if group is not None and group.holds([*graphs, *drops]):
            self._commit_group()  # a graph gathered and not committed yet is written again
        store = self._store
        present = {g for g in (*graphs, *drops) if store.contains_named_graph(ox.NamedNode(str(g)))}
        added = {g: data for g, data in graphs.items() if g not in present}
        replaced = {g: data for g, data in graphs.items() if g in present}
        dropped = [g for g in drops if g in present]
        if group is not None:
            if group.gather(added, replaced, dropped):
                if group.gathered >= GROUP_BYTES:
                    self._commit_group()
                return
            self._commit_group()  # more replaced content than a group keeps: committed as it comes
        if self.path is not None and not self.read_only:
            if not self._bulk_write([str(g) for g in added], [as_trig(added)] if added else [], replaced, dropped):
                super().replace_graphs(graphs, drops)
        elif present:
            super().replace_graphs(graphs, drops)
        else:
            self._load(as_trig(graphs), ox.RdfFormat.TRIG)

    @contextmanager
    def write_group(self) -> Iterator[WriteGroup]:
        """Writes gathered (:class:`_SpoolGroup`) and committed together, in a store in a
        folder opened for writing; elsewhere, each as it is made."""
        if self.path is None or self.read_only or self._group is not None:
            yield WriteGroup()
            return
        group = self._group = _SpoolGroup(self.path, self._commit_group)
        try:
            yield group
            self._commit_group()
        except Exception:
            self._commit_group()  # whole writes, made before the error
            raise
        finally:  # an interruption (Ctrl-C) drops what is gathered: nothing of it was written
            self._group = None
            group.close()

    def _commit_group(self) -> None:
        """Commit what the write group gathered, in one transaction."""
        group = self._group
        if group is None or not (group.added or group.replaced or group.dropped):
            return
        added, files, replaced, dropped = group.take()
        try:
            if not self._bulk_write(added, files, replaced, dropped):
                # the old content is too big to journal: the new graphs, then the others
                if added:
                    self._bulk_write(added, files, {}, [])
                super().replace_graphs(replaced, dropped)
        finally:
            for f in files:
                f.unlink(missing_ok=True)

    def _bulk_write(
        self,
        added: Sequence[str],
        chunks: Sequence[bytes | Path],
        replaced: Mapping[URIRef, GraphData],
        dropped: Sequence[URIRef],
    ) -> bool:
        """Bulk-load the graphs ``added`` (their TriG in ``chunks``: text, or files, each loaded
        in turn); change the lines that differ in the graphs that were there, or drop and
        bulk-load again those that changed much (:func:`~pia_kg.backends.common.delta_plan`:
        documents loaded again); drop ``dropped``. Under an undo journal when anything is
        bulk-loaded; one update, a transaction of its own, when nothing is. False (nothing
        written) when the old content is too big to keep for undoing.

        A batch of 25 generated documents loaded again after their text changed was one
        SPARQL update of their 110,000 lines (6 CPU s, and 900 MB of memory in the engine's
        transaction); loaded again unchanged, it changes no line."""
        assert self.path is not None
        old: dict[str, str] = {}
        if not self._dump_into(old, replaced):
            return False
        update, reload = delta_plan(old, replaced, dropped, whole=True) if replaced or dropped else ("", [])
        reloaded = [as_trig({g: replaced[g] for g in reload})] if reload else []
        loads = [*chunks, *reloaded]
        if loads:
            if not self._dump_into(old, dropped):  # what the journal needs to put them back
                return False
            try:
                write_journal(self.path, added, old)
            except OSError as exc:
                raise StoreError(f"cannot write the journal beside {self.path}, store unchanged: {exc}") from None
        try:
            # The new graphs first: a bulk load that finds the engine's write buffer holding an
            # update flushes it into a file of its own, which the engine then merges with the
            # store; then the update, which drops the graphs loaded again whole, and those.
            for chunk in chunks:
                self._bulk_load(chunk)
            if update:
                self._store.update(update)
            for chunk in reloaded:
                self._bulk_load(chunk)
        except (SyntaxError, OSError) as exc:
            if loads:
                self._roll_back(self._store)  # the journal says what to undo
            raise StoreError(f"writing the batch failed, store unchanged: {exc}") from None
        if loads:
            remove_journal(self.path)
        self._committed()
        self._written(len(update))  # the bulk loader writes files, not the write buffers
        return True

    def _bulk_load(self, chunk: bytes | Path) -> None:
        """Bulk-load TriG that pia-kg wrote (:func:`trig_pieces`), leniently: the parser does
        not check each IRI against the IRI grammar again. Every graph that reaches a store is
        pia-kg's own, with IRIs minted percent-encoded (:func:`pia_kg.vocab.mint`) or read back
        from a store that checked them; no command takes RDF from a user. The checks were 7%
        of the engine's work (100 generated documents' 510,000 quads: 5.47 -> 5.08 CPU s);
        text that is not TriG still fails."""
        if isinstance(chunk, Path):
            self._store.bulk_load(path=str(chunk), format=ox.RdfFormat.TRIG, lenient=True)
        else:
            self._store.bulk_load(chunk, format=ox.RdfFormat.TRIG, lenient=True)

    def _dump_into(self, old: dict[str, str], graphs: Iterable[URIRef]) -> bool:
        """Add the N-Triples of ``graphs`` to ``old`` (dumped by the engine itself: no quad
        goes through Python); False when all of ``old`` passes ``MAX_UNDO_BYTES``."""
        size = sum(map(len, old.values()))
        for g in graphs:
            old[str(g)] = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(g))).decode("utf-8")
            size += len(old[str(g)])
            if size > MAX_UNDO_BYTES:
                return False
        return True

    def load_nquads(self, data: bytes) -> None:
        """Add N-Quads in one transaction (Oxigraph's own parser: no SPARQL text to build)."""
        self._load(data, ox.RdfFormat.N_QUADS)

    def _load(self, data: bytes | str, fmt: ox.RdfFormat, **options: Any) -> None:
        """Add RDF text in one transaction; ``options`` are pyoxigraph's (``to_graph``, ``lenient``)."""
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only here; nothing was changed")
        self._commit_group()  # writes keep their order
        try:
            self._store.load(data, format=fmt, **options)
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"loading {fmt.name} failed, store unchanged: {exc}") from None
        self._committed()
        self._written(len(data))

    def _written(self, size: int) -> None:
        """Flush the engine's write buffers to disk every ``FLUSH_EVERY`` bytes written: they
        would otherwise hold hundreds of MB whatever the batch size (a flush is work the
        engine does anyway, sooner or later)."""
        self._unflushed += size
        if self.path is not None and self._unflushed >= FLUSH_EVERY:
            self._store.flush()
            self._unflushed = 0

    def graphs_nquads(self, graphs: Sequence[URIRef]) -> bytes:
        r"""Named graphs ``graphs`` as N-Quads: each graph dumped by the engine as N-Triples,
        its name put at the end of each line (every line of N-Triples ends with " .\n", which
        no term holds: a line feed in a literal is written escaped). No quad goes through
        Python: the law's 8 MB took 0.33 CPU s as Python quads serialized, 0.2 so.

        >>> s = OxigraphStore()
        >>> s.load_nquads(b'<http://a> <http://b> "x .\\n y" <http://g> .\n')
        >>> s.graphs_nquads([URIRef("http://g")])
        b'<http://a> <http://b> "x .\\n y" <http://g> .\n'
        """
        store = self._current()
        return b"".join(
            store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(str(g))).replace(
                b" .\n", f" <{g}> .\n".encode()
            )
            for g in graphs
        )

    def named_graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._current().named_graphs())

    def get_graph(self, graph: URIRef) -> Graph:
        out = Graph(identifier=graph)
        for q in self._current().quads_for_pattern(None, None, None, ox.NamedNode(str(graph))):
            out.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return out

    def triple_count(self, graph: URIRef | None = None) -> int:
        if graph is None:
            return len(self._current())
        # counted inside Oxigraph: iterating quads in Python costs ~1 µs each
        result = self._current().query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )
        return int(next(iter(result))["n"].value)

    def export_to(self, fmt: ExportFormat, output: BinaryIO) -> None:
        """Oxigraph's own writers, streaming: the dataset as N-Quads, TriG or JSON-LD; Turtle,
        the union, a graph at a time (the default graph, then each named graph), its
        prefixes declared once (:func:`~pia_kg.backends.common.write_graphs`). At 1,000
        generated documents the N-Quads took 2.9 GB of memory held whole as bytes."""
        store = self._current()
        try:
            if fmt in _EXPORT:
                store.dump(output, _EXPORT[fmt])
                return
            output.write(prefix_lines())
            for graph in itertools.chain([ox.DefaultGraph()], store.named_graphs()):
                part = store.dump(format=ox.RdfFormat.TURTLE, from_graph=graph, prefixes=PREFIXES)
                output.write(without_prefix_lines(part))
        except OSError as exc:
            raise StoreError(f"the export could not be written: {exc.strerror or exc}") from None

    def compact(self) -> tuple[int, int] | None:
        """RocksDB's full compaction (pyoxigraph's ``optimize``): the bulk loader leaves each
        batch in files of their own, which overlap, and replaced graphs leave their old
        quads until merged. At 5,000 generated documents a store took 307-327 bytes per
        triple after loading and 196-210 after this (40-100 s); a store under about 3 GB
        does not shrink (``COMPACT_FROM``). Refused, the store unchanged, when its disk has
        less room free than half the store takes.

        What decides it is the engine's settings, not the data (``sst_dump`` on the files,
        1,000 documents): Oxigraph compresses RocksDB's levels from the third on
        (``compression_per_level`` none, none, LZ4…) with level sizes computed from the
        last level. While an index holds less than 512 MB the last level is the first
        below level 0, so what a compaction writes there is not compressed: the graph-first
        index took 214 MB so, 106 MB as the bulk loader wrote it (LZ4). The same
        quads bulk-loaded whole by pyoxigraph take 205 bytes per triple, and 313 once
        compacted; in our batches, 295 (1,000 documents) and 309 (5,000). A bigger store
        has levels above its last, and its last level is compressed. Readers that had the
        old files open read the new ones (``_query``)."""
        if self.path is None or self.read_only:
            return None
        before = self.bytes_on_disk() or 0
        # The engine compacts one index at a time, and writes an index's merged files before it
        # deletes its old ones: six indexes of the same quads and one of the strings, none of
        # them near half the store.
        needed, free = before // 2, shutil.disk_usage(self.path).free
        if free < needed:
            raise StoreError(
                f"compacting the store at {self.path} may need up to {needed / 1e6:,.0f} MB more on its disk, "
                f"which has {free / 1e6:,.0f} MB free; the store is unchanged"
            )
        try:
            self._store.optimize()
        except OSError as exc:
            raise StoreError(f"compacting the store at {self.path} failed, its content unchanged: {exc}") from None
        after = self.bytes_on_disk() or 0
        self._record_compacted(after)
        return before, after

    def bytes_on_disk(self) -> int | None:
        """The sizes of the folder's files; one that the engine's merges delete meanwhile (they
        run in the background while the store is open) counts for nothing."""
        if self.path is None:
            return None
        total = 0
        for folder, _, names in os.walk(self.path):
            for name in names:
                try:
                    total += os.stat(os.path.join(folder, name)).st_size
                except FileNotFoundError:
                    continue
        return total

    def worth_compacting(self) -> bool:
        """Whether the store has grown ``COMPACT_GROWTH`` times over since it was last
        compacted (:meth:`compacted_size`; never: since it was empty) and takes
        ``COMPACT_FROM`` bytes or more: a load that leaves it so compacts it at its end. The
        first load of a country's documents is compacted once it is written (5,000 generated
        documents in one load: 7,302 MB compacted to 4,735, 210 bytes a triple; the load took
        0.228 CPU s a document, its compaction about 0.02 of it); a store grown step by step
        is compacted by the load that doubles it, once per doubling. 5,000 documents loaded
        500 at a time so took 275 bytes a triple at the end, 309 never compacted; the loads
        right after the two compactions cost the writer 0.083 and 0.101 CPU s a document,
        0.166 and 0.153 without, and the next ones about as much as without; the whole load,
        about 5 % more CPU (README, the benchmark). The load that crosses the line pays for
        the store's compaction (at 5,000 documents, 40-100 s); a store twice that size is
        its next.

        >>> s = OxigraphStore()
        >>> s.worth_compacting()  # a store in memory has no files
        False
        """
        if self.path is None or self.read_only:
            return False
        now = self.bytes_on_disk() or 0
        return now >= COMPACT_FROM and now >= COMPACT_GROWTH * self.compacted_size()

    def compacted_size(self) -> int:
        """The bytes the store took right after it was last compacted (:meth:`compact`), as
        kept beside it (``STORE.compacted``, with the engine's identity of the store, so that
        a store made again in the same folder does not take its predecessor's); 0 when it
        never was, or when that is not known."""
        if self.path is None:
            return 0
        try:
            identity, size = self._compacted_file().read_text(encoding="ascii").split()
            return int(size) if identity == self._identity() else 0
        except (OSError, ValueError):
            return 0

    def _compacted_file(self) -> Path:
        assert self.path is not None
        return compaction_record(self.path)

    def _identity(self) -> str:
        """The engine's identity of the store in the folder (RocksDB's IDENTITY: made with
        the store, kept by a copy of its folder)."""
        assert self.path is not None
        try:
            return (self.path / "IDENTITY").read_text(encoding="ascii").strip() or "-"
        except OSError:
            return "-"

    def _record_compacted(self, size: int) -> None:
        """Keep ``size`` as the store's size after its last compaction (:meth:`compacted_size`);
        a file that cannot be written is done without (the next load that finds the store big
        enough compacts it again)."""
        with contextlib.suppress(OSError):
            replace_file(self._compacted_file(), f"{self._identity()} {size}\n".encode("ascii"))

    def close(self) -> None:
        if self.path is not None and not self.read_only:
            self._store.flush()
        del self._store

    @contextmanager
    def released(self) -> Iterator[Callable[[], OxigraphStore]]:
        """This handle closed for a while, so that another process may open the folder and
        write to it (one writer at a time), and opened again after; yields how that process
        opens the store (picklable). A store in memory has no folder to hand over."""
        if self.path is None or self.read_only:
            raise StoreError("only a store in a folder, opened for writing, can be handed to another process")
        self.close()
        try:
            yield functools.partial(OxigraphStore, self.path)
        finally:
            self._store = self._open()


def compaction_record(store_dir: Path) -> Path:
    """Where a store in ``store_dir`` keeps its size right after its last compaction
    (:meth:`OxigraphStore.compacted_size`): beside its folder.

    >>> compaction_record(Path("/data/pia-kg-store"))
    PosixPath('/data/pia-kg-store.compacted')
    """
    return beside_store(store_dir, ".compacted")


class _SpoolGroup(WriteGroup):
    """A write group of the embedded store: the new graphs of each write spooled to a file of
    TriG beside the store, the replaced and dropped ones kept (the last content of each),
    committed together by ``commit`` (all of it or none, under one journal).

    Why: each bulk load adds files to RocksDB's first level, and two of them there make the
    engine merge them into the level below, rewriting the part of it their keys overlap:
    with hashed keys, all of it. Loads that come while a merge runs join the next one; loads
    spread over time (a batch every few seconds, as documents come from the workers) each
    pay a rewrite of the store. The same 1,000 documents' quads in batches of 25 cost the
    engine 21.6 CPU s of merges bulk-loaded back to back, 63.8 s with two seconds between
    batches, 27.6 s back to back with a small update after each (the next bulk load first
    flushes it into one more file: every batch of a load updates the correspondence
    graphs), and 48.4 s in ``pia-kg load``. Gathered and loaded back to back, a group pays
    its merges about once (26-32 s), and its replaced graphs are written once.

    What is left grows with the store, and it is the engine's: a 100-document load into a
    1,000-document store spent 6.6 of its writer's 10.6 CPU s in RocksDB's compaction
    threads (``rocksdb:low``), merging the new files into a base level rewritten whole
    (hashed keys overlap all of it). Two ways round it, measured on the engine alone (10
    loads of 100 documents' quads, each in a process of its own), do not pay: one bulk
    load per load instead of four saves nothing beyond noise (45.4 CPU s against 46.7; a
    merge every other load, four times the memory), and waiting for the merges before
    closing, so that the next load starts with none, costs more (55.6 s against 51.3, the
    merges left at the end included: merges put off take more files at once)."""

    def __init__(self, store_dir: Path, commit: Callable[[], None]):
        self._dir = Path(tempfile.mkdtemp(prefix=_spool_prefix(store_dir), dir=store_dir.parent))
        self._commit = commit
        self.files: list[Path] = []
        self.added: dict[str, None] = {}  # the new graphs, in order
        self.replaced: dict[URIRef, GraphData] = {}
        self.dropped: dict[URIRef, None] = {}
        self.gathered = 0
        self._replaced_size = 0

    def holds(self, graphs: Iterable[URIRef]) -> bool:
        return any(str(g) in self.added for g in graphs)

    @property
    def pending(self) -> bool:
        return bool(self.added or self.replaced or self.dropped)

    def commit(self) -> None:
        self._commit()

    def gather(
        self, added: Mapping[URIRef, GraphData], replaced: Mapping[URIRef, GraphData], dropped: Sequence[URIRef]
    ) -> bool:
        """Take one write (``added``: graphs neither in the store nor gathered); False, taking
        nothing, when its replaced graphs would pass what a group keeps (``GROUP_REPLACED``)."""
        # text as it came (the workers' UTF-8 counted in bytes, no fewer than its characters)
        size = sum(len(d) if isinstance(d, (str, bytes)) else len(ntriples(d)) for d in replaced.values())
        if self._replaced_size + size > GROUP_REPLACED:
            return False
        if added:
            path = self._dir / f"{len(self.files):06d}.trig"
            written = 0
            try:
                with path.open("wb") as spool:
                    for piece in trig_pieces(added):
                        written += spool.write(piece)
            except OSError as exc:
                raise StoreError(f"cannot spool a batch to {path}: {exc}; the batches before it are written") from None
            self.files.append(path)
            self.added.update(dict.fromkeys(str(g) for g in added))
            self.gathered += written
        for g, d in replaced.items():
            self.dropped.pop(g, None)
            self.replaced[g] = d
        for g in dropped:
            self.replaced.pop(g, None)
            self.dropped[g] = None
        self._replaced_size += size
        return True

    def take(self) -> tuple[list[str], list[Path], dict[URIRef, GraphData], list[URIRef]]:
        """What is gathered (new graphs, their files, replaced, dropped), the group emptied."""
        out = (list(self.added), self.files, self.replaced, list(self.dropped))
        self.files, self.added, self.replaced, self.dropped = [], {}, {}, {}
        self.gathered = self._replaced_size = 0
        return out

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)


def _spool_prefix(store_dir: Path) -> str:
    """How the spool folders of the store at ``store_dir`` are named (beside it, hidden).

    >>> _spool_prefix(Path("/data/pia-kg-store"))
    '.pia-kg-store.batch-'
    """
    return f".{store_dir.name}.batch-"


def spool_folders(store_dir: Path) -> list[Path]:
    """The spool folders beside ``store_dir``: a live write group's, or those a killed writer left."""
    return list(store_dir.parent.glob(f"{_spool_prefix(store_dir)}*"))


def remove_spools(store_dir: Path) -> None:
    """Remove the spool folders a killed writer left beside ``store_dir`` (nothing of them
    was committed: the journal rolled back whatever of them was being loaded)."""
    for leftover in spool_folders(store_dir):
        shutil.rmtree(leftover, ignore_errors=True)
