"""REST API in-process: named queries, headline routes, errors, limits, and /docs.

Expected facts were read from the sources: the 2024-05-27 番号法 別表 item 81 is 市町村長 /
児童手当 and the old 別表第一 item 81 is 独立行政法人日本学生支援機構 (law TSVs); seed 001
(金沢市, 児童手当 重点項目評価書, 公表日 令和7年1月14日 at line 20) names 福祉保健総合システム
(line 43) and the contractor 富士通Japan株式会社 (line 137); seed 002 lists 子育て助成課 under
別表 81 (line 9370 ff.) and seed 000 lists 子ども未来局 子ども家庭課 under old 別表第一 56
(line 449), which became 別表 81.
"""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from pia_kg.api import routes_headline, routes_pages, routes_queries, sparql_protocol
from pia_kg.api.app import create_app
from pia_kg.named_queries import named_queries

KANAZAWA = "001_57af33314b6a26f0"


@pytest.fixture(scope="module")
def client(loaded_store) -> TestClient:
    return TestClient(create_app(loaded_store, timeout=20, max_rows=5000))


def _error(r) -> dict:
    body = r.json()
    assert set(body) == {"error"}, body
    assert {"type", "message"} <= set(body["error"])
    return body["error"]


def test_queries_lists_every_named_query_with_params(client: TestClient) -> None:
    listed = {q["name"]: q for q in client.get("/queries").json()["queries"]}
    assert set(listed) == set(named_queries())
    meaning = listed["item_meaning"]
    assert meaning["title"]
    assert [(p["name"], p["type"], p["required"]) for p in meaning["params"]] == [
        ("table", "string", True),
        ("item", "string", True),
        ("as_of", "date", False),
    ]
    assert meaning["url"].endswith("/queries/item_meaning")


def test_named_query_json_and_csv(client: TestClient) -> None:
    params = {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}
    body = client.get("/queries/item_meaning", params=params).json()
    assert body["query"] == "item_meaning" and body["params"] == params
    (row,) = body["rows"]
    assert row["agency"].startswith("市町村長") and "児童手当" in row["jimu"]
    assert row["version"] == "2024-05-27" and row["source"].startswith("bango_beppyo_new_")
    for r in (
        client.get("/queries/item_meaning", params={**params, "_format": "csv"}),
        client.get("/queries/item_meaning", params=params, headers={"accept": "text/csv"}),
    ):
        assert r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len(rows) == 1 and rows[0]["agency"].startswith("市町村長")


def test_hyphenated_name_and_unknown_query(client: TestClient) -> None:
    r = client.get("/queries/item-meaning", params={"table": "番号法別表第一", "item": "81"})
    assert r.status_code == 200
    assert {row["agency"] for row in r.json()["rows"]} == {"独立行政法人日本学生支援機構"}
    r = client.get("/queries/no_such_query")
    assert r.status_code == 404
    err = _error(r)
    assert err["type"] == "UnknownQueryError" and "item_meaning" in err["message"]


@pytest.mark.parametrize(
    ("params", "param", "words"),
    [
        ({"item": "81"}, "table", "needs parameter 'table'"),
        ({"table": "番号法別表", "item": "81", "as_of": "2025/01/01"}, "as_of", "YYYY-MM-DD"),
        ({"table": "番号法別表", "item": "81", "colour": "red"}, "colour", "no parameter 'colour'"),
    ],
    ids=["missing", "bad-date", "unknown"],
)
def test_parameter_errors_are_422_with_a_message(client: TestClient, params, param, words) -> None:
    r = client.get("/queries/item_meaning", params=params)
    assert r.status_code == 422
    err = _error(r)
    assert err["type"] == "ParameterError" and err["param"] == param and words in err["message"]


def test_item_route_canonicalizes_table_and_item(client: TestClient) -> None:
    r = client.get("/items/別表第1/８１", params={"as_of": "2023-01-01"})
    assert r.status_code == 200
    body = r.json()
    assert (body["table"], body["item"]) == ("番号法別表第一", "81")
    assert [row["agency"] for row in body["meaning"]["rows"]] == ["独立行政法人日本学生支援機構"]
    r = client.get("/items/どこかの表/81")
    assert r.status_code == 422 and _error(r)["param"] == "table"


def test_item_route_answers_the_headline_question(client: TestClient) -> None:
    body = client.get("/items/番号法別表/81", params={"as_of": "2025-01-01"}).json()
    departments = {(r["organization"], r["department"]) for r in body["departments"]["rows"]}
    assert ("旭川市", "子育て助成課") in departments
    assert ("静岡市", "子ども未来局子ども家庭課") in departments
    assert all("#L" in r["source"] for r in body["departments"]["rows"])
    lineage = {(r["label"], r["relation"]) for r in body["lineage"]["rows"]}
    assert ("81", "Renumbered") in lineage and ("56", "Same") in lineage
    assert "rows" in body["recipients"]


def test_assessments_and_one_assessment(client: TestClient) -> None:
    rows = client.get("/assessments").json()["rows"]
    kanazawa = [r for r in rows if r["assessment"].endswith(f"/doc/{KANAZAWA}/assessment/main")]
    assert kanazawa and kanazawa[0]["title"] == "児童手当に関する事務 重点項目評価書"
    assert kanazawa[0]["published"] == "2025-01-14"

    body = client.get(f"/assessments/{KANAZAWA}").json()
    assert body["id"] == KANAZAWA
    assert "福祉保健総合システム" in {r["name"] for r in body["systems"]["rows"]}
    assert "富士通Japan株式会社" in {r["contractor"] for r in body["outsourcing"]["rows"]}
    for key in ("systems", "files", "outsourcing", "provisions", "transfers", "history"):
        assert body[key]["count"] > 0, key
        assert all(r["source"].startswith(f"{KANAZAWA}.txt#L") for r in body[key]["rows"]), key


def test_unknown_assessment_is_404_listing_loaded_ones(client: TestClient) -> None:
    r = client.get("/assessments/999_nope")
    assert r.status_code == 404
    assert KANAZAWA in _error(r)["message"]


def test_impact_route(client: TestClient) -> None:
    r = client.get("/impact", params={"amendment": "2024-05-27"})
    assert r.status_code == 200 and r.json()["count"] > 0
    assert {"cited_table", "cited_item", "new_table", "new_item", "change"} <= set(r.json()["columns"])
    # The impact query takes seconds on the seeds: run it once; a missing parameter fails first.
    r = client.get("/impact")
    assert r.status_code == 422 and _error(r)["param"] == "amendment"


def test_row_cap_and_timeout_apply_to_named_queries(loaded_store) -> None:
    capped = TestClient(create_app(loaded_store, timeout=20, max_rows=2))
    r = capped.get(f"/queries/systems?assessment=https://w3id.org/pia-kg/id/doc/{KANAZAWA}/assessment/main")
    assert r.status_code == 413 and _error(r)["type"] == "ResultLimitError"
    hasty = TestClient(create_app(loaded_store, timeout=0.0005, max_rows=2))
    r = hasty.get("/queries/changes")
    assert r.status_code == 504 and _error(r)["type"] == "QueryTimeoutError"


def test_unknown_route_uses_the_error_shape(client: TestClient) -> None:
    r = client.get("/no/such/route")
    assert r.status_code == 404 and _error(r)["type"] == "NotFound"


def test_docs_describe_every_route_with_examples(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    routers = [sparql_protocol.router, routes_queries.build_router(), routes_headline.router, routes_pages.router]
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 20
    for route in routes:
        for method in route.methods:
            op = spec["paths"][route.path][method.lower()]
            assert op.get("summary") and op.get("description"), (route.path, method)
            text = str(op)
            assert "example" in text, f"{method} {route.path} has no example"
    for path in ("/items/{table}/{item}", "/queries/item_meaning", "/assessments/{doc_id}", "/impact"):
        params = spec["paths"][path]["get"]["parameters"]
        documented = [p for p in params if p["name"] != "_format"]
        assert all(p.get("examples") or p["schema"].get("examples") for p in documented), path
