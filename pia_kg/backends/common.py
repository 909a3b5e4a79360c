"""What the backends share: SPARQL text for an atomic graph swap, and query time limits."""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import BinaryIO, TypeVar

from rdflib import Dataset, Graph, URIRef

from pia_kg.errors import QueryTimeoutError, ResultLimitError
from pia_kg.store import ExportFormat, GraphData, Store
from pia_kg.vocab import PREFIXES

T = TypeVar("T")

# One worker per process is enough: a timed-out query keeps its thread until the engine
# returns (no engine here can be interrupted), but the caller gets its answer on time.
_EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="pia-kg-query")


def with_timeout(fn: Callable[[], T], timeout: float | None) -> T:
    """Run ``fn``; raise QueryTimeoutError if it takes longer than ``timeout`` seconds."""
    if timeout is None:
        return fn()
    future = _EXECUTOR.submit(fn)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise QueryTimeoutError(
            f"the query ran longer than the {timeout:g} s timeout; narrow it (add a LIMIT or "
            "more specific patterns) or raise the timeout"
        ) from None


def capped(items: Iterable[T], limit: int | None, what: str = "rows") -> Iterator[T]:
    """``items`` as they come, raising ResultLimitError on the first one past ``limit``.

    >>> list(capped(range(3), 3))
    [0, 1, 2]
    >>> list(capped(range(4), 3, "triples"))
    Traceback (most recent call last):
    ...
    pia_kg.errors.ResultLimitError: the query returned more than 3 triples, over the cap of 3; add a LIMIT or narrow it
    """
    for n, item in enumerate(items):
        if limit is not None and n >= limit:
            raise ResultLimitError.past(limit, what)
        yield item


# Files a database engine rewrites without any change of content (its own log, its lock).
_NOT_CONTENT = ("LOG", "LOCK")


def directory_token(path: Path) -> str:
    """A digest of the names, sizes and modification times of the files in ``path``: it
    changes on every write an embedded engine commits there, by any process.

    >>> directory_token(Path("/no/such/folder"))
    'missing'
    """
    try:
        entries = sorted(
            (e.name, e.stat().st_size, e.stat().st_mtime_ns)
            for e in os.scandir(path)
            if not e.name.startswith(_NOT_CONTENT)
        )
    except OSError:
        return "missing"
    return hashlib.blake2b(repr(entries).encode(), digest_size=12).hexdigest()


def ntriples(data: GraphData) -> str:
    """A graph's content as N-Triples text.

    >>> ntriples("<urn:s> <urn:p> 1 .\\n") == ntriples("<urn:s> <urn:p> 1 .\\n".encode())
    True
    """
    if isinstance(data, str):
        return data
    if isinstance(data, bytes):
        return data.decode("utf-8")
    return data.serialize(format="nt")


def ntriples_utf8(data: GraphData) -> bytes:
    """A graph's content as N-Triples encoded in UTF-8 (text the workers sent so, as it came).

    >>> ntriples_utf8("<urn:s> <urn:p> \\"静\\" .\\n")
    b'<urn:s> <urn:p> "\\xe9\\x9d\\x99" .\\n'
    """
    return data if isinstance(data, bytes) else ntriples(data).encode("utf-8")


def swap_update(graphs: Mapping[URIRef, GraphData], drops: Sequence[URIRef] = ()) -> str:
    """One SPARQL Update request that empties and refills each graph: a single transaction.

    ``DROP SILENT``, not ``DROP``: a graph that is not there is no error (Virtuoso also
    refuses a plain DROP of a graph that an INSERT created).
    """
    ops = [f"DROP SILENT GRAPH <{g}>" for g in list(graphs) + list(drops)]
    for g, data in graphs.items():
        body = ntriples(data)
        if body.strip():
            ops.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{body}\n}} }}")
    return " ;\n".join(ops)


#: A graph rewritten whole rather than line by line (:func:`delta_plan`): more lines
#: changed than this share of it, and at least ``WHOLE_LINES`` of them.
WHOLE_SHARE = 0.25
WHOLE_LINES = 200


def delta_plan(
    old: Mapping[str, str], graphs: Mapping[URIRef, GraphData], drops: Sequence[URIRef] = (), *, whole: bool = False
) -> tuple[str, list[URIRef]]:
    """One SPARQL Update request that turns each graph of ``graphs`` from its ``old``
    N-Triples (by graph IRI) into its new content by deleting and inserting only the lines
    that differ, and drops ``drops``: a single transaction, as :func:`swap_update`; and the
    graphs it leaves for the caller to load whole.

    A batch of documents changes a few lines of each correspondence graph it rewrites (5 of
    1,600): written whole, every batch deleted and inserted thousands of triples through
    the engine's write buffers. A triple spelt two ways is deleted, then inserted: it stays.
    A graph with blank nodes (which DELETE DATA cannot name) or without old text is emptied
    and refilled.

    >>> g = URIRef("urn:g")
    >>> print(delta_plan({"urn:g": "<urn:a> <urn:p> 1 .\\n<urn:b> <urn:p> 2 .\\n"},
    ...                  {g: "<urn:b> <urn:p> 2 .\\n<urn:c> <urn:p> 3 .\\n"})[0])
    DELETE DATA { GRAPH <urn:g> {
    <urn:a> <urn:p> 1 .
    } } ;
    INSERT DATA { GRAPH <urn:g> {
    <urn:c> <urn:p> 3 .
    } }
    >>> delta_plan({"urn:g": "<urn:a> <urn:p> 1 .\\n"}, {g: "<urn:a> <urn:p> 1 .\\n"})
    ('', [])
    >>> delta_plan({"urn:g": "_:b <urn:p> 1 .\\n"}, {g: "_:b <urn:p> 1 .\\n"})[0].split(" ;")[0]
    'DROP SILENT GRAPH <urn:g>'

    With ``whole``, a graph whose changed lines (deleted and inserted) are at least
    ``WHOLE_LINES`` and more than ``WHOLE_SHARE`` of the lines before and after, such as a
    document loaded again after its text or the readers changed, is dropped and left for the
    caller to load whole: the engine's bulk loader writes a line for a fraction of what a
    SPARQL update costs. A document loaded again unchanged changes no line, and costs none.

    >>> before = "".join(f"<urn:s> <urn:p> {i} .\\n" for i in range(400))
    >>> delta_plan({"urn:g": before}, {g: before.replace("> 1", "> 9")}, whole=True)
    ('DROP SILENT GRAPH <urn:g>', [rdflib.term.URIRef('urn:g')])
    >>> delta_plan({"urn:g": before}, {g: before.replace("> 399 ", "> 0 ")}, whole=True)[1]
    []
    """
    rewrite: dict[URIRef, GraphData] = {}
    reload: list[URIRef] = []
    ops: list[str] = []
    for g, data in graphs.items():
        before, after = old.get(str(g)), ntriples(data)
        if before is None or "_:" in before or "_:" in after:
            rewrite[g] = data
            continue
        lines_before, lines_after = _lines(before), _lines(after)
        removed, added = lines_before - lines_after, lines_after - lines_before
        changed = len(removed) + len(added)
        if whole and changed >= WHOLE_LINES and changed > WHOLE_SHARE * (len(lines_before) + len(lines_after)):
            reload.append(g)
            continue
        if removed:
            ops.append(f"DELETE DATA {{ GRAPH <{g}> {{\n{''.join(sorted(removed))}}} }}")
        if added:
            ops.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{''.join(sorted(added))}}} }}")
    gone = [*drops, *reload]
    refill = swap_update(rewrite, gone) if rewrite or gone else ""
    return " ;\n".join([*([refill] if refill else []), *ops]), reload


def _lines(text: str) -> set[str]:
    """The statements of an N-Triples text, one per line (comments and blank lines left out).
    Cut at line feeds only: a literal may hold U+2028 or U+0085 as they are, which
    ``str.splitlines`` would cut at.

    >>> sorted(_lines('<urn:a> <urn:p> "x\\u2028y\\x85z" .\\n# note\\n\\n<urn:b> <urn:p> 1 .\\n'))
    ['<urn:a> <urn:p> "x\\u2028y\\x85z" .\\n', '<urn:b> <urn:p> 1 .\\n']
    """
    return {line.strip() + "\n" for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")}


def serialize_dataset(nquads: bytes, fmt: ExportFormat) -> bytes:
    """N-Quads as ``fmt`` (turtle: the union of the graphs, graph names dropped)."""
    if fmt is ExportFormat.nquads:
        return nquads
    ds = Dataset()
    ds.parse(data=nquads, format="nquads")
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns)
    if fmt is ExportFormat.turtle:
        union = Graph()
        for prefix, ns in PREFIXES.items():
            union.bind(prefix, ns)
        for s, p, o, _ in ds.quads():
            union.add((s, p, o))
        return union.serialize(format="turtle").encode("utf-8")
    rdflib_fmt = {"jsonld": "json-ld"}.get(fmt.value, fmt.value)
    return ds.serialize(format=rdflib_fmt).encode("utf-8")


def write_graphs(output: BinaryIO, fmt: ExportFormat, graphs: Iterable[tuple[URIRef, Graph]]) -> None:
    r"""Named graphs written to ``output`` in ``fmt`` one after the other, each serialised by
    itself (what is held is one graph): N-Quads; TriG, a block a graph; Turtle, the union of
    the graphs (:data:`~pia_kg.vocab.PREFIXES` declared once; a triple two graphs hold is
    written twice, which a reader takes as one); JSON-LD, an array of named graph objects.

    >>> import io, json
    >>> g = Graph()
    >>> _ = g.add((URIRef("urn:s"), URIRef("https://w3id.org/pia-kg/ontology#source"), URIRef("urn:o")))
    >>> out = io.BytesIO()
    >>> write_graphs(out, ExportFormat.nquads, [(URIRef("urn:g"), g), (URIRef("urn:h"), g)])
    >>> out.getvalue().decode()
    '<urn:s> <https://w3id.org/pia-kg/ontology#source> <urn:o> <urn:g> .\n<urn:s> <https://w3id.org/pia-kg/ontology#source> <urn:o> <urn:h> .\n'
    >>> out = io.BytesIO()
    >>> write_graphs(out, ExportFormat.turtle, [(URIRef("urn:g"), g), (URIRef("urn:h"), g)])
    >>> len(Graph().parse(data=out.getvalue(), format="turtle"))
    1
    >>> out = io.BytesIO()
    >>> write_graphs(out, ExportFormat.jsonld, [(URIRef("urn:g"), g)])
    >>> [d["@id"] for d in json.loads(out.getvalue())]
    ['urn:g']
    """
    if fmt is ExportFormat.turtle:
        output.write(prefix_lines())
    elif fmt is ExportFormat.jsonld:
        output.write(b"[")
    first = True
    for name, graph in graphs:
        if fmt is ExportFormat.nquads or fmt is ExportFormat.trig:
            lines = graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True)
            if fmt is ExportFormat.nquads:
                tail = f" <{name}> .\n".encode()
                output.writelines(line[: line.rindex(b".")].rstrip() + tail for line in lines if line.strip())
            else:
                output.write(f"<{name}> {{\n".encode())
                output.writelines(lines)
                output.write(b"}\n")
        elif fmt is ExportFormat.turtle:
            for prefix, ns in PREFIXES.items():
                graph.bind(prefix, ns)
            output.write(without_prefix_lines(graph.serialize(format="turtle", encoding="utf-8")))
        else:
            body = graph.serialize(format="json-ld", encoding="utf-8").strip() or b"[]"
            output.write(b"" if first else b",\n")
            output.write(b'{"@id": ' + json.dumps(str(name)).encode() + b', "@graph": ' + body + b"}")
        first = False
    if fmt is ExportFormat.jsonld:
        output.write(b"]\n")


def prefix_lines() -> bytes:
    """The Turtle declarations of :data:`~pia_kg.vocab.PREFIXES`."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()).encode()


def without_prefix_lines(turtle: bytes) -> bytes:
    r"""A graph's Turtle without the declarations of :data:`~pia_kg.vocab.PREFIXES` it begins
    with (the export declares them once, first); any other prefix it declares stays, where
    it is (a directive may come anywhere, and a later one rebinds the prefix).

    >>> without_prefix_lines(b"@prefix pia: <https://w3id.org/pia-kg/ontology#> .\n\n@prefix ns1: <urn:b#> .\nns1:x pia:source 1 .\n")
    b'@prefix ns1: <urn:b#> .\nns1:x pia:source 1 .\n'
    """
    declared = _declared()
    lines = turtle.splitlines(keepends=True)
    at = 0
    while at < len(lines) and (lines[at].rstrip() in declared or not lines[at].strip()):
        at += 1
    return b"".join(lines[at:])


@cache
def _declared() -> frozenset[bytes]:
    return frozenset(prefix_lines().splitlines())


class SparqlUpdateStore(Store):
    """A backend that changes graphs through SPARQL Update: one request per swap, which the
    engine (embedded Oxigraph, or a SPARQL 1.1 server) applies as one transaction."""

    @abstractmethod
    def update(self, sparql_update: str) -> None:
        """Run a SPARQL Update request as one transaction; StoreError when it fails."""

    def replace_graphs(self, graphs: Mapping[URIRef, GraphData], drops: Sequence[URIRef] = ()) -> None:
        if graphs or drops:
            self.update(swap_update(graphs, drops))

    def drop_graphs(self, graphs: Sequence[URIRef]) -> None:
        if graphs:
            self.update(swap_update({}, graphs))
