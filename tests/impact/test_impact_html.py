"""The HTML impact report in a real headless Chromium (Debian's chromium + chromedriver).

The page must render on its own (file://, no network), show one summary cell per body and
kind of change whose numbers equal the JSON written beside it, list every row, and link
each row to its source document line.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from browser import chromium

from pia_kg.impact.amendment import amendment_by_key
from pia_kg.impact.render import write_reports
from pia_kg.impact.report import build_impact_report


@pytest.fixture(scope="module")
def written(tmp_path_factory, loaded_store, seeds_dir):  # noqa: ANN001, ANN201
    report = build_impact_report(loaded_store, amendment_by_key("2024-05-27"))
    out = tmp_path_factory.mktemp("reports")
    write_reports(report, out, doc_dirs=[seeds_dir])
    return out


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201 (selenium's WebDriver)
    with chromium(window="1280,1000") as driver:
        yield driver


def test_html_report_renders_and_matches_json(written, browser, artifacts_dir):  # noqa: ANN001
    from selenium.webdriver.common.by import By

    data = json.loads((written / "impact.json").read_text(encoding="utf-8"))
    browser.get((written / "impact.html").resolve().as_uri())
    assert "改正の影響" in browser.find_element(By.TAG_NAME, "h1").text
    browser.save_screenshot(str(artifacts_dir / "impact_report.png"))

    shown: dict[str, dict[str, int]] = {}
    for cell in browser.find_elements(By.CSS_SELECTOR, "#summary td.count"):
        n = int(cell.text)
        if n:
            shown.setdefault(cell.get_attribute("data-body"), {})[cell.get_attribute("data-kind")] = n
    assert shown == data["counts"]
    assert shown  # the seeds have rows broken by 2024-05-27 (seed 000)
    totals = {c.get_attribute("data-kind"): int(c.text) for c in browser.find_elements(By.CSS_SELECTOR, "#summary td.total")}
    assert totals == data["totals"]
    assert int(browser.find_element(By.ID, "grand-total").text) == len(data["rows"])

    rows = browser.find_elements(By.CSS_SELECTOR, "table.fixes tr[data-kind]")
    assert len(rows) == len(data["rows"])
    bodies = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "h2.body")]
    assert bodies == sorted(data["counts"])

    link = rows[0].find_element(By.TAG_NAME, "a")
    href = urlparse(link.get_attribute("href"))
    assert href.scheme == "file" and href.fragment.startswith("L")
    assert Path(unquote(href.path)).is_file()
    assert link.text == data["rows"][0]["source"]
    # Kinds of change and roles in Japanese words, no raw IRI as a heading.
    assert "項番の変更" in browser.find_element(By.ID, "summary").text
    assert not any(h.text.startswith("http") for h in browser.find_elements(By.CSS_SELECTOR, "h2, h3"))
    assert browser.execute_script("return document.scrollingElement.scrollWidth <= window.innerWidth")
