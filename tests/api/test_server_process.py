"""``pia-kg serve`` as a real process on a loopback port, with standard clients against it.

SPARQLWrapper (what Python developers use) must work against /sparql; updates must be
refused; the timeout and row cap given on the command line must hold over HTTP. The server
is started and stopped by the test, on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from api_support import seeded_store_dir
from conftest import SEED_001

pytestmark = pytest.mark.server

PIA_KG = Path(sys.executable).with_name("pia-kg")
ITEM_81 = """PREFIX pia: <https://w3id.org/pia-kg/ontology#>
SELECT ?agency ?jimu WHERE {
  <https://w3id.org/pia-kg/id/law/bango-beppyo/2024-05-27/item/81> pia:agency ?agency ; pia:jimu ?jimu .
}"""
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?b ?c } LIMIT 3000 } "
    "{ SELECT ?d WHERE { ?d ?e ?f } LIMIT 3000 } }"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(store: Path, *options: str) -> Iterator[str]:
    """`pia-kg serve` on ``store`` as a real process on a free loopback port; its base URL."""
    port = _free_port()
    cmd = [str(PIA_KG), "--store", str(store), "serve", "--port", str(port), *options]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"pia-kg serve exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}")
            try:
                if httpx.get(url + "/queries", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("pia-kg serve did not answer within 30 s")
            time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(seeded_store_dir(), "--timeout", "0.3", "--max-rows", "50") as url:
        yield url


def test_sparqlwrapper_select_json(server: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(ITEM_81)
    client.setReturnFormat(JSON)
    body = client.query().convert()
    (row,) = body["results"]["bindings"]
    assert row["agency"]["value"].startswith("市町村長") and "児童手当" in row["jimu"]["value"]


def test_sparqlwrapper_post_csv_and_construct_turtle(server: str) -> None:
    from SPARQLWrapper import CSV, POST, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setMethod(POST)
    client.setQuery(ITEM_81)
    client.setReturnFormat(CSV)
    text = client.query().convert().decode("utf-8")
    assert text.splitlines()[0] == "agency,jimu" and "市町村長" in text

    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(
        "PREFIX pia: <https://w3id.org/pia-kg/ontology#> CONSTRUCT { ?i pia:jimu ?j } WHERE { "
        "?i pia:inVersion <https://w3id.org/pia-kg/id/law/bango-beppyo/2024-05-27> ; "
        'pia:itemLabel "81" ; pia:jimu ?j }'
    )
    client.setReturnFormat(TURTLE)
    from rdflib import Graph

    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 1


def test_sparqlwrapper_update_is_refused(server: str) -> None:
    from SPARQLWrapper import POST, SPARQLWrapper

    client = SPARQLWrapper(server + "/sparql")
    client.setMethod(POST)
    client.setQuery("DROP ALL")  # SPARQLWrapper sends it as an update
    with pytest.raises(Exception) as info:
        client.query()
    assert "403" in str(info.value) or "read-only" in str(info.value)
    # Still all there.
    r = httpx.get(server + "/sparql", params={"query": ITEM_81})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 1


def test_cli_limits_hold_over_http(server: str) -> None:
    r = httpx.get(server + "/sparql", params={"query": SLOW}, timeout=10)
    assert r.status_code == 504 and "0.3 s" in r.json()["error"]["message"]
    r = httpx.get(server + "/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 51"})
    assert r.status_code == 413 and "cap of 50" in r.json()["error"]["message"]


def test_page_docs_and_rest_over_http(server: str) -> None:
    home = httpx.get(server + "/")
    assert home.status_code == 200 and "項番を調べる" in home.text
    assert httpx.get(server + "/static/site.css").status_code == 200
    assert httpx.get(server + "/docs").status_code == 200
    r = httpx.get(server + "/queries/item_meaning", params={"table": "番号法別表", "item": "81", "as_of": "2025-01-01"})
    assert r.status_code == 200 and r.json()["rows"][0]["agency"].startswith("市町村長")


DEEP = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
# A cartesian product of the whole store with itself, three times: runs for hours.
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_deep_query_is_refused_and_the_server_lives(server: str) -> None:
    r = httpx.get(server + "/sparql", params={"query": DEEP}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["type"] == "QueryTooComplexError"
    r = httpx.post(server + "/sparql", content=DEEP.encode(), timeout=10,
                   headers={"content-type": "application/sparql-query"})
    assert r.status_code == 400
    assert httpx.get(server + "/assessments", timeout=10).status_code == 200


def test_runaway_queries_are_stopped_and_others_still_answer(server: str) -> None:
    def runaway(_: int) -> int:
        return httpx.get(server + "/sparql", params={"query": RUNAWAY}, timeout=60).status_code

    with ThreadPoolExecutor(20) as pool:
        pending = [pool.submit(runaway, i) for i in range(20)]
        time.sleep(0.2)  # the runaways are in first
        started = time.monotonic()
        r = httpx.get(server + "/assessments", timeout=30)
        took = time.monotonic() - started
        statuses = [f.result() for f in pending]
    print(f"/assessments answered in {took:.3f} s behind 20 runaway queries")
    assert r.status_code == 200 and r.json()["count"] >= 1
    # Each runaway was stopped (504) or never got a worker (503); none ran to its end.
    assert set(statuses) <= {503, 504}, statuses
    # Workers were replaced: queries run normally again (once the last runaway's worker,
    # killed at its timeout, has a successor).
    for _ in range(20):
        r = httpx.get(server + "/sparql", params={"query": ITEM_81}, timeout=10)
        if r.status_code == 200:
            break
        time.sleep(0.25)
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 1


def test_construct_row_cap_over_http(server: str) -> None:
    r = httpx.get(server + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, timeout=10)
    assert r.status_code == 413 and "triples" in r.json()["error"]["message"]


def test_a_download_over_http_has_every_row_past_the_cap_and_the_timeout(server: str) -> None:
    """The server caps answers at 50 rows and 0.3 s; a CSV of every transfer is written as
    the store reads it (api/downloads.py), sent in chunks, and whole."""
    assert httpx.get(server + "/queries/transfers", timeout=30).status_code in (413, 504)
    with httpx.stream("GET", server + "/queries/transfers", params={"_format": "csv"}, timeout=60) as r:
        assert r.status_code == 200 and r.headers.get("transfer-encoding") == "chunked"
        text = b"".join(r.iter_bytes()).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["assessment", "file"] and len(rows) > 100 and all(len(r) == len(rows[0]) for r in rows)


def test_load_while_serving(tmp_path: Path) -> None:
    """The server holds no write lock: `pia-kg remove` and `pia-kg load` write the store it
    serves, and its answers follow each write."""
    store = tmp_path / "store"
    shutil.copytree(seeded_store_dir(), store)
    doc = SEED_001.stem

    def ids(url: str) -> set[str]:
        rows = httpx.get(url + "/assessments", timeout=30).json()["rows"]
        return {f"{r.get('assessment')} {r.get('source')}" for r in rows}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(PIA_KG), "--store", str(store), *args],
                              capture_output=True, text=True, timeout=300)

    with serving(store) as url:
        before = ids(url)
        assert any(doc in i for i in before), before
        removed = cli("remove", doc)
        assert removed.returncode == 0, removed.stderr
        assert not any(doc in i for i in ids(url))
        loaded = cli("load", str(SEED_001))
        assert loaded.returncode == 0, loaded.stderr
        assert any(doc in i for i in ids(url))
        r = httpx.get(url + f"/assessments/{doc}", timeout=30)
        assert r.status_code == 200
