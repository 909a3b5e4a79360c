"""Query admission and hostile requests, in-process on the seeded store.

Every probe here was a defect: a deep query killed the server, SERVICE fetched for any
caller, CONSTRUCT ignored the row cap, no request-body limit, bad item labels answered 500.
"""

from __future__ import annotations

import doctest

import pytest
from fastapi.testclient import TestClient
from servers import oxigraph_server

import pia_kg.admission
import pia_kg.api.query_cache
import pia_kg.backends.common
from pia_kg.admission import DEFAULT_MAX_DEPTH, QueryLimits, admit, scan
from pia_kg.api.app import create_app
from pia_kg.errors import QueryTooComplexError, QueryTooLargeError, ServiceRefusedError
from pia_kg.named_queries import named_queries

DEEP = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(loaded_store) -> TestClient:
    return TestClient(create_app(loaded_store, timeout=5, max_rows=50, max_body_bytes=100_000))


@pytest.mark.parametrize("module", [pia_kg.admission, pia_kg.api.query_cache, pia_kg.backends.common])
def test_doctests(module) -> None:
    assert doctest.testmod(module).failed == 0


def test_every_named_query_is_admitted() -> None:
    for q in named_queries().values():
        admit(q.text)  # the limits leave room for what ships


def test_scan_ignores_brackets_and_service_in_strings_iris_comments() -> None:
    text = 'SELECT * WHERE { ?s ?p "SERVICE <urn:x> {{{{" . ?s <urn:a(b[> ?o # SERVICE <urn:y> {{{\n}'
    found = scan(text)
    assert found.depth == 1 and found.services == []
    assert scan("select * where { service <http://x/> { } SERVICE ?e { } }").services == ["http://x/", "?e"]


def test_limits_raise_typed_errors() -> None:
    with pytest.raises(QueryTooLargeError):
        admit("SELECT * WHERE { ?s ?p ?o }" + " " * 70_000)
    with pytest.raises(QueryTooComplexError):
        admit("ASK { FILTER(" + "(" * (DEFAULT_MAX_DEPTH + 1) + "1" + ")" * (DEFAULT_MAX_DEPTH + 1) + ") }")
    with pytest.raises(ServiceRefusedError):
        admit("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    admit("SELECT * WHERE { SERVICE <http://a/> { ?s ?p ?o } }", QueryLimits(allowed_services=frozenset({"http://a/"})))
    admit("SELECT * WHERE { SERVICE <http://b/> { ?s ?p ?o } }", QueryLimits(allowed_services=None))


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql", params={"query": DEEP}),
        lambda c: c.post("/sparql", data={"query": DEEP}),
        lambda c: c.post("/sparql", content=DEEP.encode(), headers={"content-type": "application/sparql-query"}),
    ],
    ids=["get", "form", "body"],
)
def test_deep_query_is_refused_before_the_engine(client: TestClient, send) -> None:
    r = send(client)
    assert r.status_code == 400
    assert r.json()["error"]["type"] == "QueryTooComplexError" and "5000 deep" in r.json()["error"]["message"]
    assert client.get("/assessments").status_code == 200


def test_deep_query_on_the_page_is_refused(client: TestClient) -> None:
    r = client.get("/ui/sparql", params={"query": DEEP})
    assert r.status_code == 400 and "5000" in r.text


@pytest.mark.parametrize("port", [1, 9, 8000, 65535])
def test_service_is_refused_without_revealing_ports(client: TestClient, port: int) -> None:
    q = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/anything> {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": q})
    assert r.status_code == 403 and r.json()["error"]["type"] == "ServiceRefusedError"
    # The same words whatever the port: nothing was tried, nothing can be learned.
    assert str(port) not in r.json()["error"]["message"]
    assert r.json()["error"]["message"] == client.get(
        "/sparql", params={"query": "SELECT * WHERE { SERVICE ?any { ?s ?p ?o } }"}
    ).json()["error"]["message"]


def test_allowed_service_is_called(loaded_store, tmp_path) -> None:
    with oxigraph_server(tmp_path / "remote") as base:
        import httpx

        httpx.post(base + "/update", content="INSERT DATA { <urn:x> <urn:says> 'hello' }",
                   headers={"content-type": "application/sparql-update"}).raise_for_status()
        endpoint = base + "/query"
        q = f"SELECT ?o WHERE {{ SERVICE <{endpoint}> {{ <urn:x> <urn:says> ?o }} }}"
        allowed = TestClient(create_app(loaded_store, query_limits=QueryLimits(allowed_services=frozenset({endpoint}))))
        r = allowed.get("/sparql", params={"query": q})
        assert r.status_code == 200 and r.json()["results"]["bindings"][0]["o"]["value"] == "hello"
        refused = TestClient(create_app(loaded_store))
        assert refused.get("/sparql", params={"query": q}).status_code == 403


def test_construct_over_the_cap_is_413(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT_ALL})
    assert r.status_code == 413 and "more than 50 triples" in r.json()["error"]["message"]
    r = client.get("/sparql", params={"query": "DESCRIBE ?s WHERE { ?s ?p ?o }"})
    assert r.status_code == 413
    r = client.get("/sparql", params={"query": CONSTRUCT_ALL + " LIMIT 50"})
    assert r.status_code == 200


def test_oversized_query_and_body_are_413(client: TestClient) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 70_000
    r = client.post("/sparql", content=big.encode(), headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413 and r.json()["error"]["type"] == "QueryTooLargeError"
    huge = b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * 200_000
    r = client.post("/sparql", content=huge, headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413 and "request body" in r.json()["error"]["message"]

    def chunks():  # no Content-Length: counted while it arrives
        yield b"SELECT * WHERE { ?s ?p ?o } #"
        for _ in range(30):
            yield b"x" * 10_000

    r = client.post("/sparql", content=chunks(), headers={"content-type": "application/sparql-query"})
    assert r.status_code == 413 and "request body" in r.json()["error"]["message"]
    assert client.get("/assessments").status_code == 200


@pytest.mark.parametrize("item", ["-1", '81"@en', "x", "８１の", "%00"])
def test_bad_item_labels_are_4xx(client: TestClient, item: str) -> None:
    r = client.get(f"/items/番号法別表/{item}")
    assert 400 <= r.status_code < 500 and r.json()["error"]["type"] == "ParameterError"
    page = client.get("/ui/item", params={"table": "番号法別表", "item": item})
    assert 400 <= page.status_code < 500


def test_named_answers_are_cached_per_store_state(client: TestClient, loaded_store) -> None:
    cache = client.app.state.settings.cache
    client.get("/assessments")
    token = loaded_store.state_token()
    assert cache._token == token and any(k[0] == "assessments" for k in cache._entries)
    first = client.get("/assessments").json()
    assert first == client.get("/assessments").json()


def test_cached_answers_follow_every_write(tmp_path) -> None:
    """Answers kept per store state: the same until a write, the new content right after."""
    from conftest import SEED_001, SEED_003

    from pia_kg.pipeline import load_documents, remove_documents
    from pia_kg.store import open_store

    store = open_store("oxigraph", path=tmp_path / "store")
    load_documents(store, [SEED_003])
    # A generous timeout: this test is about what the caches keep, not about time limits
    # (the warmer computes the slow impact answer beside it on a loaded machine).
    app = TestClient(create_app(store, cache_responses=True, warm=True, timeout=300))

    def sources() -> set[str]:
        r = app.get("/assessments")
        assert r.status_code == 200
        return {str(row["source"]).split("#")[0] for row in r.json()["rows"]}

    first = sources()
    assert first == sources()
    load_documents(store, [SEED_001])
    assert SEED_001.name in sources() and SEED_001.name not in first
    remove_documents(store, [SEED_001.stem])
    assert SEED_001.name not in sources()
    store.close()


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_from_never_fetches(backend: str) -> None:
    """FROM <url> names a graph of the store; no backend goes to the web for it."""
    import select
    import socket

    from pia_kg.store import open_store

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        app = TestClient(create_app(open_store(backend)))
        for q in (f"SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <http://127.0.0.1:{port}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
            r = app.get("/sparql", params={"query": q})
            assert r.status_code == 200 and r.json()["results"]["bindings"] == []
        ready, _, _ = select.select([listener], [], [], 0.5)
        assert not ready, "the server connected to the address named in FROM"
