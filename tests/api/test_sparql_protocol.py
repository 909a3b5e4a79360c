"""The /sparql endpoint: SPARQL 1.1 Protocol forms, content negotiation, read-only, limits.

In-process through FastAPI's test client on the seeded store (law tables + seeds). The
facts asserted come from the law table text: in the 2024-05-27 番号法 別表, item 81 is
市町村長 / 児童手当 (bango_beppyo_new_20240527_505AC0000000048.tsv, line 114).
"""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from pia_kg.api.app import create_app
from pia_kg.api.sparql_protocol import choose_format, sparql_operation

PIA = "https://w3id.org/pia-kg/ontology#"
ITEM_81 = f"""PREFIX pia: <{PIA}>
SELECT ?agency ?jimu WHERE {{
  <https://w3id.org/pia-kg/id/law/bango-beppyo/2024-05-27/item/81> pia:agency ?agency ; pia:jimu ?jimu .
}}"""
CONSTRUCT_81 = f"""PREFIX pia: <{PIA}>
CONSTRUCT {{ ?i pia:jimu ?j }} WHERE {{
  ?i pia:itemLabel "81" ; pia:inVersion <https://w3id.org/pia-kg/id/law/bango-beppyo/2024-05-27> ; pia:jimu ?j .
}}"""
# A bounded cross product: about a second of work on the seeded store, far over the timeout
# used below, and it ends by itself (the engine cannot be interrupted).
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?a WHERE { ?a ?b ?c } LIMIT 3000 } "
    "{ SELECT ?d WHERE { ?d ?e ?f } LIMIT 3000 } }"
)


@pytest.fixture(scope="module")
def client(loaded_store) -> TestClient:
    return TestClient(create_app(loaded_store, timeout=0.3, max_rows=50))


def _check_item_81_json(body: dict) -> None:
    assert body["head"]["vars"] == ["agency", "jimu"]
    (row,) = body["results"]["bindings"]
    assert row["agency"]["value"].startswith("市町村長")
    assert "児童手当" in row["jimu"]["value"]


def test_get_query_answers_sparql_json(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": ITEM_81})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    _check_item_81_json(r.json())


def test_post_form_and_sparql_query_body(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": ITEM_81})
    assert form.status_code == 200
    _check_item_81_json(form.json())
    body = client.post(
        "/sparql", content=ITEM_81.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert body.status_code == 200
    _check_item_81_json(body.json())


def test_xml_csv_tsv_by_accept(client: TestClient) -> None:
    xml = client.get("/sparql", params={"query": ITEM_81}, headers={"accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    literals = [e.text for e in ET.fromstring(xml.content).iterfind(".//s:literal", ns)]
    assert any(t.startswith("市町村長") for t in literals)

    csv_r = client.get("/sparql", params={"query": ITEM_81}, headers={"accept": "text/csv"})
    assert csv_r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_r.text)))
    assert rows[0] == ["agency", "jimu"] and rows[1][0].startswith("市町村長")

    tsv = client.get(
        "/sparql", params={"query": ITEM_81}, headers={"accept": "text/tab-separated-values;q=1, */*;q=0.1"}
    )
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert tsv.text.splitlines()[0] == "?agency\t?jimu"


def test_format_parameter_wins_over_accept(client: TestClient) -> None:
    # SPARQLWrapper sends format=/output=/results= alongside its Accept header.
    r = client.get("/sparql", params={"query": ITEM_81, "format": "csv"}, headers={"accept": "application/json"})
    assert r.headers["content-type"].startswith("text/csv")


def test_ask(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": f"ASK {{ ?i <{PIA}itemLabel> \"81\" }}"})
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": f"ASK {{ ?i <{PIA}itemLabel> \"no such item\" }}"})
    assert r.json()["boolean"] is False


def test_construct_as_turtle_and_jsonld(client: TestClient) -> None:
    ttl = client.get("/sparql", params={"query": CONSTRUCT_81})
    assert ttl.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=ttl.text, format="turtle")
    assert len(g) == 1 and "児童手当" in str(next(iter(g))[2])

    jsonld = client.get("/sparql", params={"query": CONSTRUCT_81}, headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    json.loads(jsonld.text)
    assert len(Graph().parse(data=jsonld.text, format="json-ld")) == 1


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get("/sparql", params={"update": "DROP ALL"}),
        lambda c: c.post("/sparql", data={"update": "DROP ALL"}),
        lambda c: c.post("/sparql", content=b"DROP ALL", headers={"content-type": "application/sparql-update"}),
        lambda c: c.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
        lambda c: c.post(
            "/sparql",
            content=f"PREFIX pia: <{PIA}>\n# comment\nDELETE WHERE {{ ?s pia:jimu ?o }}".encode(),
            headers={"content-type": "application/sparql-query"},
        ),
    ],
    ids=["get-update", "form-update", "sparql-update-body", "insert-as-query", "delete-as-query-body"],
)
def test_updates_are_refused_and_change_nothing(client: TestClient, loaded_store, send) -> None:
    before = loaded_store.triple_count()
    r = send(client)
    assert r.status_code == 403
    assert r.json()["error"]["type"] == "UpdateRefusedError"
    assert "read-only" in r.json()["error"]["message"]
    assert loaded_store.triple_count() == before


def test_update_detection_ignores_words_in_strings_and_iris() -> None:
    assert sparql_operation('SELECT ?s WHERE { ?s ?p "DROP ALL" }') == "query"
    assert sparql_operation("PREFIX drop: <urn:x#>\nSELECT * WHERE { ?s drop:x ?o }") == "query"
    assert sparql_operation("# INSERT\nASK { ?s ?p ?o }") == "query"
    assert sparql_operation("BASE <urn:x>\nPREFIX a: <urn:y>\n  insert data { <a> <b> <c> }") == "update"
    assert sparql_operation("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }") == "update"


def test_row_cap_is_enforced(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 51"})
    assert r.status_code == 413
    assert r.json()["error"]["type"] == "ResultLimitError"
    assert "cap of 50" in r.json()["error"]["message"]
    assert client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50"}).status_code == 200


def test_timeout_is_enforced(client: TestClient, loaded_store) -> None:
    started = time.monotonic()
    r = client.get("/sparql", params={"query": SLOW})
    elapsed = time.monotonic() - started
    assert r.status_code == 504
    assert r.json()["error"]["type"] == "QueryTimeoutError"
    assert "0.3 s timeout" in r.json()["error"]["message"]
    # The answer comes at the timeout, not when the query would have finished.
    assert elapsed < 0.9
    # The same query runs to the end under a larger timeout: the 504 was the limit's doing.
    roomy = TestClient(create_app(loaded_store, timeout=30, max_rows=50))
    assert roomy.get("/sparql", params={"query": SLOW}).json()["results"]["bindings"][0]["n"]["value"] == "9000000"


def test_malformed_and_missing_queries_are_400(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "QueryError"
    assert "syntax" in r.json()["error"]["message"].lower()
    assert client.get("/sparql").status_code == 400
    r = client.post("/sparql", content=b"x", headers={"content-type": "image/png"})
    assert r.status_code == 400 and "application/sparql-query" in r.json()["error"]["message"]
    r = client.get("/sparql", params={"query": ITEM_81, "default-graph-uri": "urn:g"})
    assert r.status_code == 400 and "union" in r.json()["error"]["message"]


def test_unacceptable_format_is_406(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": ITEM_81}, headers={"accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.json()["error"]["message"]


def test_negotiation_prefers_higher_q() -> None:
    choice = choose_format("select", "text/csv;q=0.5, application/sparql-results+xml", [])
    assert choice.media_type == "application/sparql-results+xml"
    assert choose_format("graph", "application/*", []).media_type == "application/ld+json"
    assert choose_format("select", None, []).media_type == "application/sparql-results+json"
