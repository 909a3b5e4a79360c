"""The Japanese web page: search an item, browse an assessment, read an amendment's impact,
and try SPARQL — server-rendered, so it works without JavaScript and without a CDN.

A privacy officer never sees SPARQL here: each page is a bundle of named queries (the same
bundles as the JSON routes in :mod:`routes_headline`), shown as tables with Japanese
headings and each fact's source line. Errors are shown on the page in Japanese-first
wording with the library's message, and the status code still says what went wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from pia_kg.errors import ParameterError, PiaKgError
from pia_kg.named_queries import bind_params, inject_values, named_queries
from pia_kg.text.legal import TABLES
from pia_kg.vocab import document_iri

from .error_responses import status_for
from .query_runner import rows_json, run_named
from .routes_headline import (
    ASSESSMENT_SECTIONS,
    IMPACT_QUERY,
    ITEM_SECTIONS,
    ByType,
    assessment_iri,
    item_key,
    run_sections,
)
from .settings import settings_of

__all__ = ["router", "COLUMN_LABELS", "doc_id_of"]

router = APIRouter(tags=["web page"])
_HTML: dict[int | str, dict[str, object]] = {
    200: {"description": "An HTML page in Japanese", "content": {"text/html": {"example": "<!doctype html><html lang=\"ja\">…</html>"}}}
}
templates = Jinja2Templates(directory=str(resources.files("pia_kg.api") / "templates"))

#: Japanese headings for the columns the named queries return.
COLUMN_LABELS: dict[str, str] = {
    "table": "表",
    "version": "版",
    "valid_from": "施行日",
    "valid_until": "失効日",
    "item": "項番",
    "agency": "機関（情報照会者）",
    "jimu": "事務",
    "providers": "情報提供者",
    "deleted": "削除",
    "source": "出典（行）",
    "organization": "評価実施機関",
    "body": "団体",
    "department": "部署",
    "role": "区分",
    "assessment": "評価書",
    "cited_table": "引用された表",
    "cited_item": "引用された項番",
    "purpose": "用途",
    "meaning": "項の内容",
    "label": "項番",
    "text": "内容",
    "relation": "関係",
    "confidence": "確からしさ",
    "name": "名称",
    "file": "特定個人情報ファイル",
    "title": "名称",
    "contractor": "委託先",
    "reoutsourcing": "再委託",
    "recipient": "提供先",
    "date": "変更日",
    "section": "項目",
    "before": "変更前の記載",
    "after": "変更後の記載",
    "timing": "提出時期",
    "party": "相手先",
    "new_table": "改正後の表",
    "new_item": "改正後の項番",
    "change": "変更の種類",
    "level": "評価書の種類",
    "published": "公表日",
    "office": "所属長",
    "problem": "問題",
    "kind": "種類",
    "from_item": "改正前の項",
    "evidence": "根拠",
    "problem_kind": "問題の種類",
    "comment": "説明",
    "expected_table": "正しいと思われる表",
    "expected_item": "正しいと思われる項番",
    "reading": "読み方",
    "agreement": "用途と事務の一致度",
    "method": "解決方法",
    "article": "条項",
    "annex": "別紙",
    "line": "行",
}

#: Columns not worth a column on a page (IRIs the page already names).
_HIDDEN = {"item_iri", "assessment", "citation"}

#: The tables a person searches by (use and provision tables, not the detailing ordinances).
SEARCH_TABLES = [t.label for t in TABLES if t.kind in ("use", "provision")]


def doc_id_of(assessment: str) -> str | None:
    """The document id in an assessment IRI (``…/id/doc/{doc_id}/assessment/main``)."""
    prefix = str(document_iri("")).rstrip("/") + "/"
    if not assessment.startswith(prefix):
        return None
    return assessment[len(prefix) :].split("/", 1)[0]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "あり"
    if value is False:
        return "なし"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _table(section: Mapping[str, Any], hide: set[str] = _HIDDEN) -> dict[str, Any]:
    """A section as the template wants it: headings, rows of cells, or an error notice."""
    if "error" in section:
        return {"error": section["error"]}
    columns = [c for c in section["columns"] if c not in hide]
    return {
        "query": section.get("query"),
        "columns": [(c, COLUMN_LABELS.get(c, c)) for c in columns],
        "rows": [[(c, _cell(row.get(c))) for c in columns] for row in section["rows"]],
        "count": section["count"],
    }


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    context.setdefault("search_tables", SEARCH_TABLES)
    return templates.TemplateResponse(request, name, context, status_code=status)


def _failed(request: Request, name: str, context: dict[str, Any], exc: PiaKgError) -> HTMLResponse:
    context["error"] = {"type": type(exc).__name__, "message": str(exc)}
    return _render(request, name, context, status_for(exc))


def _assessment_list(request: Request) -> list[dict[str, Any]]:
    """One entry per loaded assessment (the query may give a row per department or office)."""
    result = run_named(request, "assessments", {})
    seen: dict[str, dict[str, Any]] = {}
    for row in result.values():
        iri = row.get("assessment") or ""
        if iri and iri not in seen:
            seen[iri] = {**row, "id": doc_id_of(iri)}
    return sorted(seen.values(), key=lambda r: r["id"] or "")


@router.get("/", response_class=HTMLResponse, responses=_HTML, summary="Web page: home (search forms, assessments)")
def home(request: Request) -> HTMLResponse:
    """The start page: search an item of a law table as of a date, the loaded assessments,
    an amendment's impact, and the SPARQL box."""
    context: dict[str, Any] = {"assessments": [], "assessments_error": None}
    try:
        context["assessments"] = _assessment_list(request)
    except PiaKgError as exc:
        context["assessments_error"] = str(exc)
    return _render(request, "home.html", context)


@router.get("/ui/item", response_class=HTMLResponse, responses=_HTML, summary="Web page: an item of a law table")
def item_page(
    request: Request,
    table: str = Query("番号法別表", description="Law table as written", examples=["番号法別表"]),
    item: str = Query("", description="Item number", examples=["81"]),
    as_of: str | None = Query(None, description="Date YYYY-MM-DD", examples=["2025-01-01"]),
) -> HTMLResponse:
    """What an item meant on a date, its lineage, and the departments and recipients under it."""
    context: dict[str, Any] = {"table": table, "item": item, "as_of": as_of or "", "sections": []}
    if not item.strip():
        return _failed(request, "item.html", context, ParameterError("項番を入力してください (item is required)", param="item"))
    try:
        label, number = item_key(table, item)
        context.update(table=label, item=number)
        found = run_sections(request, ITEM_SECTIONS, {"table": label, "item": number, "as_of": as_of or None})
    except PiaKgError as exc:
        return _failed(request, "item.html", context, exc)
    context["sections"] = [(s.key, s.label, _table(found[s.key])) for s in ITEM_SECTIONS]
    return _render(request, "item.html", context)


@router.get("/ui/assessments/{doc_id}", response_class=HTMLResponse, responses=_HTML, summary="Web page: one assessment")
def assessment_page(
    request: Request,
    doc_id: str = Path(description="Document id (the file stem)", examples=["001_57af33314b6a26f0"]),
) -> HTMLResponse:
    """One assessment: systems, files, 委託, 提供/移転 with their legal bases, history."""
    context: dict[str, Any] = {"doc_id": doc_id, "sections": [], "summary": None}
    try:
        iri = assessment_iri(request, doc_id)
        summary = [a for a in _assessment_list(request) if a["assessment"] == iri]
        context["summary"] = summary[0] if summary else None
        found = run_sections(request, ASSESSMENT_SECTIONS, {"assessment": ByType(iri=iri, string=doc_id)})
    except PiaKgError as exc:
        return _failed(request, "assessment.html", context, exc)
    context["sections"] = [(s.key, s.label, _table(found[s.key])) for s in ASSESSMENT_SECTIONS]
    return _render(request, "assessment.html", context)


@router.get("/ui/impact", response_class=HTMLResponse, responses=_HTML, summary="Web page: impact of an amendment")
def impact_page(
    request: Request,
    amendment: str = Query("2024-05-27", description="Date the amendment took effect", examples=["2024-05-27"]),
) -> HTMLResponse:
    """Which citations of the loaded assessments an amendment's renumbering breaks."""
    context: dict[str, Any] = {"amendment": amendment, "result": None}
    try:
        name = IMPACT_QUERY.query
        result = run_named(request, name, {"amendment": amendment})
    except PiaKgError as exc:
        return _failed(request, "impact.html", context, exc)
    section = {"query": name, "columns": result.variables, "rows": rows_json(result), "count": len(result.rows)}
    context["result"] = _table(section, hide=set())
    return _render(request, "impact.html", context)


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
        return _render(request, "sparql.html", context)
    from .sparql_protocol import UpdateRefusedError, sparql_operation

    settings = settings_of(request)
    try:
        if sparql_operation(query) == "update":
            raise UpdateRefusedError("read-only: SPARQL Update is not accepted")
        result = settings.run_client_sparql(query)
    except PiaKgError as exc:
        return _failed(request, "sparql.html", context, exc)
    if result.kind == "select":
        section = {"columns": result.variables, "rows": rows_json(result), "count": len(result.rows)}
        context["result"] = _table(section, hide=set())
    elif result.kind == "ask":
        context["boolean"] = result.boolean
    else:
        context["graph_text"] = result.graph.serialize(format="turtle") if result.graph is not None else ""
    return _render(request, "sparql.html", context)
