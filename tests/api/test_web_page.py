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
    with chromium(window="1366,900") as driver:
        yield driver


def _text(driver, css: str) -> str:
    """The text of an element, waiting for it: a click that navigates returns before the
    next page has loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, css))).text


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
        lambda d: 'VALUES ?item { "81" }' in d.find_element(By.ID, "query").get_attribute("value")
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
