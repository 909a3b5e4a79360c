"""Convenience routes for the headline questions, each a bundle of named queries.

* ``/items/{table}/{item}?as_of=`` — what an item meant on a date, its lineage across
  versions, and the departments and recipients whose data flows rest on it;
* ``/impact?amendment=`` — which citations an amendment's renumbering breaks;
* ``/assessments`` and ``/assessments/{id}`` — one assessment with its systems, files,
  委託, 提供/移転 with their legal bases, and its change history.

The routes hold no SPARQL: each section names a query in ``queries/*.rq`` and the values it
can bind; a value is passed only to a query that declares that parameter, so a section's
query can take fewer parameters than the route offers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from pia_kg.headlines import HEADLINES, assessment_key, item_key
from pia_kg.named_queries import get_query

from .downloads import asked_download
from .error_responses import error_responses
from .query_runner import rows_json, run_named, table_response
from .settings import settings_of

__all__ = [
    "router",
    "Section",
    "ITEM_SECTIONS",
    "ASSESSMENT_SECTIONS",
    "IMPACT_QUERY",
    "item_key",
    "assessment_iri",
    "run_sections",
    "ByType",
]

router = APIRouter(tags=["headline questions"])


@dataclass(frozen=True)
class Section:
    key: str  # JSON key
    label: str  # Japanese heading on the page
    query: str  # the named query that answers it


ITEM_SECTIONS: tuple[Section, ...] = (
    Section("meaning", "項の内容", "item_meaning"),
    Section("lineage", "改正による対応（系譜）", "item_lineage"),
    Section("departments", "この項を根拠とする部署（移転）", "departments_under_item"),
    Section("recipients", "この項を根拠とする提供先", "recipients_under_item"),
)

ASSESSMENT_SECTIONS: tuple[Section, ...] = (
    Section("systems", "システム", "systems"),
    Section("files", "特定個人情報ファイル", "files"),
    Section("outsourcing", "委託", "outsourcing"),
    Section("provisions", "提供（法令上の根拠）", "provisions"),
    Section("transfers", "移転（法令上の根拠）", "transfers"),
    Section("citations", "法令上の根拠の解決", "citation_problems"),
    Section("history", "変更箇所（履歴）", "assessment_history"),
)

IMPACT_QUERY = Section("impact", "改正の影響", "renumbering_impact")


class ByType(dict[str, object]):
    """One route value in several spellings, by the parameter type a query declares: an
    assessment is an ``iri`` to one query and a document id (``string``) to another."""


def run_sections(
    request: Request, sections: tuple[Section, ...], values: Mapping[str, object]
) -> dict[str, dict[str, object]]:
    """Each section's rows (``columns``, ``rows``, ``count``, ``query``); a value goes only to
    a query that declares that parameter.

    Parameter errors are not caught: a bad value is the caller's mistake for every section.
    """
    out: dict[str, dict[str, object]] = {}
    for section in sections:
        name = section.query
        params = {}
        for p in get_query(name).params:
            value = values.get(p.name)
            if isinstance(value, ByType):
                value = value.get(p.type)
            if value is not None:
                params[p.name] = value
        result = run_named(request, name, params)
        out[section.key] = {
            "query": name,
            "columns": result.variables,
            "rows": rows_json(result),
            "count": len(result.rows),
        }
    return out


def assessment_iri(request: Request, doc_id: str) -> str:
    """The assessment of the loaded document ``doc_id``; 404 naming the closest loaded ones."""
    return assessment_key(settings_of(request).store, doc_id, kind="assessment", iri=False)


_SECTIONS_EXAMPLE = {
    "content": {
        "application/json": {
            "example": {
                "table": "番号法別表",
                "item": "81",
                "as_of": "2025-01-01",
                "meaning": {"query": "item_meaning", "columns": ["agency", "jimu"], "rows": [], "count": 0},
                "departments": {"query": "departments_under_item", "columns": ["department"], "rows": [], "count": 0},
            }
        }
    }
}


@router.get(
    "/items/{table}/{item}",
    summary="An item of a law table: meaning, lineage, departments and recipients",
    responses={200: _SECTIONS_EXAMPLE, **error_responses(413, 422, 503, 504)},
)
def item_view(
    request: Request,
    table: str = Path(
        description="The law table as written (番号法別表, 別表第一, 番号法別表第2, 主務省令第2条の表)",
        examples=["番号法別表"],
    ),
    item: str = Path(description="The item number (81, 36の2, full-width digits are fine)", examples=["81"]),
    as_of: str | None = Query(
        None, description="Date (YYYY-MM-DD) whose table version is meant; default: every version", examples=["2025-01-01"]
    ),
) -> dict[str, object]:
    """What the item said on ``as_of``, how it was renumbered across versions, and which
    departments (移転) and recipients (提供) of the loaded assessments rest on it."""
    label, number = item_key(table, item)
    values = {"table": label, "item": number, "as_of": as_of}
    sections = run_sections(request, ITEM_SECTIONS, values)
    return {"table": label, "item": number, "as_of": as_of, **law_status_of(sections), **sections}


def law_status_of(sections: Mapping[str, Mapping[str, object]]) -> dict[str, object]:
    """``law_status`` and ``law_note`` of the answer, as the item's meaning rows give them
    (held, approximate, not-held: see the named queries); {} when no row says."""
    for key in ("meaning", "lineage"):
        rows = sections.get(key, {}).get("rows") or []
        for row in rows:  # type: ignore[union-attr]
            if isinstance(row, Mapping) and row.get("law_status"):
                return {"law_status": row["law_status"], "law_note": row.get("law_note") or ""}
    return {}


@router.get(
    "/headlines",
    summary="The headline questions: each with its named query, parameters and page",
    responses={200: {"content": {"application/json": {"example": {"headlines": [
        {"question": "…", "question_ja": "…", "query": "assessments", "params": {}, "api": "/queries/assessments",
         "page": "/#assessments"}]}}}}},
)
def headlines() -> dict[str, object]:
    """The questions the CLI's ``demo`` and the home page answer (one list: ``pia_kg.headlines``)."""
    return {"headlines": [
        {"question": h.question, "question_ja": h.question_ja, "query": h.query, "params": h.params,
         "api": h.api, "page": h.page} for h in HEADLINES]}


@router.get(
    "/impact",
    summary="Impact of an amendment: the citations its renumbering breaks",
    responses={
        200: {"content": {"application/json": {"example": {"query": "renumbering_impact", "columns": [], "rows": [], "count": 0}}}},
        **error_responses(406, 413, 422, 503, 504),
    },
)
def impact(
    request: Request,
    amendment: str | None = Query(
        None, description="The amendment (its effective date, e.g. 2024-05-27); default: every one held", examples=["2024-05-27"]
    ),
    fmt: str | None = Query(None, alias="_format", description="json (default) or csv", examples=["csv"]),
) -> Response:
    """Every assessment citation whose item an amendment renumbered, with the new item and
    how sure the correspondence is. Other parameters of the impact query may be given too."""
    name = IMPACT_QUERY.query
    params = {k: v for k, v in request.query_params.items() if not k.startswith("_")}
    if (download := asked_download(request, name, params, fmt)) is not None:  # every row: no cap
        return download
    result = run_named(request, name, params)
    return table_response(request, result, fmt=fmt, meta={"query": name, "params": params})


@router.get(
    "/assessments",
    summary="The loaded assessments",
    responses={200: {"content": {"application/json": {"example": {"query": "assessments", "rows": [], "count": 0}}}}, **error_responses(413, 503, 504)},
)
def assessments(
    request: Request,
    fmt: str | None = Query(None, alias="_format", description="json (default) or csv", examples=["csv"]),
) -> Response:
    """Every loaded assessment with its body, title, level and date (from the ``assessments``
    named query); ``id`` is the document id to use in ``/assessments/{id}``."""
    if (download := asked_download(request, "assessments", {}, fmt)) is not None:  # every row: no cap
        return download
    result = run_named(request, "assessments", {})
    return table_response(request, result, fmt=fmt, meta={"query": "assessments"})


@router.get(
    "/assessments/{doc_id}",
    summary="One assessment: systems, files, 委託, 提供/移転 with legal bases, history",
    responses={200: _SECTIONS_EXAMPLE, **error_responses(404, 413, 503, 504)},
)
def assessment_view(
    request: Request,
    doc_id: str = Path(description="Document id (the file stem)", examples=["000_446cb3177695f62c"]),
) -> dict[str, object]:
    """Everything extracted from one assessment, section by section; each row carries its
    ``source`` (file and lines) where the query returns it."""
    iri = assessment_iri(request, doc_id)
    values = {"assessment": ByType(iri=iri, string=doc_id)}
    return {"id": doc_id, "assessment": iri, **run_sections(request, ASSESSMENT_SECTIONS, values)}
