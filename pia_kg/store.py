"""The store interface, its result type, and the registry of backends.

Three backends stand behind one small interface:

=========  ==========================================  ===============================
name       what                                          selected by
=========  ==========================================  ===============================
oxigraph   embedded Oxigraph on disk (the default)      ``--store DIR``
memory     in-memory rdflib Dataset (tests, small jobs) ``--memory``
remote     a SPARQL 1.1 endpoint through SPARQLWrapper  ``--endpoint URL``
=========  ==========================================  ===============================

Every backend exposes the union of its named graphs as the default graph, so queries are
written with plain triple patterns. Each source document lives in its own named graph;
``replace_graphs`` swaps graphs atomically: readers see the old content or the new, never a
half-loaded document.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from rdflib import Graph, URIRef
from rdflib.term import Node

from pia_kg.errors import UnknownStoreError

__all__ = [
    "beside_store",
    "QueryResult",
    "GraphData",
    "as_graph",
    "statement_count",
    "ExportFormat",
    "Store",
    "WriteGroup",
    "BACKENDS",
    "open_store",
    "default_store_dir",
]


@dataclass
class QueryResult:
    """The answer to a SPARQL query, with rdflib terms whatever the backend.

    ``kind`` is ``select`` (``variables`` and ``rows``; an unbound cell is None), ``ask``
    (``boolean``) or ``graph`` (CONSTRUCT/DESCRIBE: ``graph``).
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    def dicts(self) -> list[dict[str, Node | None]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]

    def values(self) -> list[dict[str, str | None]]:
        """Rows as plain strings (the lexical form of each term), for tests and tables."""
        return list(self.iter_values())

    def iter_values(self) -> Iterator[dict[str, str | None]]:
        """:meth:`values` one row at a time (a caller turning a corpus-wide answer into its
        own objects holds one row's dict at a time, not all of them)."""
        for row in self.rows:
            yield {k: (None if v is None else str(v)) for k, v in zip(self.variables, row, strict=True)}


#: A graph's content as the store is given it: an rdflib Graph, or N-Triples text, as a str or
#: encoded in UTF-8 (what worker processes hand back: cheap to pickle, and written without
#: building Python term objects, or decoding and encoding it again).
GraphData = Graph | str | bytes


def statement_count(data: GraphData) -> int:
    """Statements in a graph's content (N-Triples: its lines).

    >>> statement_count("<urn:s> <urn:p> 1 .\\n<urn:s> <urn:p> 2 .\\n"), statement_count(b"")
    (2, 0)
    """
    if isinstance(data, Graph):
        return len(data)
    return data.count(b"\n" if isinstance(data, bytes) else "\n")


def as_graph(data: GraphData, identifier: URIRef | None = None) -> Graph:
    """``data`` as an rdflib Graph (parsing N-Triples text)."""
    if isinstance(data, Graph):
        return data
    g = Graph(identifier=identifier)
    if data:
        g.parse(data=data.decode("utf-8") if isinstance(data, bytes) else data, format="nt")
    return g


class ExportFormat(StrEnum):
    turtle = "turtle"  # the default graph view: union of all graphs, no graph names
    nquads = "nquads"
    trig = "trig"
    jsonld = "jsonld"

    @property
    def keeps_graphs(self) -> bool:
        return self in (ExportFormat.nquads, ExportFormat.trig, ExportFormat.jsonld)


class WriteGroup:
    """Writes gathered to be committed together (:meth:`Store.write_group`). This one gathers
    nothing: each write is committed as it is made (every backend but the embedded store).

    >>> g = WriteGroup()
    >>> g.gathered, g.pending, g.holds([URIRef("urn:g")])
    (0, False, False)
    """

    #: Bytes of new graphs gathered and not committed yet.
    gathered = 0

    @property
    def pending(self) -> bool:
        """Whether any write is gathered and not committed yet: new graphs, and also graphs
        replaced or dropped (which a group keeps without spooling them)."""
        return False

    def holds(self, graphs: Iterable[URIRef]) -> bool:
        """Whether any of ``graphs`` is among the new graphs gathered and not committed yet."""
        return False

    def commit(self) -> None:
        """Commit what is gathered, in one transaction (all of it or none)."""


class Store(ABC):
    """What every backend can do. Methods raise StoreError (or QueryError) with a message."""

    name: ClassVar[str]
    #: What a backend can do beyond the basics, e.g. ``{"persistent"}``. Callers check it
    #: and fall back (rdflib's plugin idea) instead of catching NotImplementedError.
    capabilities: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def query(
        self, sparql: str, *, timeout: float | None = None, limit: int | None = None
    ) -> QueryResult:
        """Evaluate a SPARQL 1.1 query over the union of all graphs.

        Raises QueryError for a malformed query, QueryTimeoutError past ``timeout`` seconds,
        ResultLimitError as soon as the result passes ``limit`` rows (SELECT) or triples
        (CONSTRUCT/DESCRIBE): results are counted while they are read, never built whole first.
        """

    def select_rows(self, sparql: str) -> tuple[list[str], Iterator[tuple[Node | None, ...]]]:
        """A SELECT's variables, and its rows as they come: for a corpus-wide answer written to
        a file, which is then never held whole (here, read whole and handed out row by row).
        Raises QueryError for a query that is not a SELECT."""
        from pia_kg.errors import QueryError

        result = self.query(sparql)
        if result.kind != "select":
            raise QueryError("only a SELECT query gives rows")
        return result.variables, iter(result.rows)

    def query_texts(
        self, sparql: str, texts: Sequence[str] | None = None, *, timeout: float | None = None,
        limit: int | None = None,
    ) -> QueryResult:
        """:meth:`query` of a SELECT whose variables ``texts`` (None: all) are read as plain
        texts (an IRI's or a literal's lexical form, a Python ``str``), not rdflib terms:
        packed answer rows (pia_kg/packed_rows.py), each a long text read once, or many rows
        read for their texts alone, whose rdflib terms cost more than Oxigraph's reading them
        (Literal() is Python code, and every row is another text)."""
        result = self.query(sparql, timeout=timeout, limit=limit)
        at = [i for i, v in enumerate(result.variables) if texts is None or v in texts]
        result.rows = [tuple(str(v) if i in at and v is not None else v for i, v in enumerate(row)) for row in result.rows]
        return result

    def state_token(self) -> str | None:
        """A value that changes whenever the store's content may have changed (every write,
        by this process or another), for caches of answers; None when it cannot be known
        (then nothing may be cached)."""
        return None

    @abstractmethod
    def replace_graphs(self, graphs: Mapping[URIRef, GraphData], drops: Sequence[URIRef] = ()) -> None:
        """Atomically replace each named graph's content with the given triples (an rdflib
        Graph, or N-Triples text), and drop the graphs named in ``drops``."""

    @abstractmethod
    def drop_graphs(self, graphs: Sequence[URIRef]) -> None:
        """Atomically remove named graphs (missing ones are ignored)."""

    @abstractmethod
    def named_graphs(self) -> list[URIRef]: ...

    def graphs_held(self, graphs: Sequence[URIRef]) -> set[URIRef]:
        """Which of ``graphs`` hold triples, each looked up by its name: what a writer checks
        of a few graphs must not cost a listing of every graph of a national store."""
        held: set[URIRef] = set()
        names = list(graphs)
        for i in range(0, len(names), 200):
            values = " ".join(f"<{g}>" for g in names[i : i + 200])
            rows = self.query(
                f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
            ).rows
            held |= {URIRef(str(row[0])) for row in rows}
        return held

    @abstractmethod
    def get_graph(self, graph: URIRef) -> Graph:
        """A copy of one named graph's triples (empty when there is no such graph)."""

    @abstractmethod
    def triple_count(self, graph: URIRef | None = None) -> int:
        """Quads in one named graph, or in the whole store."""

    def export(self, fmt: ExportFormat) -> bytes:
        """The whole store in ``fmt`` (:meth:`export_to`), as bytes: for a small store."""
        buf = io.BytesIO()
        self.export_to(fmt, buf)
        return buf.getvalue()

    def export_to(self, fmt: ExportFormat, output: BinaryIO) -> None:
        """Write the whole store in ``fmt`` to ``output`` (nquads, trig and jsonld keep the
        named graphs; turtle is their union), a named graph at a time: a national store (160
        million quads) is never held whole."""
        from pia_kg.backends.common import write_graphs

        write_graphs(output, fmt, ((g, self.get_graph(g)) for g in self.named_graphs()))

    def replace_graph(self, graph: URIRef, data: GraphData) -> None:
        self.replace_graphs({graph: data})

    @contextmanager
    def write_group(self) -> Iterator[WriteGroup]:
        """A group in which ``replace_graphs`` may gather its writes instead of committing each:
        they are committed together by ``commit()`` and when the group ends (also when it ends
        by an error: what was gathered is whole writes), and dropped when it ends by an
        interruption (Ctrl-C), as if they had not been made. Reads in the group see what is
        committed. Here every write commits as it is made."""
        yield WriteGroup()

    def compact(self) -> tuple[int, int] | None:
        """Merge the engine's files and reclaim what replaced and removed graphs left (after
        a large load or a re-derivation): the bytes on disk before and after, or None when
        there is nothing to do here (a backend that keeps its own files, a remote server)."""
        return None

    def bytes_on_disk(self) -> int | None:
        """The bytes the store's own files take, or None where this process keeps none (a
        store in memory, a remote server)."""
        return None

    def worth_compacting(self) -> bool:
        """Whether a load should :meth:`compact` the store at its end: where the engine's
        files shrink by it, and the store has grown enough since it was last compacted to
        pay for it. Never here."""
        return False

    def close(self) -> None:  # noqa: B027 (optional hook)
        """Release files and connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


# name -> "module:Class", imported only when asked for (so the remote backend's
# dependencies cost nothing to a user of the embedded store).
BACKENDS: dict[str, str] = {
    "oxigraph": "pia_kg.backends.oxigraph_store:OxigraphStore",
    "memory": "pia_kg.backends.memory_store:MemoryStore",
    "remote": "pia_kg.backends.remote_store:RemoteStore",
}


def default_store_dir() -> Path:
    """``$PIA_KG_STORE`` if set, else ``./pia-kg-store`` (kept beside the work, easy to find)."""
    return Path(os.environ.get("PIA_KG_STORE", "pia-kg-store"))


def beside_store(folder: str | Path, suffix: str) -> Path:
    """A file kept beside an on-disk store's folder, never in it (the engine owns the folder):
    the folder's name with ``suffix`` (the search index, the digests of loaded files, the undo
    journal, the write marker, the law read: pia_kg/derive/law_cache.py).

    >>> beside_store("/data/pia", "-search.sqlite")
    PosixPath('/data/pia-search.sqlite')
    """
    folder = Path(folder)
    return folder.with_name(folder.name + suffix)


def replace_file(path: Path, data: bytes, *, mode: int = 0o644, durable: bool = False) -> None:
    """Put ``data`` at ``path`` whole: written aside (a new file of this process, never
    through a link, ``mode``), then renamed into place, so that a reader finds the old
    file or the new one, never a part. ``durable``: on disk before the rename and the
    rename on disk before returning (the undo journal). Raises OSError, nothing left aside.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "marker"
    >>> replace_file(p, b"1\\n"); replace_file(p, b"2\\n"); p.read_bytes(), sorted(q.name for q in p.parent.iterdir())
    (b'2\\n', ['marker'])
    """
    aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            aside.unlink()  # left by a process of this number killed while writing it
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(aside, path)
    except OSError:
        with contextlib.suppress(OSError):
            aside.unlink()
        raise
    if durable:
        sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make the entries of ``folder`` (a rename, a removal) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def open_store(name: str = "oxigraph", **options: Any) -> Store:
    """Open a backend by name: ``open_store("oxigraph", path=...)``, ``open_store("memory")``,
    ``open_store("remote", endpoint=..., update_endpoint=...)``.

    Raises UnknownStoreError listing the known names.
    """
    try:
        target = BACKENDS[name]
    except KeyError:
        raise UnknownStoreError(name, BACKENDS) from None
    module_name, cls_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(**options)
