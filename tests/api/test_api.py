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
from urllib.parse import urlencode

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from pia_kg.api import (
    routes_headline,
    routes_pages,
    routes_queries,
    routes_search,
    routes_source,
    sparql_protocol,
)
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
    routers = [sparql_protocol.router, routes_queries.build_router(), routes_headline.router, routes_pages.router,
               routes_search.router, routes_source.router]
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


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_works_offline(client: TestClient, page: str) -> None:
    import re

    html = client.get(page).text
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", html)
    assert urls, html
    outside = [u for u in urls if re.match(r"^(https?:)?//", u)]
    assert not outside, outside
    for u in urls:
        assert client.get(u).status_code == 200, u


def _csv_rows(data: bytes) -> tuple[bool, list[dict[str, str]]]:
    text = data.decode("utf-8")
    bom = text.startswith("\ufeff")
    return bom, list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_exports_csv_with_bom_and_xlsx_give_the_rows_of_json(client: TestClient) -> None:
    from openpyxl import load_workbook

    params = {"assessment": f"https://w3id.org/pia-kg/id/doc/{KANAZAWA}/assessment/main"}
    rows = client.get("/queries/outsourcing", params=params).json()["rows"]
    assert rows and rows[0]["contractor"] == "富士通Japan株式会社"
    bom, from_csv = _csv_rows(client.get("/queries/outsourcing", params={**params, "_format": "csv", "_bom": "1"}).content)
    assert bom
    assert [r["contractor"] for r in from_csv] == [r["contractor"] for r in rows]
    assert [r["reoutsourcing"] for r in from_csv] == ["true" if r["reoutsourcing"] else "false" for r in rows]
    r = client.get("/queries/outsourcing", params={**params, "_format": "xlsx", "_headers": "ja"})
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    header, *body = list(sheet.iter_rows(values_only=True))
    assert "委託先" in header and "再委託" in header and not any(str(h).startswith("?") for h in header)
    got = [dict(zip(header, row, strict=True)) for row in body]
    assert [g["委託先"] for g in got] == [r["contractor"] for r in rows]
    assert [g["再委託"] for g in got] == ["はい" if r["reoutsourcing"] else "いいえ" for r in rows]
    # plain values: no language tags, no SPARQL '?'
    assert not any("@ja" in str(v) for row in body for v in row)


def test_sparql_csv_neutralises_formulas(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": 'SELECT ?x WHERE { VALUES ?x { "=1+1" "@A1" "plain" } }'},
                   headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.text.split("\r\n")[1:4] == ["'=1+1", "'@A1", "plain"]


def test_impact_export_matches_the_report(client: TestClient, loaded_store) -> None:
    from pia_kg.impact.amendment import amendment_by_key
    from pia_kg.impact.report import build_impact_report

    report = build_impact_report(loaded_store, amendment_by_key("2024-05-27"))
    expected = [r for r in report.rows if r.organization == "静岡市"]
    r = client.get("/ui/impact/export", params={"amendment": "2024-05-27", "body": "静岡市", "_format": "csv",
                                                "_bom": "1", "_headers": "ja"})
    bom, rows = _csv_rows(r.content)
    assert bom and 'filename="impact-2024-05-27.csv"' in r.headers["content-disposition"]
    assert len(rows) == len(expected) > 100
    assert [x["出典（行）"] for x in rows] == [e.source for e in expected]
    assert {x["変更の種類"] for x in rows} <= {"項番の変更", "文言の変更", "削除", "表の差し替え", "分割", "統合"}


def test_impact_page_bounds_its_fix_list_and_reads_a_body_by_its_assessments(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A national corpus has hundreds of thousands of citations to fix: the page lists the
    first PAGE_ROWS, says so, and links each body to its own page, which reads only that
    body's assessments (never the whole corpus)."""
    from pia_kg.api import routes_pages
    from pia_kg.impact import report as report_module

    monkeypatch.setattr(routes_pages, "PAGE_ROWS", 5)
    page = client.get("/ui/impact", params={"amendment": "2024-05-27"}).text
    assert 'id="fixes-truncated"' in page and page.count('class="fix ') == 5
    assert "/ui/impact?amendment=2024-05-27&amp;body=%E9%9D%99%E5%B2%A1%E5%B8%82" in page  # 静岡市's own

    asked: list[object] = []
    spied = {name: getattr(report_module, name) for name in ("run_query", "run_query_each", "run_sparql")}
    monkeypatch.setattr(report_module, "run_query", lambda s, n, p=None, **kw: asked.append(dict(p or {})) or spied["run_query"](s, n, p, **kw))
    monkeypatch.setattr(report_module, "run_query_each", lambda s, n, p, over, values, **kw: asked.append(
        {over: list(values)}) or spied["run_query_each"](s, n, p, over, values, **kw))
    monkeypatch.setattr(report_module, "run_sparql", lambda s, text, **kw: asked.append(text) or spied["run_sparql"](s, text, **kw))
    page = client.get("/ui/impact", params={"amendment": "2024-05-27", "body": "静岡市"}).text
    assert 'id="fixes-truncated"' in page and 'id="row-count"' in page
    # each lookup names the body's assessments, or the citations their problems name
    lookups = [a for a in asked if not (isinstance(a, str) and "date_no_longer_in_force" in a)]  # the law's check
    assert lookups and all(a.get("assessment") if isinstance(a, dict) else "VALUES ?" in a for a in lookups), asked
    missing = client.get("/ui/impact", params={"amendment": "2024-05-27", "body": "存在しない村"}).text
    assert "存在しない村" in missing and 'class="fix ' not in missing


def test_item_and_problem_pages_bound_their_tables_and_offer_every_row(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item's departments and the problems of every assessment grow with the corpus: a
    page lists the first PAGE_ROWS, says how many there are, and links a CSV of all of them."""
    from pia_kg.api import routes_pages

    monkeypatch.setattr(routes_pages, "PAGE_ROWS", 3)
    params = {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}
    page = client.get("/ui/item", params=params).text
    assert 'id="departments-truncated"' in page
    section = page.split('id="section-departments"')[1].split("</section>")[0]
    assert section.count("<tr>") == 1 + 3  # the heading and three rows
    link = section.split('id="departments-download" href="')[1].split('"')[0].replace("&amp;", "&")
    bom, rows = _csv_rows(client.get(link).content)
    whole = client.get("/queries/departments_under_item", params=params).json()
    assert bom and len(rows) == whole["count"] > 3

    page = client.get("/ui/problems").text
    assert 'id="problems-truncated"' in page and page.count('<td class="source">') == 3
    link = page.split('id="problems-download" href="')[1].split('"')[0].replace("&amp;", "&")
    assert len(_csv_rows(client.get(link).content)[1]) > 3


def test_named_queries_page_through_an_answer_bigger_than_the_cap(client: TestClient) -> None:
    """A national answer is over the row cap: ``_limit`` and ``_offset`` give it page by page,
    in the query's order, each page linking the next, together the whole answer."""
    params = {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}
    whole = client.get("/queries/departments_under_item", params=params).json()
    assert whole["count"] > 5 and "next" not in whole
    got, url = [], "/queries/departments_under_item?" + urlencode({**params, "_limit": 2})
    while url:
        page = client.get(url).json()
        assert page["count"] <= 2 and page["limit"] == 2
        got += page["rows"]
        url = page.get("next")
    assert got == whole["rows"]
    csv_page = client.get("/queries/departments_under_item", params={**params, "_limit": 3, "_offset": 1, "_format": "csv"})
    assert len(_csv_rows(csv_page.content)[1]) == 3
    for bad in ({"_limit": "0"}, {"_limit": "x"}, {"_offset": "2"}, {"_limit": "999999"}):
        r = client.get("/queries/departments_under_item", params={**params, **bad})
        assert r.status_code == 422 and _error(r)["type"] == "ParameterError", bad


def test_home_lists_bodies_not_every_assessment_of_a_large_corpus(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pia_kg.api import routes_pages

    small = client.get("/").text
    assert 'id="assessment-list"' in small and 'id="body-list"' not in small
    monkeypatch.setattr(routes_pages, "HOME_ROWS", 2)
    large = client.get("/").text
    assert 'id="assessment-list"' not in large and 'id="body-list"' in large
    assert "5 件の評価書、5 団体" in large and large.count("/ui/bodies/") == 5
    assert '<option value="静岡市">' in large  # the impact form still offers every body


def test_search_is_forgiving_of_width_case_and_spacing(client: TestClient) -> None:
    for q in ("富士通", "富士通ＪＡＰＡＮ", "富士通 japan"):
        hits = client.get("/search", params={"q": q, "kind": "contractor"}).json()["hits"]
        names = {h["name"] for h in hits}
        assert {"富士通Japan株式会社", "富士通JAPAN株式会社"} <= names, (q, names)
        assert all(h["source_href"].startswith("/ui/source/") for h in hits)
    bodies = client.get("/search", params={"q": "静 岡", "kind": "body"}).json()["hits"]
    assert [h["name"] for h in bodies] == ["静岡市"]
    assert client.get("/search", params={"q": "x", "kind": "nope"}).status_code == 422


def test_source_viewer_highlights_the_cited_lines(client: TestClient) -> None:
    r = client.get("/ui/source/000_446cb3177695f62c", params={"lines": "449-450"})
    assert r.status_code == 200
    assert '<li id="L449" value="449" class="cited">' in r.text and "子ども家庭課" in r.text
    assert '<li id="L451" value="451">' in r.text
    assert client.get("/ui/source/000_446cb3177695f62c", params={"lines": "999999-1000000"}).status_code == 422
    assert client.get("/ui/source/nope").status_code == 404


def test_contractor_page_gathers_every_name(client: TestClient) -> None:
    r = client.get("/ui/contractors", params={"name": "富士通ｊａｐａｎ株式会社"})
    assert r.status_code == 200
    for name in ("富士通Japan株式会社", "富士通JAPAN株式会社", "富士通株式会社北陸支社", "富士通Japan株式会社石川支社"):
        assert name in r.text, name
    assert "金沢市" in r.text and "旭川市" in r.text
    assert client.get("/ui/contractors", params={"name": "存在しない株式会社"}).status_code == 404


def test_contractor_page_of_a_national_contractor_lists_its_bodies_and_the_first_rows(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pia_kg.api import routes_pages

    whole = client.get("/ui/contractors", params={"name": "富士通Japan株式会社"}).text
    n = whole.split('id="contractor-rows"')[1].split("</table>")[0].count("<tr>") - 1
    assert n > 2 and 'id="contractor-truncated"' not in whole
    monkeypatch.setattr(routes_pages, "PAGE_ROWS", 2)
    page = client.get("/ui/contractors", params={"name": "富士通Japan株式会社"}).text
    assert 'id="contractor-truncated"' in page and f"全 {n} 件" in page
    assert page.split('id="contractor-rows"')[1].split("</table>")[0].count("<tr>") - 1 == 2
    bodies = page.split('id="contractor-bodies"')[1].split("</table>")[0]
    assert "金沢市" in bodies and "旭川市" in bodies


def test_assessment_page_shows_problems_in_words_and_what_was_read(client: TestClient) -> None:
    html = client.get(f"/ui/assessments/{KANAZAWA}").text
    assert "番号と用途の文が合わない" in html and "number-text-mismatch" not in html
    assert "番号法別表第一 80の項と書かれていますが、用途の文は番号法別表第一 56の項の事務です。" in html
    # every citation, not only the wrong ones: line 149 cites 主務省令第2条の表 42 (生活保護), read on 公表日
    assert "2025-01-14（公表日）に施行の主務省令第2条の表 42の項として読めます。" in html
    quality = html[html.index('id="section-quality"'):]
    assert "重点項目評価書" in quality and "✓ 基本情報" in quality and "a4b0b1bb52bd28e8" in quality
    assert f'href="/ui/source/{KANAZAWA}?lines=404-404#L404"' in html  # the problem row links its lines


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2016-01-01", "not-held"), ("2024-05-27", "held"), ("2026-11-30", "approximate")],
)
def test_item_page_says_how_far_the_law_held_answers_the_date(client: TestClient, as_of: str, status: str) -> None:
    """Issue 13: the law status of the date is a visible note on the item page, in words."""
    r = client.get("/ui/item", params={"table": "番号法別表", "item": "81", "as_of": as_of})
    assert r.status_code == 200
    note = r.text.split('id="law-status"', 1)[1].split("</p>", 1)[0]
    assert f'data-law-status="{status}"' in note
    from pia_kg.display import value_label

    assert f"法令の保有状況: {value_label('law_status', status)}" in note  # words, not the code


def test_contractor_page_lists_each_rename_once_and_renames_by_name(client: TestClient) -> None:
    """The renames a page shows are looked up by name; each is listed once (the query used to
    repeat a rename once per document graph holding its body's label)."""
    html = client.get("/ui/contractors", params={"name": "富士通Japan株式会社"}).text
    table = html[html.index('id="contractor-renames"'):]
    table = table[: table.index("</table>")]
    rows = table.split("<tr>")[2:]
    assert rows and len(rows) == len(set(rows))
    by_name = client.get("/queries/renames", params={"name": "富士通株式会社北陸支社"}).json()["rows"]
    assert by_name and all("富士通株式会社北陸支社" in (r["old"], r["new"]) for r in by_name)
    every = client.get("/queries/renames").json()["rows"]
    assert len(every) == len({tuple(sorted(r.items())) for r in every})
    contractors = client.get("/queries/renames", params={"kind": "contractor"}).json()["rows"]
    assert contractors == [r for r in every if r["kind"] == "contractor"]


def test_outsourcing_by_contractor_is_the_rows_written_so(client: TestClient) -> None:
    every = client.get("/queries/outsourcing").json()["rows"]
    mine = client.get("/queries/outsourcing", params={"contractor": "富士通Japan株式会社"}).json()["rows"]
    assert mine and mine == [r for r in every if r["contractor"] == "富士通Japan株式会社"]
