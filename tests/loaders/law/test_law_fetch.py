"""`fetch_law` against a real HTTP server on a loopback port.

The real e-Gov 法令API cannot be reached here, so a small ``http.server`` answers in its URL
shape (``/api/2/law_data/{law_id}?asof=…``) with the real 2021 XML in ../shared/law/raw,
wrapped in a ``law_data_response`` as the API wraps it (revision per SOURCES.md).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from servers import free_port, loopback_http

from pia_kg.errors import LawDataError
from pia_kg.loaders.law.catalog import discover_law_dir, find_law_tables
from pia_kg.loaders.law.fetch import fetch_law

RAW = {
    "425AC0000000027": "kuboon-elaws-xml_3d297823_docs_xml_425AC0000000027.xml",
    "426M6000000a005": "kuboon-elaws-xml_3d297823_docs_xml_426M6000000a005.xml",
}
REVISION_2021 = "425AC0000000027_20201212_502AC0000000044"


def _handler(law_dir: Path, requests: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/xml") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            requests.append(self.path)
            query = parse_qs(url.query)
            law_id = url.path.removeprefix("/api/2/law_data/")
            if law_id == "slow":
                time.sleep(1.5)
            if not url.path.startswith("/api/2/law_data/") or law_id not in RAW:
                error = {"code": "404001", "message": "指定された法令が存在しません。"}
                self._send(404, json.dumps(error, ensure_ascii=False).encode(), "application/json")
                return
            raw = (law_dir / "raw" / RAW[law_id]).read_bytes()
            if law_id != "425AC0000000027":  # answers with a bare <Law>, no revision_info
                self._send(200, raw)
                return
            asof = query.get("asof", [""])[0]
            if not ("2020-12-12" <= asof < "2024-05-18"):
                self._send(
                    404,
                    b"<error_info><code>404001</code><message>no such revision</message></error_info>",
                )
                return
            law = raw.decode("utf-8")
            law = law[law.index("<Law ") :]
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><law_data_response><attached_files_info/>'
                f"<law_info><law_id>{law_id}</law_id></law_info><revision_info>"
                f"<law_revision_id>{REVISION_2021}</law_revision_id>"
                "<amendment_enforcement_date>2020-12-12</amendment_enforcement_date>"
                f"</revision_info><law_full_text>{law}</law_full_text></law_data_response>"
            )
            self._send(200, body.encode("utf-8"))

    return Handler


@pytest.fixture(scope="module")
def api(law_dir: Path) -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    with loopback_http(_handler(law_dir, requests)) as base:
        yield f"{base}/api/2", requests


def test_fetch_saves_the_response_and_the_cache_gives_the_2021_tables(api, law_dir, tmp_path):
    base, requests = api
    cache = tmp_path / "cache"
    path = fetch_law("425AC0000000027", dt.date(2021, 6, 1), base_url=base, cache_dir=cache)
    assert path == cache / "425AC0000000027_2021-06-01.xml"
    sent = urlparse(requests[-1])
    assert sent.path == "/api/2/law_data/425AC0000000027"
    assert parse_qs(sent.query) == {
        "asof": ["2021-06-01"],
        "law_full_text_format": ["xml"],
        "response_format": ["xml"],
    }
    assert not list(cache.glob("*.part"))
    fetched = {(v.table.key, v.version_key): v for v in find_law_tables(cache)}
    tsv = {(v.table.key, v.version_key): v for v in find_law_tables(law_dir)}
    assert set(fetched) == {("bango-beppyo1", "2020-12-12"), ("bango-beppyo2", "2020-12-12")}
    for key, version in fetched.items():
        assert [(i.label, i.agency, i.jimu, i.providers) for i in version.items] == [
            (i.label, i.agency, i.jimu, i.providers) for i in tsv[key].items
        ]
        assert version.revision_id == REVISION_2021
        assert version.source == path.name


def test_discovery_finds_what_fetch_cached(api, tmp_path, monkeypatch):
    base, _ = api
    monkeypatch.delenv("PIA_KG_LAW_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    path = fetch_law("425AC0000000027", "2022-04-01", base_url=base)  # default cache dir
    assert path.parent == tmp_path / "xdg" / "pia-kg" / "law"
    nowhere = tmp_path / "repo"
    nowhere.mkdir()
    assert discover_law_dir(cwd=nowhere, repo_root=nowhere) == path.parent


def test_http_error_names_url_and_api_message(api, tmp_path):
    base, _ = api
    with pytest.raises(LawDataError, match="HTTP 404") as err:
        fetch_law("425AC0000000027", "2010-01-01", base_url=base, cache_dir=tmp_path)
    assert "/law_data/425AC0000000027" in str(err.value)
    assert "no such revision" in str(err.value) and "--law-dir" in str(err.value)
    with pytest.raises(LawDataError, match="指定された法令が存在しません"):
        fetch_law("999AC0000000999", "2021-01-01", base_url=base, cache_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_an_answer_without_revision_is_refused(api, tmp_path):
    base, _ = api
    with pytest.raises(LawDataError, match="does not name its revision"):
        fetch_law("426M6000000a005", "2021-01-01", base_url=base, cache_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_unreachable_server_and_timeout(api, tmp_path):
    base, _ = api
    closed = f"http://127.0.0.1:{free_port()}/api/2"
    with pytest.raises(LawDataError, match="cannot reach") as err:
        fetch_law("425AC0000000027", "2021-01-01", base_url=closed, cache_dir=tmp_path)
    assert closed in str(err.value) and "--law-dir" in str(err.value)
    with pytest.raises(LawDataError, match="did not answer in 0.3 s"):
        fetch_law("slow", "2021-01-01", base_url=base, cache_dir=tmp_path, timeout=0.3)


def test_bad_arguments(tmp_path):
    with pytest.raises(LawDataError, match="not an e-Gov 法令ID"):
        fetch_law("../../etc/passwd", "2021-01-01", cache_dir=tmp_path)
    with pytest.raises(LawDataError, match="not a date"):
        fetch_law("425AC0000000027", "2021-13-01", cache_dir=tmp_path)
