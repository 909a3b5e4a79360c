"""Download a law's full text from the e-Gov 法令API v2 into the local law cache.

For users who have internet and no copy of ``../shared/law``: ``pia-kg law fetch
425AC0000000027 --as-of 2024-05-18`` saves the revision in force on that date, and the law
table discovery (:func:`~pia_kg.loaders.law.catalog.discover_law_dir`) finds the cache.

The request is ``GET {base}/law_data/{law_id}?asof=DATE&law_full_text_format=xml&
response_format=xml``; the answer is a ``law_data_response`` whose ``revision_info`` names
the revision (``law_revision_id``, ``amendment_enforcement_date``), which is what dates the
tables read from it. The body is checked (it must parse and name its revision) before it
is saved, and saved atomically, so the cache never holds half a file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import httpx

from pia_kg.errors import LawDataError, LoaderError
from pia_kg.loaders.law.catalog import law_cache_dir
from pia_kg.loaders.law.egov_xml import parse_law_document

__all__ = [
    "DEFAULT_BASE_URL",
    "fetch_law",
    "cache_file_name",
    "http_get",
    "checked_law_data",
    "write_atomically",
]

DEFAULT_BASE_URL = "https://laws.e-gov.go.jp/api/2"
_LAW_ID = re.compile(r"^[0-9A-Za-z]{3,20}(?:_[0-9A-Za-z]+){0,2}$")
_USER_AGENT = "pia-kg (law table loader; +https://w3id.org/pia-kg/)"


def cache_file_name(law_id: str, as_of: dt.date) -> str:
    """``425AC0000000027_2024-05-18.xml``: one file per law and date asked for."""
    return f"{law_id}_{as_of.isoformat()}.xml"


def fetch_law(
    law_id: str,
    as_of: dt.date | str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    cache_dir: Path | None = None,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> Path:
    """Fetch ``law_id`` (法令ID, e.g. 425AC0000000027) as in force on ``as_of``; return the file.

    ``cache_dir`` defaults to :func:`~pia_kg.loaders.law.catalog.law_cache_dir`. An existing
    file for the same law and date is replaced. ``transport`` lets tests and callers plug in
    an httpx transport.

    Raises LawDataError when the id or date is malformed, the server cannot be reached,
    times out, answers with an error status, or answers with something that is not a 法令API
    v2 law_data response naming its revision; the message names the URL and says how to
    use local tables instead.
    """
    if not _LAW_ID.match(law_id):
        raise LawDataError(f"{law_id!r} is not an e-Gov 法令ID (e.g. 425AC0000000027)")
    date = _as_date(as_of)
    url = f"{base_url.rstrip('/')}/law_data/{law_id}"
    params = {"asof": date.isoformat(), "law_full_text_format": "xml", "response_format": "xml"}
    response = http_get(url, params, timeout=timeout, transport=transport, accept="application/xml")
    body = checked_law_data(response)
    folder = cache_dir or law_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / cache_file_name(law_id, date)
    write_atomically(target, body)
    return target


_HINT = "without internet, pass --law-dir DIR (or set PIA_KG_LAW_DIR) to local law tables"


def http_get(
    url: str,
    params: dict[str, str],
    *,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
    accept: str = "application/xml",
) -> httpx.Response:
    """GET ``url`` from the 法令API; LawDataError (naming the URL) unless it answers 200."""
    try:
        with httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": _USER_AGENT, "Accept": accept},
            follow_redirects=True,
            transport=transport,
        ) as client:
            response = client.get(url, params=params)
    except httpx.TimeoutException:
        raise LawDataError(f"e-Gov 法令API did not answer in {timeout:g} s: {url}; {_HINT}") from None
    except httpx.HTTPError as exc:
        raise LawDataError(f"cannot reach e-Gov 法令API at {url}: {exc}; {_HINT}") from None
    if response.status_code != 200:
        raise LawDataError(
            f"e-Gov 法令API answered HTTP {response.status_code} for {response.url}"
            f"{_api_message(response)}; check the law id and date, or {_HINT}"
        )
    return response


def checked_law_data(response: httpx.Response) -> bytes:
    """The body of a law_data answer, once it parses and names its revision."""
    body = response.content
    try:
        document = parse_law_document(body, source=str(response.url))
    except LoaderError as exc:
        raise LawDataError(f"not a 法令API law_data response: {exc}") from None
    if not document.revision_id:
        raise LawDataError(
            f"{response.url}: the answer does not name its revision (revision_info/"
            "law_revision_id), so its tables cannot be dated; is this an e-Gov 法令API v2 endpoint?"
        )
    return body


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LawDataError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None


def _api_message(response: httpx.Response) -> str:
    """The API's own error message (error_info/message), when it sent one."""
    match = re.search(
        rb"<message>(.*?)</message>|\"message\"\s*:\s*\"(.*?)\"", response.content[:4096]
    )
    if not match:
        return ""
    raw = match.group(1) or match.group(2) or b""
    return f" ({raw.decode('utf-8', 'replace')})"


def write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=target.name, suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
