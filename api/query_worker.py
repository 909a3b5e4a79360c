"""Killable query workers: SPARQL from strangers runs in child processes, never in the server.

An engine cannot be interrupted from Python: a thread running a runaway query keeps its CPU
and memory until the query ends. So ``pia-kg serve`` runs every ``/sparql`` text in one of a
few worker processes, each with its own read-only handle on the store folder (no lock: a
``pia-kg load`` can write meanwhile, and a handle reopens when the folder changed). Past
the timeout the worker is killed (SIGKILL) and a fresh one takes its place; a query that
crashes the engine kills only its worker. Rows are counted while they are read (the row
cap holds for every query form), and travel back as plain tuples::

    pool = QueryPool("pia-kg-store", size=2)
    result = pool.run("SELECT * WHERE { ?s ?p ?o } LIMIT 3", timeout=5, limit=1000)
    pool.close()
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import queue
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from pia_kg.errors import PiaKgError, QueryError, QueryTimeoutError, ResultLimitError, StoreError
from pia_kg.store import QueryResult

__all__ = ["QueryPool", "encode_result", "decode_result"]

Encoded = tuple[str, ...]
# The errors a worker sends back by name (any other is a plain QueryError).
_ERRORS: dict[str, type[PiaKgError]] = {
    "ResultLimitError": ResultLimitError,
    "QueryError": QueryError,
    "StoreError": StoreError,
}


def _encode_term(term: Node | None) -> Encoded | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return ("l", str(term), term.language or "", str(term.datatype or ""))
    return ("b" if isinstance(term, BNode) else "u", str(term))


@lru_cache(maxsize=131_072)
def _decode_term(cell: Encoded) -> Node:
    if cell[0] == "u":
        return URIRef(cell[1])
    if cell[0] == "b":
        return BNode(cell[1])
    _, value, lang, datatype = cell
    return Literal(value, lang=lang or None, datatype=URIRef(datatype) if datatype else None)


def encode_result(result: QueryResult) -> dict[str, Any]:
    """A QueryResult as plain tuples (cheap to send between processes)."""
    if result.kind == "graph":
        triples = result.graph if result.graph is not None else ()
        return {"kind": "graph", "triples": [tuple(map(_encode_term, t)) for t in triples]}
    return {
        "kind": result.kind,
        "variables": result.variables,
        "rows": [tuple(map(_encode_term, row)) for row in result.rows],
        "boolean": result.boolean,
    }


def decode_result(data: dict[str, Any]) -> QueryResult:
    """The QueryResult that :func:`encode_result` encoded."""
    def term(cell: Encoded | None) -> Node | None:
        return None if cell is None else _decode_term(cell)

    if data["kind"] == "graph":
        graph = Graph()
        for s, p, o in data["triples"]:
            graph.add((term(s), term(p), term(o)))
        return QueryResult("graph", graph=graph)
    rows = [tuple(term(c) for c in row) for row in data["rows"]]
    return QueryResult(data["kind"], data["variables"], rows, data["boolean"])


def _serve(path: str, conn: multiprocessing.connection.Connection) -> None:
    """A worker's loop: read (query, limit), answer ("ok", result) or ("error", type, message)."""
    from pia_kg.backends.oxigraph_store import OxigraphStore

    os.nice(10)  # the server's own routes come first when CPU is short
    store = OxigraphStore(path, read_only=True)
    store.query("ASK { ?s ?p ?o }")  # warm: the first answer costs no more than the next
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the server went away
        if job is None:
            return
        sparql, limit = job
        try:
            reply: tuple[object, ...] = ("ok", encode_result(store.query(sparql, limit=limit)))
        except PiaKgError as exc:
            reply = ("error", type(exc).__name__, str(exc))
        except Exception as exc:  # an engine failure: the message, never a traceback
            reply = ("error", "QueryError", f"query failed: {exc}")
        conn.send(reply)


class _Worker:
    def __init__(self, ctx: multiprocessing.context.BaseContext, path: str):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(path, child), daemon=True, name="pia-kg-query")
        self.process.start()
        child.close()

    def ready(self, wait: float = 30) -> bool:
        """Whether the worker opened the store and said so within ``wait`` seconds."""
        try:
            return bool(self.conn.poll(wait)) and self.conn.recv() == ("ready",)
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=2)
        self.conn.close()


class QueryPool:
    """``size`` worker processes over the Oxigraph store at ``path``, each read-only."""

    def __init__(self, path: str | Path, *, size: int = 2):
        self.path = str(path)
        self.size = size
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["pia_kg.api.query_worker", "pia_kg.backends.oxigraph_store"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.replaced = 0  # workers killed and replaced (timeouts, crashes)
        starting = [_Worker(self._ctx, self.path) for _ in range(size)]
        for worker in starting:
            if not worker.ready():
                raise StoreError(f"a query worker could not open the store at {self.path}")
            self._idle.put(worker)

    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        return [w.process.pid for w in list(self._idle.queue) if w.process.pid]

    def run(self, sparql: str, *, timeout: float | None, limit: int | None) -> QueryResult:
        """Run ``sparql`` in a worker; past ``timeout`` seconds (waiting included) it is killed.

        Raises QueryError (malformed, or the engine failed), ResultLimitError,
        QueryTimeoutError, StoreError (every worker busy until the deadline).
        """
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise StoreError(
                f"all {self.size} query workers stayed busy for {timeout:g} s; try again later"
            ) from None
        remaining = None if timeout is None else max(timeout - (time.monotonic() - started), 0.01)
        try:
            reply = self._ask(worker, sparql, limit, remaining, timeout)
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        if reply[0] == "ok":
            return decode_result(reply[1])
        raise _ERRORS.get(reply[1], QueryError)(reply[2])

    def _ask(
        self, worker: _Worker, sparql: str, limit: int | None, remaining: float | None,
        timeout: float | None,
    ) -> tuple[Any, ...]:
        try:
            worker.conn.send((sparql, limit))
            if not worker.conn.poll(remaining):
                raise QueryTimeoutError(
                    f"the query ran longer than the {timeout:g} s timeout and was stopped; "
                    "narrow it (add a LIMIT or more specific patterns)"
                )
            reply: tuple[Any, ...] = worker.conn.recv()
            return reply
        except (EOFError, OSError):
            raise QueryError(
                "the query engine failed on this query (its worker stopped and was replaced)"
            ) from None

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background (the caller answers now)."""
        self.replaced += 1

        def swap() -> None:
            worker.kill()
            while not self._closed:
                fresh = _Worker(self._ctx, self.path)
                if fresh.ready():
                    self._idle.put(fresh)
                    return
                fresh.kill()
                time.sleep(1)

        threading.Thread(target=swap, name="pia-kg-replace-worker", daemon=True).start()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                return
            try:
                worker.conn.send(None)
            except OSError:
                pass
            worker.kill()
