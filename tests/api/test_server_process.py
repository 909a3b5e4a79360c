"""``pia-kg serve`` as a real process on a loopback port, with standard clients against it.

SPARQLWrapper (what Python developers use) must work against /sparql; updates must be
refused; the timeout and row cap given on the command line must hold over HTTP. The server
is started and stopped by the test, on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_support import seeded_store_dir

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


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    cmd = [str(PIA_KG), "--store", str(seeded_store_dir()), "serve", "--port", str(port),
           "--timeout", "0.3", "--max-rows", "50"]
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
