"""Killable query workers over a read-only handle of the store (what `pia-kg serve` uses)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED_003

from pia_kg.api.query_worker import QueryPool, decode_result, encode_result
from pia_kg.errors import QueryError, QueryTimeoutError, ResultLimitError
from pia_kg.pipeline import load_documents
from pia_kg.store import open_store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    store = open_store("oxigraph", path=tmp_path / "store")
    load_documents(store, [SEED_003])
    store.close()
    return tmp_path / "store"


@pytest.fixture()
def pool(store_dir: Path) -> Iterator[QueryPool]:
    pool = QueryPool(store_dir, size=2)
    yield pool
    pool.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child not yet reaped is a zombie: dead for our purpose.
    return "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _refilled(pool: QueryPool) -> list[int]:
    for _ in range(300):
        if len(pool.pids()) == pool.size:
            return pool.pids()
        time.sleep(0.1)
    raise AssertionError("the pool was not refilled")


def test_results_round_trip(pool: QueryPool) -> None:
    r = pool.run("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o LIMIT 5", timeout=30, limit=100)
    assert r.kind == "select" and len(r.rows) == 5
    assert decode_result(encode_result(r)).rows == r.rows
    assert pool.run("ASK { ?s ?p ?o }", timeout=30, limit=100).boolean is True
    g = pool.run("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 7", timeout=30, limit=100)
    assert g.graph is not None and len(g.graph) == 7


def test_the_row_cap_holds_for_every_form(pool: QueryPool) -> None:
    for query in ("SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE ?s WHERE { ?s ?p ?o }"):
        with pytest.raises(ResultLimitError):
            pool.run(query, timeout=30, limit=10)
    assert len(_refilled(pool)) == 2  # a refused answer costs no worker


def test_a_runaway_is_killed_and_its_worker_replaced(pool: QueryPool) -> None:
    before = set(_refilled(pool))
    with pytest.raises(QueryTimeoutError, match="stopped"):
        pool.run(RUNAWAY, timeout=0.5, limit=10)
    after = set(_refilled(pool))
    gone = before - after
    assert len(gone) == 1 and not any(_alive(pid) for pid in gone)
    assert pool.replaced == 1
    assert pool.run("ASK { ?s ?p ?o }", timeout=30, limit=10).boolean is True


def test_a_crash_of_the_engine_costs_only_its_worker(pool: QueryPool) -> None:
    # Past admission (which refuses it), this overflows the parser's stack: SIGSEGV.
    deep = "SELECT * WHERE " + "{" * 100_000 + "}" * 100_000
    with pytest.raises(QueryError, match="worker stopped"):
        pool.run(deep, timeout=60, limit=10)
    assert pool.replaced == 1
    _refilled(pool)
    assert pool.run("ASK { ?s ?p ?o }", timeout=30, limit=10).boolean is True


def test_workers_read_what_a_writer_commits(pool: QueryPool, store_dir: Path) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:test:g> { ?s ?p ?o } }"
    assert int(pool.run(count, timeout=30, limit=10).rows[0][0]) == 0
    writer = open_store("oxigraph", path=store_dir)  # the workers hold no lock
    writer.update("INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> <urn:c>, <urn:d> } }")
    for _ in range(2):  # both workers see it
        assert int(pool.run(count, timeout=30, limit=10).rows[0][0]) == 2
    writer.close()
