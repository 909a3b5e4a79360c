"""Fetch every revision of a law from the e-Gov 法令API v2 into the law cache.

``pia-kg law fetch 425AC0000000027 --all-revisions`` closes the gaps the law status reports
(``approximate``): it asks ``GET {base}/law_revisions/{law_id}`` for the list of revisions
(``revisions[].law_revision_id``, ``amendment_enforcement_date``, ``amendment_law_id``),
then fetches each one not yet cached with ``GET {base}/law_data/{law_revision_id}`` (XML),
checked like :func:`~pia_kg.loaders.law.fetch.fetch_law`, saved as ``{revision_id}.xml``.
The list itself is written to the cache's ``law_revisions.tsv`` (the same columns as the
file in ``../shared/law``), so the revisions are known even where a fetch failed. A revision
that cannot be fetched is reported and the others are still fetched.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from pia_kg.errors import LawDataError
from pia_kg.loaders.law.catalog import law_cache_dir
from pia_kg.loaders.law.fetch import DEFAULT_BASE_URL, checked_law_data, http_get, write_atomically
from pia_kg.loaders.law.revisions import REVISIONS_FILE

__all__ = ["ListedRevision", "FetchReport", "list_revisions", "fetch_all_revisions"]

_HEADER = ("law_id", "law_revision_id", "enforcement_date", "amending_law_id", "source_path")


@dataclass(frozen=True)
class ListedRevision:
    law_id: str
    revision_id: str
    date: dt.date
    amending_law: str


@dataclass
class FetchReport:
    revisions: list[ListedRevision] = field(default_factory=list)
    saved: list[Path] = field(default_factory=list)
    cached: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (revision id, why)


def _revision(law_id: str, raw: dict[str, object], url: str) -> ListedRevision:
    try:
        return ListedRevision(
            law_id=law_id,
            revision_id=str(raw["law_revision_id"]),
            date=dt.date.fromisoformat(str(raw["amendment_enforcement_date"])[:10]),
            amending_law=str(raw.get("amendment_law_id") or ""),
        )
    except (KeyError, ValueError) as exc:
        raise LawDataError(f"{url}: a revision without a usable id or date ({exc})") from None


def list_revisions(
    law_id: str, *, base_url: str = DEFAULT_BASE_URL, timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> list[ListedRevision]:
    """The revisions e-Gov lists for ``law_id``, oldest first."""
    url = f"{base_url.rstrip('/')}/law_revisions/{law_id}"
    response = http_get(url, {"response_format": "json"}, timeout=timeout, transport=transport,
                        accept="application/json")
    try:
        payload = json.loads(response.content)
        rows = payload["revisions"]
    except (ValueError, KeyError, TypeError):
        raise LawDataError(f"{response.url}: not a 法令API law_revisions response (no 'revisions')") from None
    return sorted((_revision(law_id, r, str(response.url)) for r in rows), key=lambda r: (r.date, r.revision_id))


def _write_list(folder: Path, revisions: list[ListedRevision]) -> None:
    """Merge the listed revisions into the cache's law_revisions.tsv (other laws' rows kept)."""
    path = folder / REVISIONS_FILE
    ids = {r.revision_id for r in revisions}
    kept: list[list[str]] = []
    if path.is_file():
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines(), delimiter="\t"))
        kept = [r for r in rows[1:] if r and r[1] not in ids]
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(_HEADER)
    writer.writerows(kept)
    writer.writerows([r.law_id, r.revision_id, r.date.isoformat(), r.amending_law, ""] for r in revisions)
    write_atomically(path, out.getvalue().encode("utf-8"))


def fetch_all_revisions(
    law_id: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    cache_dir: Path | None = None,
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
) -> FetchReport:
    """Every revision of ``law_id`` into the cache: listed, then each fetched unless cached."""
    folder = cache_dir or law_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    report = FetchReport(list_revisions(law_id, base_url=base_url, timeout=timeout, transport=transport))
    _write_list(folder, report.revisions)
    for rev in report.revisions:
        target = folder / f"{rev.revision_id}.xml"
        if target.is_file():
            report.cached.append(target)
            continue
        url = f"{base_url.rstrip('/')}/law_data/{rev.revision_id}"
        params = {"law_full_text_format": "xml", "response_format": "xml"}
        try:
            body = checked_law_data(http_get(url, params, timeout=timeout, transport=transport))
        except LawDataError as exc:
            report.failed.append((rev.revision_id, str(exc)))
            continue
        write_atomically(target, body)
        report.saved.append(target)
    return report
