"""Downloads of every row (api/downloads.py): past the row cap, written as the store reads
them, an error status before anything is sent, a bounded number at once, and each stopped
when its client leaves."""

from __future__ import annotations

import asyncio
import csv
import io
import time

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from starlette.requests import Request

from pia_kg.api import downloads
from pia_kg.api.app import create_app
from pia_kg.api.settings import DOWNLOADS
from pia_kg.exports import table_of, to_csv
from pia_kg.named_queries import run_query


@pytest.fixture(scope="module")
def capped(loaded_store) -> TestClient:  # noqa: ANN001
    """An app whose row cap (3) every listing of the seeds passes."""
    return TestClient(create_app(loaded_store, timeout=20, max_rows=3))


def test_a_download_has_every_row_past_the_row_cap(capped: TestClient, loaded_store) -> None:  # noqa: ANN001
    whole = run_query(loaded_store, "transfers")
    assert len(whole.rows) > 100
    assert capped.get("/queries/transfers").status_code == 413  # a JSON answer is held: capped
    r = capped.get("/queries/transfers", params={"_format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert 'filename="transfers.csv"' in r.headers["content-disposition"]
    assert r.content.decode("utf-8") == to_csv(table_of(whole))
    r = capped.get("/queries/transfers", params={"_format": "csv", "_bom": "1", "_headers": "ja"})
    assert r.content.decode("utf-8") == to_csv(table_of(whole), japanese=True, bom=True)
    r = capped.get("/queries/transfers", headers={"accept": "text/csv"})
    assert len(list(csv.reader(io.StringIO(r.text)))) == 1 + len(whole.rows)
    r = capped.get("/queries/transfers", params={"_format": "xlsx"})
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert r.status_code == 200 and sheet.max_row == 1 + len(whole.rows)
    # the headline routes' downloads too
    impact = run_query(loaded_store, "renumbering_impact", {"amendment": "2024-05-27"})
    r = capped.get("/impact", params={"amendment": "2024-05-27", "_format": "csv"})
    assert r.status_code == 200 and r.content.decode("utf-8") == to_csv(table_of(impact))
    r = capped.get("/assessments", params={"_format": "csv"})
    assert r.content.decode("utf-8") == to_csv(table_of(run_query(loaded_store, "assessments")))


def test_a_wrong_parameter_is_an_error_status_not_a_cut_download(capped: TestClient) -> None:
    r = capped.get("/queries/transfers", params={"_format": "csv", "assessment": "not an iri"})
    assert r.status_code == 422 and r.json()["error"]["param"] == "assessment"
    r = capped.get("/impact", params={"_format": "csv"})
    assert r.status_code == 422 and r.json()["error"]["param"] == "amendment"


def test_downloads_past_the_limit_are_refused_until_one_ends(capped: TestClient) -> None:
    slots = capped.app.state.settings.downloads
    for _ in range(DOWNLOADS):
        assert slots.acquire(blocking=False)
    try:
        r = capped.get("/queries/transfers", params={"_format": "csv"})
        assert r.status_code == 503 and "downloads are being written" in r.json()["error"]["message"]
    finally:
        for _ in range(DOWNLOADS):
            slots.release()
    assert capped.get("/queries/transfers", params={"_format": "csv"}).status_code == 200


def test_a_download_stops_when_its_client_leaves(capped: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that leaves after the first chunk: the writer stops at its next chunk and
    frees its place (with small chunks, the answer is far more than the queue holds)."""
    monkeypatch.setattr(downloads, "CHUNK", 64)
    monkeypatch.setattr(downloads, "_PATIENCE", 0.05)
    app = capped.app
    slots = app.state.settings.downloads
    scope = {"type": "http", "method": "GET", "path": "/queries/transfers", "query_string": b"", "headers": [], "app": app}
    response = downloads.asked_download(Request(scope), "transfers", {}, "csv")

    async def first_then_leave() -> bytes:
        chunk = await response.body_iterator.__anext__()
        await response.body_iterator.aclose()
        return chunk

    assert asyncio.run(first_then_leave()).startswith(b"assessment,")
    deadline = time.monotonic() + 10
    free = 0
    while free < DOWNLOADS and time.monotonic() < deadline:  # every place free again
        if slots.acquire(timeout=0.1):
            free += 1
    for _ in range(free):
        slots.release()
    assert free == DOWNLOADS
