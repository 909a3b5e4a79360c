"""Search, 団体 (body) and 委託先 (contractor) pages, and the JSON search route.

* ``/ui/search?q=`` and ``/search?q=`` — bodies, departments, contractors, recipients,
  assessments, cited items and lines of text, forgiving of width, case, spacing and a few
  spelling variants (the SQLite FTS5 index of :mod:`pia_kg.search`).
* ``/ui/bodies/{name}`` — every assessment of a body, and the contractors it uses.
* ``/ui/contractors?name=`` — every body and assessment using a contractor under all its
  names: spellings that differ only in width or case (富士通Japan株式会社, 富士通JAPAN株式会社)
  and the former names recorded in change histories (renames).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from pia_kg.display import value_label
from pia_kg.errors import ParameterError, PiaKgError, UnknownNameError
from pia_kg.search import KINDS, Hit, fold, index_for

from . import routes_pages
from .query_runner import run_named
from .routes_pages import body_assessments, doc_id_of, render_page
from .routes_source import source_href
from .settings import settings_of

__all__ = ["router", "contractor_names", "hit_link"]

router = APIRouter(tags=["web page"])


def hit_link(hit: Hit) -> str | None:
    """Where a search hit leads: the body's, contractor's or assessment's page, the item, or the source."""
    if hit.kind == "body":
        return f"/ui/bodies/{quote(hit.name)}"
    if hit.kind == "contractor":
        return f"/ui/contractors?name={quote(hit.name)}"
    if hit.kind == "assessment":
        return f"/ui/assessments/{quote(hit.doc_id)}"
    if hit.kind == "item" and "|" in hit.key:
        table, item = hit.key.split("|", 1)
        return f"/ui/item?table={quote(table)}&item={quote(item)}&versions=all"
    return source_href(hit.source)


def _hits(request: Request, q: str, kind: str) -> list[Hit]:
    if kind and kind not in KINDS:
        raise ParameterError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}", param="kind")
    return index_for(settings_of(request).store).search(q, kinds=(kind,) if kind else (), limit=500)


@router.get("/search", summary="Search bodies, departments, contractors, items and text")
def search_json(
    request: Request,
    q: str = Query(..., description="Words to find (width, case and spacing do not matter)", examples=["富士通"]),
    kind: str = Query("", description=f"Only one kind: {', '.join(KINDS)}", examples=["contractor"]),
) -> dict[str, object]:
    """Hits with their kind, name, document, source (``FILE#Lstart-Lend``) and page link."""
    hits = _hits(request, q, kind)
    return {"q": q, "count": len(hits), "hits": [
        {"kind": h.kind, "name": h.name, "document": h.doc_id, "source": h.source,
         "source_href": source_href(h.source), "href": hit_link(h)} for h in hits]}


@router.get("/ui/search", response_class=HTMLResponse, summary="Web page: search")
def search_page(
    request: Request,
    q: str = Query("", description="Words to find", examples=["富士通"]),
    kind: str = Query("", description="Only one kind of hit", examples=["contractor"]),
) -> HTMLResponse:
    """Hits grouped by kind (names first, then lines of text), each linked."""
    context: dict[str, Any] = {"q": q, "kind": kind, "kinds": KINDS, "groups": [], "count": 0}
    if not q.strip():
        return render_page(request, "search.html", context)
    try:
        hits = _hits(request, q, kind)
    except PiaKgError as exc:
        return render_page(request, "search.html", context, error=exc)
    titles = index_for(settings_of(request).store).titles(h.doc_id for h in hits)
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for h in hits:
        # Names that differ only in width, case or spacing are one entry (text lines are not merged).
        key = f"{h.source}|{h.name}" if h.kind == "text" else fold(h.name)
        entry = groups.setdefault(h.kind, {}).setdefault(key, {
            "name": h.name, "href": hit_link(h), "spellings": [], "places": []})
        if h.name not in entry["spellings"]:
            entry["spellings"].append(h.name)
        place = {"doc_id": h.doc_id, "assessment": titles.get(h.doc_id, h.doc_id),
                 "source": h.source, "source_href": source_href(h.source)}
        if place not in entry["places"]:
            entry["places"].append(place)
    context["groups"] = [(k, KINDS[k], list(groups[k].values())) for k in KINDS if k in groups]
    context["count"] = len(hits)
    return render_page(request, "search.html", context)


def _contractor_renames(request: Request) -> list[dict[str, str | None]]:
    return run_named(request, "renames", {"kind": "contractor"}).values()


def contractor_names(name: str, written: Iterable[str], renames: Iterable[dict[str, str | None]]) -> dict[str, str]:
    """Every name of the contractor called ``name``: folded key → a spelling, following renames.

    >>> sorted(contractor_names("富士通JAPAN株式会社", ["富士通Japan株式会社"],
    ...     [{"old": "富士通株式会社北陸支社", "new": "富士通Japan株式会社"}]).values())
    ['富士通Japan株式会社', '富士通株式会社北陸支社']
    """
    spelled = {fold(w): w for w in written}
    names = {fold(name): spelled.get(fold(name), name)}
    pairs = [(fold(r.get("old") or ""), r.get("old") or "", fold(r.get("new") or ""), r.get("new") or "") for r in renames]
    changed = True
    while changed:
        changed = False
        for old_key, old, new_key, new in pairs:
            for key, text in ((old_key, old), (new_key, new)):
                other = new_key if key == old_key else old_key
                if other in names and key and key not in names:
                    names[key] = spelled.get(key, text)
                    changed = True
    return names


def _rows_by_assessment(request: Request, assessments: Iterable[str]) -> list[dict[str, str | None]]:
    """The 委託 rows of these assessments, in the order of the whole-corpus query (by
    assessment, then file and row): one index lookup per assessment."""
    return [r for a in sorted(set(assessments))
            for r in run_named(request, "outsourcing", {"assessment": a}).values()]


_COLUMNS = ("assessment", "file", "title", "contractor", "reoutsourcing", "source")


def _order(value: str | None) -> tuple[int, float, str]:
    """A file's or row's pia:order as SPARQL sorts it (numbers by value, before text)."""
    try:
        return (0, float(value or ""), "")
    except ValueError:
        return (1, 0.0, value or "")


def _contractor_rows(request: Request, names: dict[str, str], written: Iterable[str]) -> list[dict[str, str | None]]:
    """The 委託 rows naming any of ``names`` (folded keys), as the outsourcing query gives
    them and in its order (assessment, file, row), each with its assessment's body and
    title: one lookup of each spelling as written."""
    found = [r for w in sorted({w for w in written if w and fold(w) in names})
             for r in run_named(request, "contractor_rows", {"contractor": w}).values()]
    found.sort(key=lambda r: (r.get("assessment") or "", _order(r.get("file_order")), _order(r.get("row_order"))))
    labels: dict[str, tuple[str, str]] = {}
    for r in found:  # the assessment list's entry: its first row by body
        a, label = r.get("assessment") or "", (r.get("body") or "", r.get("assessment_title") or "")
        if r.get("body") is not None and (a not in labels or label < labels[a]):
            labels[a] = label
    rows: dict[tuple[str | None, ...], dict[str, str | None]] = {}
    for r in found:
        row = {c: r.get(c) for c in _COLUMNS}
        body, title = labels.get(r.get("assessment") or "", ("", ""))
        rows.setdefault(tuple(row.values()), {**row, "body": body, "assessment_title": title})
    return list(rows.values())


@router.get("/ui/contractors", response_class=HTMLResponse, summary="Web page: a contractor (委託先) under all its names")
def contractor_page(
    request: Request,
    name: str = Query(..., description="The contractor's name as written (any width or case)", examples=["富士通Japan株式会社"]),
) -> HTMLResponse:
    """Every body and assessment whose 委託 names this contractor under any of its names.

    The names are gathered in the folded form (:func:`pia_kg.search.fold`) from the list of
    names as written and the contractor renames (small, and computed once per store state);
    the rows are then looked up by name and by assessment, so a page costs its own rows.
    """
    context: dict[str, Any] = {"name": name, "names": [], "rows": [], "renames": [], "row_count": 0, "body_counts": []}
    try:
        written = [r.get("contractor") or "" for r in run_named(request, "contractor_names", {}).values()]
        renames = _contractor_renames(request)
        names = contractor_names(name, written, renames)
        rows = _contractor_rows(request, names, written)
        if not rows and not any(fold(r.get("old") or "") in names for r in renames):
            raise UnknownNameError("contractor", name, sorted(set(written)))
    except PiaKgError as exc:
        return render_page(request, "contractor.html", context, error=exc)
    context["names"] = sorted(set(names.values()) | {r.get("contractor") or "" for r in rows})
    context["renames"] = [{**r, "href": source_href(r.get("source"))} for r in renames
                          if fold(r.get("old") or "") in names or fold(r.get("new") or "") in names]
    counts: dict[str, int] = {}
    for r in rows:
        if r.get("body"):
            counts[r["body"]] = counts.get(r["body"], 0) + 1
    context["bodies"] = sorted(counts)
    context["body_counts"] = [{"body": b, "count": counts[b]} for b in sorted(counts)]
    context["row_count"] = len(rows)
    context["rows"] = [  # a national contractor has thousands: the first PAGE_ROWS, the bodies all
        {**r, "title_doc": r.get("assessment_title") or "",
         "doc_id": doc_id_of(r.get("assessment") or ""), "href": source_href(r.get("source")),
         "reoutsourcing": value_label("reoutsourcing", r.get("reoutsourcing")) if r.get("reoutsourcing") else ""}
        for r in rows[: routes_pages.PAGE_ROWS]  # one bound for every page (routes_pages)
    ]
    return render_page(request, "contractor.html", context)


@router.get("/ui/bodies/{name}", response_class=HTMLResponse, summary="Web page: a body (団体) and its assessments")
def body_page(
    request: Request,
    name: str = Path(description="The body's name", examples=["静岡市"]),
) -> HTMLResponse:
    """Every loaded assessment of a body, and the contractors its assessments name (looked
    up by the body's name and by assessment: a page costs its own rows)."""
    context: dict[str, Any] = {"name": name, "assessments": [], "contractors": []}
    try:
        written, mine = body_assessments(request, name)
        outsourcing = _rows_by_assessment(request, (a["assessment"] for a in mine))
    except PiaKgError as exc:
        return render_page(request, "body.html", context, error=exc)
    context["name"] = written
    context["assessments"] = mine
    by_name: dict[str, dict[str, Any]] = {}
    for r in outsourcing:
        c = r.get("contractor") or ""
        entry = by_name.setdefault(fold(c), {"name": c, "count": 0, "href": f"/ui/contractors?name={quote(c)}"})
        entry["count"] += 1
    context["contractors"] = sorted(by_name.values(), key=lambda e: e["name"])
    return render_page(request, "body.html", context)
