"""`law fetch --all-revisions` against a real HTTP server on a loopback port.

The server answers in the 法令API v2 URL shapes: ``/api/2/law_revisions/{law_id}`` lists two
revisions of 番号法 (the 2020-12-12 one of the 2021 snapshot and the 2022-01-11 one, as e-Gov
lists them: law_revisions.tsv), and ``/api/2/law_data/{law_revision_id}`` serves the real
2021 XML of ../shared/law/raw wrapped as the API wraps it for the first, HTTP 404 for the
second (its XML is not held here). Nothing is made up: the 2022 revision is just missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlparse

import pytest
from servers import loopback_http

from pia_kg.errors import LawDataError
from pia_kg.loaders.law.catalog import find_law_tables
from pia_kg.loaders.law.fetch_revisions import fetch_all_revisions, list_revisions
from pia_kg.loaders.law.revisions import read_revisions

LAW = "425AC0000000027"
REV_2020 = "425AC0000000027_20201212_502AC0000000044"
REV_2022 = "425AC0000000027_20220111_501AC0000000017"
RAW = "kuboon-elaws-xml_3d297823_docs_xml_425AC0000000027.xml"


def _handler(law_dir: Path, requests: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            requests.append(path)
            if path == f"/api/2/law_revisions/{LAW}":
                listing = {"law_info": {"law_id": LAW}, "revisions": [
                    {"law_revision_id": REV_2022, "amendment_enforcement_date": "2022-01-11",
                     "amendment_law_id": "501AC0000000017"},
                    {"law_revision_id": REV_2020, "amendment_enforcement_date": "2020-12-12",
                     "amendment_law_id": "502AC0000000044"},
                ]}
                self._send(200, json.dumps(listing).encode(), "application/json")
            elif path == f"/api/2/law_data/{REV_2020}":
                law = (law_dir / "raw" / RAW).read_text(encoding="utf-8")
                law = law[law.index("<Law "):]
                body = (
                    '<?xml version="1.0" encoding="UTF-8"?><law_data_response>'
                    f"<law_info><law_id>{LAW}</law_id></law_info><revision_info>"
                    f"<law_revision_id>{REV_2020}</law_revision_id>"
                    "<amendment_enforcement_date>2020-12-12</amendment_enforcement_date>"
                    f"</revision_info><law_full_text>{law}</law_full_text></law_data_response>"
                )
                self._send(200, body.encode("utf-8"), "application/xml")
            else:
                self._send(404, b"<error_info><message>no such revision</message></error_info>", "application/xml")

    return Handler


@pytest.fixture(scope="module")
def api(law_dir: Path) -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    with loopback_http(_handler(law_dir, requests)) as base:
        yield f"{base}/api/2", requests


def test_revisions_are_listed_oldest_first(api) -> None:  # noqa: ANN001
    base, _ = api
    listed = list_revisions(LAW, base_url=base)
    assert [(r.revision_id, r.date.isoformat()) for r in listed] == [
        (REV_2020, "2020-12-12"), (REV_2022, "2022-01-11")
    ]


def test_all_revisions_fetched_into_the_cache_and_listed(api, law_dir, tmp_path) -> None:  # noqa: ANN001
    base, requests = api
    cache = tmp_path / "cache"
    report = fetch_all_revisions(LAW, base_url=base, cache_dir=cache)
    assert report.saved == [cache / f"{REV_2020}.xml"]
    assert [r for r, _ in report.failed] == [REV_2022]
    assert "HTTP 404" in report.failed[0][1]
    assert f"/api/2/law_data/{REV_2022}" in requests
    # The list is kept beside the fetched XML, in the law_revisions.tsv columns.
    listed = read_revisions(cache / "law_revisions.tsv")
    assert [r.revision_id for r in listed] == [REV_2020, REV_2022]
    # The fetched revision reads as the same tables as the hand-checked TSVs.
    fetched = {(v.table.key, v.version_key): v for v in find_law_tables(cache)}
    tsv = {(v.table.key, v.version_key): v for v in find_law_tables(law_dir)}
    assert set(fetched) == {("bango-beppyo1", "2020-12-12"), ("bango-beppyo2", "2020-12-12")}
    for key, version in fetched.items():
        assert [(i.label, i.jimu) for i in version.items] == [(i.label, i.jimu) for i in tsv[key].items]
    # A second run fetches only what is still missing.
    before = len(requests)
    again = fetch_all_revisions(LAW, base_url=base, cache_dir=cache)
    assert again.cached == [cache / f"{REV_2020}.xml"] and again.saved == []
    assert requests[before:] == [f"/api/2/law_revisions/{LAW}", f"/api/2/law_data/{REV_2022}"]


def test_a_list_that_is_not_a_law_revisions_answer_is_refused(api, tmp_path) -> None:  # noqa: ANN001
    base, _ = api
    with pytest.raises(LawDataError, match="HTTP 404"):
        fetch_all_revisions("999AC0000000999", base_url=base, cache_dir=tmp_path)
