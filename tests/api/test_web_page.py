"""The web page in a real headless Chromium (Debian's chromium + chromedriver, via Selenium).

A privacy officer's path: search 番号法別表 81 as of 2025-01-01 and see the 児童手当
departments (seed 002: 旭川市 子育て助成課 cites 別表 81 at line 9370 ff.; seed 000: 静岡市
子ども未来局 子ども家庭課 cites old 別表第一 56, line 449, which became 別表 81), then open 金沢市's
assessment and see its 委託先 富士通Japan株式会社 (seed 001, line 137), then run a named query
from the SPARQL box. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from browser import chromium
from fastapi.testclient import TestClient
from servers import free_port

from pia_kg.api.app import create_app


@pytest.fixture(scope="module")
def base_url(loaded_store) -> Iterator[str]:
    """The app under a real uvicorn server on a loopback port, in a thread of this process."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(loaded_store, timeout=20), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 (selenium's WebDriver)
    with chromium(window="1280,900") as driver:
        yield driver


def _text(driver, css: str) -> str:
    """The text of an element, waiting for it: a click that navigates returns before the
    next page has loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, css))).text


def _no_horizontal_scroll(driver) -> bool:
    return driver.execute_script("return document.scrollingElement.scrollWidth <= window.innerWidth")


def test_search_item_81_as_of_2025_shows_child_allowance_departments(base_url, browser, artifacts_dir) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(base_url + "/")
    assert "項番を調べる" in browser.page_source
    Select(browser.find_element(By.ID, "table")).select_by_visible_text("番号法別表")
    browser.find_element(By.ID, "item").send_keys("81")
    # A date input's typing order follows the browser's locale; set the ISO value directly.
    browser.execute_script("document.getElementById('as_of').value = '2025-01-01'")
    browser.find_element(By.ID, "item-search").click()

    assert "番号法別表 第81項（2025-01-01 時点）" in _text(browser, "#item-heading")
    meaning = _text(browser, "#section-meaning")
    assert "市町村長" in meaning and "児童手当" in meaning
    departments = _text(browser, "#section-departments")
    assert "子育て助成課" in departments and "旭川市" in departments
    assert "子ども未来局子ども家庭課" in departments and "静岡市" in departments
    assert "002_aa3841ff71230e60.txt#L" in departments  # each fact with its source line
    browser.execute_script("document.getElementById('section-departments').scrollIntoView()")
    browser.save_screenshot(str(artifacts_dir / "web_item_81_2025-01-01.png"))


def test_officer_item_81_today_then_a_row_to_its_source_lines(base_url, browser, artifacts_dir) -> None:
    """Home → item 81 with no date (today) → the 児童手当 departments → click a row's source."""
    import datetime as dt

    from selenium.webdriver.common.by import By

    browser.get(base_url + "/")
    browser.find_element(By.ID, "item").send_keys("81")
    browser.find_element(By.ID, "item-search").click()
    heading = _text(browser, "#item-heading")
    assert f"番号法別表 第81項（{dt.date.today().isoformat()} 時点）" in heading
    assert "児童手当" in _text(browser, "#section-meaning")
    timeline = _text(browser, "#lineage")
    assert "項番の変更" in timeline and "番号法別表第一" in timeline and "earliest" not in timeline
    departments = _text(browser, "#section-departments")
    assert "子育て助成課" in departments and "子ども未来局子ども家庭課" in departments
    assert _no_horizontal_scroll(browser)
    browser.save_screenshot(str(artifacts_dir / "officer_item_81_today.png"))

    row = next(tr for tr in browser.find_elements(By.CSS_SELECTOR, "#departments tbody tr") if "子ども家庭課" in tr.text)
    link = row.find_element(By.CSS_SELECTOR, "td.source a")
    source = link.text  # 000_446cb3177695f62c.txt#L449-L449
    first = int(source.rsplit("#L", 1)[1].split("-")[0])
    link.click()
    assert source.split("#")[0] in _text(browser, "#source-heading")
    cited = browser.find_elements(By.CSS_SELECTOR, "#source-text li.cited")
    assert cited and cited[0].get_attribute("id") == f"L{first}"
    assert "子ども家庭課" in " ".join(li.text for li in cited)
    assert _no_horizontal_scroll(browser)
    browser.save_screenshot(str(artifacts_dir / "officer_source_lines.png"))


def test_officer_impact_for_shizuoka_and_its_csv(base_url, browser, artifacts_dir, tmp_path, loaded_store) -> None:
    """Home → the 2024-05-27 impact for 静岡市 → download its CSV (Excel) → its rows are the report's."""
    import csv
    import io

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from pia_kg.impact.amendment import amendment_by_key
    from pia_kg.impact.report import build_impact_report

    browser.get(base_url + "/")
    Select(browser.find_element(By.ID, "home-amendment")).select_by_value("2024-05-27")
    Select(browser.find_element(By.ID, "home-body")).select_by_visible_text("静岡市")
    browser.find_element(By.ID, "impact-go").click()
    meta = _text(browser, "#impact-meta")
    assert "2024-05-27" in meta
    summary = _text(browser, "#summary")
    assert "静岡市" in summary and "項番の変更" in summary
    assert browser.find_element(By.CSS_SELECTOR, "#impact-chart svg rect")
    assert not [h.text for h in browser.find_elements(By.CSS_SELECTOR, "h2, h3") if "https://" in h.text]
    assert _no_horizontal_scroll(browser)
    browser.save_screenshot(str(artifacts_dir / "officer_impact_shizuoka.png"))

    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.find_element(By.ID, "download-csv").click()
    WebDriverWait(browser, 30).until(lambda d: list(tmp_path.glob("*.csv")))
    (path,) = tmp_path.glob("*.csv")
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")  # a BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    expected = [r for r in build_impact_report(loaded_store, amendment_by_key("2024-05-27")).rows if r.organization == "静岡市"]
    assert len(rows) == len(expected) == int(browser.find_element(By.ID, "row-count").text)
    assert [(r["出典（行）"], r["改正後の項番"]) for r in rows] == [(e.source, e.new_item) for e in expected]
    assert {r["評価実施機関"] for r in rows} == {"静岡市"}


def test_officer_searches_fujitsu_and_finds_kanazawas_contractor(base_url, browser, artifacts_dir) -> None:
    from selenium.webdriver.common.by import By

    browser.get(base_url + "/")
    browser.find_element(By.ID, "site-q").send_keys("富士通")
    browser.find_element(By.ID, "site-search").click()
    hits = _text(browser, "#hits-contractor")
    assert "富士通Japan株式会社" in hits and "富士通JAPAN株式会社" in hits
    assert "児童手当に関する事務 重点項目評価書" in hits  # 金沢市's assessment
    assert _no_horizontal_scroll(browser)
    browser.save_screenshot(str(artifacts_dir / "officer_search_fujitsu.png"))
    browser.find_element(By.CSS_SELECTOR, "#hits-contractor tbody tr a").click()
    names = _text(browser, "#names")
    for name in ("富士通Japan株式会社", "富士通JAPAN株式会社", "富士通株式会社北陸支社", "富士通Japan株式会社石川支社"):
        assert name in names
    uses = _text(browser, "#contractor-rows")
    assert "金沢市" in uses and "旭川市" in uses
    assert _no_horizontal_scroll(browser)
    browser.save_screenshot(str(artifacts_dir / "officer_contractor_fujitsu.png"))


def test_long_tables_page_and_sort(base_url, browser) -> None:
    """静岡市's change history (117 rows) pages by 50 and sorts by a click on a heading."""
    from selenium.webdriver.common.by import By

    browser.get(base_url + "/ui/assessments/000_446cb3177695f62c")
    rows = browser.find_elements(By.CSS_SELECTOR, "#history tbody tr")
    assert len(rows) > 100
    assert sum(r.is_displayed() for r in rows) == 50
    pager = browser.find_element(By.CSS_SELECTOR, "#history + .pager")
    assert f"1–50 件目 / {len(rows)} 件" in pager.text
    next_button = pager.find_elements(By.TAG_NAME, "button")[-1]
    browser.execute_script("arguments[0].scrollIntoView()", next_button)
    next_button.click()
    assert "51–100 件目" in browser.find_element(By.CSS_SELECTOR, "#history + .pager").text
    heading = browser.find_element(By.CSS_SELECTOR, '#history th[data-col="date"]')
    browser.execute_script("arguments[0].scrollIntoView()", heading)
    heading.click()
    heading.click()  # descending: the newest change first
    dates = [c.get_attribute("textContent").strip() for c in browser.find_elements(By.CSS_SELECTOR, '#history td[data-col="date"]')]
    assert dates == sorted(dates, reverse=True)
    assert browser.find_element(By.CSS_SELECTOR, "#history tbody tr").is_displayed()


def test_api_docs_render_with_no_network(base_url, browser, artifacts_dir) -> None:
    """Swagger UI from the package's files: the operations show (no CDN on an offline network)."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base_url + "/docs")
    WebDriverWait(browser, 30).until(lambda d: len(d.find_elements("css selector", ".opblock")) >= 20)
    assert "/ui/impact" in browser.page_source and "Unable to render" not in browser.page_source
    browser.save_screenshot(str(artifacts_dir / "api_docs_offline.png"))


PAGES = (
    "/", "/ui/item?item=81", "/ui/item?item=81&versions=all", "/ui/item?table=番号法別表第二&item=999",
    "/ui/assessments/000_446cb3177695f62c", "/ui/assessments/001_57af33314b6a26f0",
    "/ui/assessments/002_aa3841ff71230e60", "/ui/assessments/003_629faf11296c78e3",
    "/ui/assessments/004_3b0bc6d58fb0621c", "/ui/impact", "/ui/impact?amendment=2021-09-01",
    "/ui/source/002_aa3841ff71230e60?lines=9370-9374", "/ui/source/004_3b0bc6d58fb0621c?whole=true",
    "/ui/search?q=子育て", "/ui/contractors?name=株式会社ジーシーシー", "/ui/bodies/静岡市", "/ui/bodies/旭川市",
    "/ui/sparql?query=SELECT+%3Fs+%3Fp+%3Fo+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+LIMIT+40", "/docs",
    "/ui/problems", "/ui/impact?amendment=2024-05-27&body=静岡市&kind=renumbered", "/ui/search?q=富士通",
    "/ui/contractors?name=富士通Japan株式会社", "/ui/bodies/金沢市", "/ui/assessments/999_nope",
)


def test_no_page_scrolls_horizontally_at_1280(base_url, browser, artifacts_dir) -> None:
    assert browser.execute_script("return window.outerWidth") == 1280
    wide = []
    for i, path in enumerate(PAGES):
        browser.get(base_url + path)
        width = browser.execute_script("return [document.scrollingElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            wide.append((path, width))
        browser.save_screenshot(str(artifacts_dir / f"page_1280_{i:02d}.png"))
    assert not wide, wide


def test_browse_an_assessment(base_url, browser, artifacts_dir) -> None:
    from selenium.webdriver.common.by import By

    browser.get(base_url + "/")
    browser.find_element(By.LINK_TEXT, "児童手当に関する事務 重点項目評価書").click()
    assert "金沢市長" in _text(browser, "dl.summary")
    assert "福祉保健総合システム" in _text(browser, "#section-systems")
    outsourcing = _text(browser, "#section-outsourcing")
    assert "富士通Japan株式会社" in outsourcing and "001_57af33314b6a26f0.txt#L" in outsourcing
    assert _text(browser, "#section-history")
    browser.save_screenshot(str(artifacts_dir / "web_assessment_kanazawa.png"))


def test_sparql_box_runs_a_named_query_example(base_url, browser, artifacts_dir) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(base_url + "/ui/sparql")
    Select(browser.find_element(By.ID, "examples")).select_by_visible_text(
        next(o.text for o in Select(browser.find_element(By.ID, "examples")).options if o.text.startswith("item_meaning"))
    )
    from selenium.webdriver.support.ui import WebDriverWait

    # The example is filled in by the page's script after the change event.
    WebDriverWait(browser, 20).until(
        lambda d: "VALUES" in (q := d.find_element(By.ID, "query").get_attribute("value")) and '"81"' in q
    )
    browser.find_element(By.ID, "run").click()
    result = _text(browser, "#section-result")
    assert "市町村長" in result and "児童手当" in result
    browser.save_screenshot(str(artifacts_dir / "web_sparql_box.png"))


def test_page_errors_are_shown_in_japanese(loaded_store) -> None:
    client = TestClient(create_app(loaded_store))
    r = client.get("/ui/item", params={"table": "番号法別表", "item": "81", "as_of": "2025/01/01"})
    assert r.status_code == 422
    assert "入力を確認してください" in r.text and "YYYY-MM-DD" in r.text
    r = client.get("/ui/sparql", params={"query": "DROP ALL"})
    assert r.status_code == 403 and "read-only" in r.text
    r = client.get("/ui/assessments/999_nope")
    assert r.status_code == 404 and "001_57af33314b6a26f0" in r.text
