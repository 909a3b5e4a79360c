"""The named queries the issues promise: their names, parameters and leading columns, in order.

A query may add columns after the promised ones (e.g. a line number for sorting), never
before or between them, so clients that read columns by position keep working.
"""

from __future__ import annotations

import pytest

from pia_kg.named_queries import get_query, run_query

CONTRACTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (parameters, leading columns)
    "assessments": ((), ("assessment", "organization", "body", "title", "level", "published", "office", "department", "source")),
    "systems": ((), ("assessment", "name", "source")),
    "files": ((), ("assessment", "name", "source")),
    "outsourcing": ((), ("assessment", "file", "title", "contractor", "reoutsourcing", "source")),
    "transfers": ((), ("assessment", "file", "department", "table", "item", "purpose", "source")),
    "provisions": ((), ("assessment", "file", "recipient", "table", "item", "purpose", "source")),
    "changes": ((), ("assessment", "date", "section", "before", "after", "timing", "source")),
    "departments-under-item": (
        ("table", "item", "as_of"),
        ("organization", "department", "role", "assessment", "cited_table", "cited_item", "purpose", "meaning", "source"),
    ),
    "recipients-under-item": (("table", "item", "as_of"), ()),
    "item-lineage": (("table", "item", "as_of"), ("version", "label", "text", "relation", "confidence")),
    "citation-problems": (
        ("assessment",),
        ("assessment", "source", "cited_table", "cited_item", "purpose", "problem", "expected_table", "expected_item", "evidence"),
    ),
    "renumbering-impact": (
        ("amendment", "assessment"),
        ("assessment", "organization", "source", "role", "party", "cited_table", "cited_item", "meaning", "new_table", "new_item", "change", "confidence"),
    ),
    "citation-checks": (
        ("assessment",),
        ("assessment", "document", "title", "citations", "resolved", "problem", "not_checkable", "unchecked"),
    ),
    "assessment-history": (("assessment",), ("date", "section", "before", "after", "timing", "renames")),
    "renames": (("organization",), ("kind", "old", "new", "date", "assessment", "source")),
}


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_named_query_keeps_its_contract(name: str) -> None:
    params, columns = CONTRACTS[name]
    q = get_query(name)
    declared = [p.name for p in q.params]
    for p in params:
        assert p in declared, f"{name}: parameter {p} missing (has {declared})"
    from pia_kg.store import open_store

    required = {p.name: p.example for p in q.params if p.required}
    variables = run_query(open_store("oxigraph"), name, required).variables
    assert tuple(variables[: len(columns)]) == columns, f"{name}: columns {variables}"


# Every answer that reads the law as of a date says how far the law held answers (issue 13).
LAW_STATUS_QUERIES = (
    "item-meaning",
    "item-lineage",
    "departments-under-item",
    "recipients-under-item",
    "citation-problems",
    "renumbering-impact",
)


@pytest.mark.parametrize("name", LAW_STATUS_QUERIES)
def test_law_reading_queries_end_with_law_status(name: str) -> None:
    q = get_query(name)
    from pia_kg.store import open_store

    required = {p.name: p.example for p in q.params if p.required}
    variables = run_query(open_store("oxigraph"), name, required).variables
    assert "law_status" in variables, f"{name}: columns {variables}"
    assert variables.index("law_status") >= len(CONTRACTS.get(name, ((), ()))[1])
