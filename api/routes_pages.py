"""The Japanese web pages: an item, an assessment, an amendment's impact, and the SPARQL box.

Server-rendered (Jinja2, no CDN), readable at 1280 px without horizontal scrolling. A privacy
officer never sees SPARQL or codes here: each page is a bundle of named queries (the same
bundles as the JSON routes in :mod:`routes_headline`), shown with Japanese headings, coded
values in words (:mod:`pia_kg.display`) and every fact's source linked to the source viewer
(:mod:`routes_source`). Long tables sort and page in the browser (``static/tables.js``).
Search, body and contractor pages live in :mod:`routes_search`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from pia_kg.display import (
    COLUMN_LABELS,
    DOCUMENT_PROPERTY_LABELS,
    DOCUMENT_VALUE_LABELS,
    confidence_words,
    evidence_words,
    problem_sentence,
    resolution_sentence,
    value_label,
)
from pia_kg.errors import ParameterError, PiaKgError, UnknownNameError
from pia_kg.headlines import HEADLINES, bodies_named
from pia_kg.named_queries import bind_params, inject_values, named_queries
from pia_kg.text.legal import TABLES
from pia_kg.vocab import document_iri

from .downloads import download_response
from .error_responses import status_for
from .query_runner import export_format, rows_json, run_named
from .routes_headline import (
    ASSESSMENT_SECTIONS,
    ITEM_SECTIONS,
    ByType,
    assessment_iri,
    item_key,
    law_status_of,
    run_sections,
)
from .routes_source import source_href
from .settings import settings_of

__all__ = ["router", "COLUMN_LABELS", "doc_id_of", "render_page", "page_table", "templates"]

router = APIRouter(tags=["web page"])
_HTML: dict[int | str, dict[str, object]] = {
    200: {"description": "An HTML page in Japanese", "content": {"text/html": {"example": "<!doctype html><html lang=\"ja\">…</html>"}}}
}
templates = Jinja2Templates(directory=str(resources.files("pia_kg.api") / "templates"))

#: Columns not worth a column on a page (IRIs the page already names, repeated long texts).
_HIDDEN = {"item_iri", "assessment", "citation", "entity"}

#: Per section, the columns shown (others are left out: long texts repeated on every row).
_SECTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "departments": ("organization", "department", "role", "cited_table", "cited_item", "source"),
    "recipients": ("organization", "recipient", "role", "cited_table", "cited_item", "source"),
    "meaning": ("version", "valid_from", "valid_until", "item", "agency", "jimu", "providers", "source"),
}

#: The tables a person searches by (use and provision tables, not the detailing ordinances).
SEARCH_TABLES = [t.label for t in TABLES if t.kind in ("use", "provision")]


def doc_id_of(assessment: str) -> str | None:
    """The document id in an assessment IRI (``…/id/doc/{doc_id}/assessment/main``)."""
    prefix = str(document_iri("")).rstrip("/") + "/"
    if not assessment.startswith(prefix):
        return None
    return assessment[len(prefix) :].split("/", 1)[0]


def _cell(column: str, value: object) -> dict[str, Any]:
    """One cell as the template shows it: text, a link (sources, assessments), a tooltip."""
    href = None
    title = None
    if value is None:
        text = ""
    elif column == "source":
        text, href = str(value), source_href(value)
    elif column == "confidence" and isinstance(value, int | float):
        text = confidence_words(float(value))
    elif column == "evidence":
        text = evidence_words(str(value))
    elif isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = str(value_label(column, value))
    if column == "assessment" and isinstance(value, str) and doc_id_of(value):
        href = f"/ui/assessments/{doc_id_of(value)}"
    return {"col": column, "text": text, "href": href, "title": title}


#: Rows a page lists at most in a table that grows with the corpus (an item's departments, the
#: fixes of an amendment, the problems of every assessment): beyond, the page says how many
#: there are and offers them all as a download, or links to narrower pages.
PAGE_ROWS = 500


def page_table(
    section: Mapping[str, Any],
    columns: tuple[str, ...] | None = None,
    hide: set[str] = _HIDDEN,
    *,
    max_rows: int | None = None,
    download: str | None = None,
) -> dict[str, Any]:
    """A section as the template wants it: headings, rows of cells (the first ``max_rows``;
    ``download``: where all of them are), or an error notice."""
    if "error" in section:
        return {"error": section["error"]}
    shown = [c for c in (columns or section["columns"]) if c in section["columns"] and (columns or c not in hide)]
    rows = section["rows"] if max_rows is None else section["rows"][:max_rows]
    return {
        "query": section.get("query"),
        "columns": [(c, COLUMN_LABELS.get(c, c)) for c in shown],
        "rows": [[_cell(c, row.get(c)) for c in shown] for row in rows],
        "count": section["count"],
        "shown": len(rows),
        "download": download,
    }


def query_download(query: str, params: Mapping[str, str | None]) -> str:
    """The named query's answer as a CSV for Excel (every row, Japanese headings).

    >>> query_download("departments_under_item", {"table": "番号法別表", "item": "81", "as_of": None})
    '/queries/departments_under_item?table=%E7%95%AA%E5%8F%B7%E6%B3%95%E5%88%A5%E8%A1%A8&item=81&_format=csv&_bom=1&_headers=ja'
    """
    given = {k: v for k, v in params.items() if v}
    return f"/queries/{query}?{urlencode({**given, '_format': 'csv', '_bom': '1', '_headers': 'ja'})}"


def render_page(
    request: Request, name: str, context: dict[str, Any], *, error: PiaKgError | None = None, status: int = 200
) -> HTMLResponse:
    """A page from its template; with ``error``, the error notice and its status code."""
    context.setdefault("search_tables", SEARCH_TABLES)
    if error is not None:
        context["error"] = {"type": type(error).__name__, "message": str(error)}
        status = status_for(error)
    return templates.TemplateResponse(request, name, context, status_code=status)


def assessment_list(request: Request, only: Iterable[Mapping[str, str]] = ({},)) -> list[dict[str, Any]]:
    """One entry per loaded assessment (the query may give a row per department or office);
    ``only``: the parameters of each lookup (``{"body": name}``, ``{"assessment": iri}``),
    whose answers are merged; by default every assessment."""
    rows = [r for params in only for r in run_named(request, "assessments", dict(params)).values()]
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        iri = row.get("assessment") or ""
        if iri and iri not in seen:
            seen[iri] = {**row, "id": doc_id_of(iri), "href": source_href(row.get("source"))}
    return sorted(seen.values(), key=lambda r: (r.get("body") or "", r["id"] or ""))


#: Assessments the home page lists one by one at most; beyond, it lists the bodies.
HOME_ROWS = 300


def body_assessments(request: Request, name: str) -> tuple[str, list[dict[str, Any]]]:
    """The body's name as written and its assessments (as :func:`assessment_list` gives
    them): every spelling folded like ``name`` is looked up by ``pia:bodyName``."""
    every = [r.get("body") or "" for r in run_named(request, "body_names", {}).values()]
    mine = assessment_list(request, [{"body": b} for b in bodies_named(every, name)])
    if not mine:
        raise UnknownNameError("body", name, sorted(set(every)))
    return mine[0].get("body") or name, mine


@router.get("/", response_class=HTMLResponse, responses=_HTML, summary="Web page: home (tasks, search, assessments)")
def home(request: Request) -> HTMLResponse:
    """The start page: the tasks (an item, an amendment's impact, search), the loaded
    assessments by body, and the SPARQL box for developers."""
    context: dict[str, Any] = {"assessments": [], "assessments_error": None, "today": dt.date.today().isoformat(),
                               "headlines": [h for h in HEADLINES if h.query in named_queries()],
                               "bodies": [], "body_names": [], "assessment_count": 0}
    try:
        every = assessment_list(request)
    except PiaKgError as exc:
        context["assessments_error"] = str(exc)
        return render_page(request, "home.html", context)
    counts: dict[str, int] = {}
    for a in every:
        if a.get("body"):
            counts[a["body"]] = counts.get(a["body"], 0) + 1
    context["assessment_count"] = len(every)
    context["body_names"] = sorted(counts)
    if len(every) <= HOME_ROWS:
        context["assessments"] = every
    else:  # a national corpus: its bodies, each linked to the page listing its assessments
        context["bodies"] = [{"body": b, "count": counts[b]} for b in sorted(counts)]
    return render_page(request, "home.html", context)


def _timeline(section: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The lineage rows as timeline entries, oldest first, relations and confidences in words."""
    if "error" in section:
        return []
    entries = []
    for row in sorted(section["rows"], key=lambda r: (str(r.get("valid_from") or ""), str(r.get("version") or ""))):
        entries.append({
            "date": row.get("valid_from") or "",
            "version": row.get("version") or "",
            "label": row.get("label") or "",
            "agency": row.get("agency") or "",
            "text": row.get("text") or "",
            "relation": value_label("relation", row.get("relation") or ""),
            "relation_code": row.get("relation") or "",
            "from_item": row.get("from_item") or "",
            "confidence": confidence_words(row.get("confidence")) if row.get("confidence") is not None else "",
            "evidence": evidence_words(str(row.get("evidence") or "")),
        })
    return entries


@router.get("/ui/item", response_class=HTMLResponse, responses=_HTML, summary="Web page: an item of a law table")
def item_page(
    request: Request,
    table: str = Query("番号法別表", description="Law table as written", examples=["番号法別表"]),
    item: str = Query("", description="Item number", examples=["81"]),
    as_of: str | None = Query(None, description="Date YYYY-MM-DD (default: today)", examples=["2025-01-01"]),
    versions: str | None = Query(None, description="`all`: every version held, not the one in force on as_of"),
) -> HTMLResponse:
    """What an item says on a date (default today), its lineage as a timeline, and the
    departments (by body) and recipients whose data flows rest on it."""
    every = (versions or "") == "all"
    date = "" if every else (as_of or dt.date.today().isoformat())
    context: dict[str, Any] = {"table": table, "item": item, "as_of": date, "every": every, "sections": []}
    if not item.strip():
        return render_page(request, "item.html", context, error=ParameterError("項番を入力してください (item is required)", param="item"))
    try:
        label, number = item_key(table, item)
        context.update(table=label, item=number)
        params = {"table": label, "item": number, "as_of": date or None}
        found = run_sections(request, ITEM_SECTIONS, params)
    except PiaKgError as exc:
        return render_page(request, "item.html", context, error=exc)
    context["timeline"] = _timeline(found["lineage"])
    context["sections"] = [
        (s.key, s.label, page_table(found[s.key], _SECTION_COLUMNS.get(s.key), max_rows=PAGE_ROWS,
                                    download=query_download(s.query, params)))
        for s in ITEM_SECTIONS if s.key != "lineage"
    ]
    context["no_meaning"] = found["meaning"].get("count") == 0
    status = law_status_of(found)
    if status and not every:
        context["law_status"] = status["law_status"]
        context["law_status_words"] = value_label("law_status", status["law_status"])
        context["law_note"] = status["law_note"]
    return render_page(request, "item.html", context)


_LEVELS_JA = {"BasicLevel": "基礎項目評価書", "FocusedLevel": "重点項目評価書", "FullLevel": "全項目評価書"}


def quality_report(rows: list[dict[str, str | None]]) -> dict[str, Any]:
    """What was read from the document: file facts, and each part of its level's form found or not."""
    from pia_kg.loaders.documents.skeleton import SKELETONS

    values: dict[str, list[str]] = {}
    for r in rows:
        values.setdefault(r.get("property") or "", []).append(r.get("value") or "")
    level = (values.get("level") or [""])[0]
    found = set(values.get("partFound", []))
    parts = [{"title": part.title, "found": part.key in found} for part in SKELETONS[level].parts] if level in SKELETONS else []
    facts = [
        (DOCUMENT_PROPERTY_LABELS.get(k, k), "、".join(DOCUMENT_VALUE_LABELS.get(v, v) for v in vs))
        for k, vs in values.items() if k in ("fileName", "sha256", "documentKind")
    ]
    if level:
        facts.append(("評価書の種類", _LEVELS_JA.get(level, level)))
    ends = values.get("endsEarly")
    if ends:
        facts.append(("途中で終わる", str(value_label("endsEarly", ends[0]))))
    return {"facts": facts, "parts": parts, "missing": [p["title"] for p in parts if not p["found"]]}


def _citation_rows(section: Mapping[str, Any]) -> list[dict[str, Any]]:
    if "error" in section:
        return []
    return [
        {"source": r.get("source") or "", "href": source_href(r.get("source")),
         "cites": f"{r.get('cited_table') or ''} {r.get('cited_item') or ''}".strip(),
         "problem": value_label("problem", r.get("problem") or ""),
         "sentence": resolution_sentence(r) if "resolved_item" in r else problem_sentence(r),
         "purpose": r.get("purpose") or "", "as_of": r.get("as_of") or "",
         "method": value_label("method", r.get("method") or "")}
        for r in section["rows"]
    ]


@router.get("/ui/assessments/{doc_id}", response_class=HTMLResponse, responses=_HTML, summary="Web page: one assessment")
def assessment_page(
    request: Request,
    doc_id: str = Path(description="Document id (the file stem)", examples=["001_57af33314b6a26f0"]),
) -> HTMLResponse:
    """One assessment: systems, files, 委託, 提供/移転 with their legal bases, citation
    problems in words, history, and what was read from the document."""
    context: dict[str, Any] = {"doc_id": doc_id, "sections": [], "summary": None, "quality": None}
    try:
        iri = assessment_iri(request, doc_id)
        summary = assessment_list(request, [{"assessment": iri}])
        context["summary"] = summary[0] if summary else None
        shown = tuple(s for s in ASSESSMENT_SECTIONS if s.key != "citations")  # read below, every citation
        found = run_sections(request, shown, {"assessment": ByType(iri=iri, string=doc_id)})
        resolutions = run_named(request, "citation_resolutions", {"assessment": iri})
        context["quality"] = quality_report(run_named(request, "document_report", {"assessment": iri}).values())
    except PiaKgError as exc:
        return render_page(request, "assessment.html", context, error=exc)
    context["citations"] = _citation_rows({"rows": rows_json(resolutions)})
    context["problem_count"] = sum(1 for c in context["citations"] if c["problem"])
    context["sections"] = [
        (s.key, s.label, page_table(found[s.key])) for s in shown
    ]
    context["citations_section"] = next(s for s in ASSESSMENT_SECTIONS if s.key == "citations")
    return render_page(request, "assessment.html", context)


@router.get("/ui/problems", response_class=HTMLResponse, responses=_HTML, summary="Web page: citations wrong when written")
def problems_page(request: Request) -> HTMLResponse:
    """Every citation the resolution marks as wrong, in every loaded assessment, in words: the
    first PAGE_ROWS of them (a national corpus has tens of thousands), and all as a CSV."""
    context: dict[str, Any] = {"citations": [], "count": 0, "more": False}
    (section,) = (s for s in ASSESSMENT_SECTIONS if s.key == "citations")
    context["download"] = query_download(section.query, {})
    try:
        result = run_named(request, section.query, {}, first=PAGE_ROWS + 1)
    except PiaKgError as exc:
        return render_page(request, "problems.html", context, error=exc)
    rows = rows_json(result)
    context["more"], rows = len(rows) > PAGE_ROWS, rows[:PAGE_ROWS]
    shown = sorted({r.get("assessment") or "" for r in rows} - {""})
    titles = {a["assessment"]: a for a in assessment_list(request, [{"assessment": x} for x in shown])}
    context["citations"] = [
        {**c, "body": (titles.get(r.get("assessment") or "") or {}).get("body") or "",
         "title": r.get("title") or "", "doc_id": doc_id_of(r.get("assessment") or "")}
        for c, r in zip(_citation_rows({"rows": rows}), rows, strict=True)
    ]
    context["count"] = len(rows)
    return render_page(request, "problems.html", context)


def _impact_report(request: Request, amendment: str, body: str = ""):  # noqa: ANN202 (ImpactReport)
    """The report on every assessment, or on those of ``body`` only (looked up by the body:
    a body's page costs its assessments, not the corpus)."""
    from pia_kg.impact.amendment import amendment_by_key
    from pia_kg.impact.report import build_impact_report

    chosen = [a["assessment"] for a in body_assessments(request, body)[1]] if body else None
    return build_impact_report(settings_of(request).store, amendment_by_key(amendment), assessments=chosen)


@router.get("/ui/impact", response_class=HTMLResponse, responses=_HTML, summary="Web page: impact of an amendment")
def impact_page(
    request: Request,
    amendment: str = Query("2024-05-27", description="Date the amendment took effect", examples=["2024-05-27"]),
    body: str = Query("", description="Only this body (団体)", examples=["静岡市"]),
    kind: str = Query("", description="Only this kind of change (renumbered, deleted, …)", examples=["renumbered"]),
) -> HTMLResponse:
    """Per body and assessment, counts by kind of change (chart), then the fix list — the
    same template as the CLI's impact.html — with filters and CSV/Excel downloads."""
    from pia_kg.impact.amendment import KNOWN_AMENDMENTS
    from pia_kg.impact.render import impact_view

    context: dict[str, Any] = {"amendment": amendment, "body": body, "kind": kind, "view": None,
                               "amendments": list(KNOWN_AMENDMENTS.values()), "bodies": []}
    try:
        context["bodies"] = sorted({r.get("body") or "" for r in run_named(request, "body_names", {}).values()} - {""})
        report = _impact_report(request, amendment, body)
    except PiaKgError as exc:
        return render_page(request, "impact.html", context, error=exc)

    def body_href(name: str) -> str:
        return f"/ui/impact?amendment={quote(amendment)}&body={quote(name)}&kind={quote(kind)}"

    context["view"] = impact_view(report, link=source_href, body=body, kind=kind, max_rows=PAGE_ROWS, body_href=body_href)
    return render_page(request, "impact.html", context)


@router.get("/ui/impact/export", summary="Download an amendment's impact rows (CSV or Excel)")
def impact_export(
    request: Request,
    amendment: str = Query("2024-05-27", description="Date the amendment took effect", examples=["2024-05-27"]),
    body: str = Query("", description="Only this body (団体)", examples=["静岡市"]),
    kind: str = Query("", description="Only this kind of change", examples=["renumbered"]),
    fmt: str = Query("csv", alias="_format", description="csv or xlsx", examples=["xlsx"]),
) -> Response:
    """The fix list as CSV (``_bom=1`` for Excel) or .xlsx; ``_headers=ja`` for Japanese headings."""
    from pia_kg.impact.render import export_table

    chosen = export_format(request, fmt) or export_format(request, "csv")
    # the report built and written in the download's thread: a national fix list is never held as text
    return download_response(
        request, lambda: export_table(_impact_report(request, amendment, body), body=body, kind=kind),
        chosen, f"impact-{amendment}",  # type: ignore[arg-type]
    )


def _examples() -> list[dict[str, str]]:
    """Each named query as runnable SPARQL, its parameters bound to their examples."""
    out = []
    for q in named_queries().values():
        values = {p.name: p.example for p in q.params if p.example is not None}
        try:
            text = inject_values(q.text, bind_params(q, values))
        except PiaKgError:
            text = q.text
        out.append({"name": q.name, "title": q.title, "text": text})
    return out


@router.get("/ui/sparql", response_class=HTMLResponse, responses=_HTML, summary="Web page: SPARQL box")
def sparql_page(
    request: Request,
    query: str = Query(
        "", description="SPARQL query to run (read-only)", examples=["SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"]
    ),
) -> HTMLResponse:
    """A SPARQL box with the named queries as examples; results as a table (SELECT/ASK)."""
    examples = _examples()
    context: dict[str, Any] = {"query": query or (examples[0]["text"] if examples else ""),
                               "examples": examples, "result": None, "ran": bool(query.strip())}
    if not query.strip():
        return render_page(request, "sparql.html", context)
    from .sparql_protocol import UpdateRefusedError, sparql_operation

    settings = settings_of(request)
    try:
        if sparql_operation(query) == "update":
            raise UpdateRefusedError("read-only: SPARQL Update is not accepted")
        result = settings.run_client_sparql(query)
    except PiaKgError as exc:
        return render_page(request, "sparql.html", context, error=exc)
    if result.kind == "select":
        section = {"columns": result.variables, "rows": rows_json(result), "count": len(result.rows)}
        context["result"] = page_table(section, hide=set())
    elif result.kind == "ask":
        context["boolean"] = result.boolean
    else:
        context["graph_text"] = result.graph.serialize(format="turtle") if result.graph is not None else ""
    return render_page(request, "sparql.html", context)
