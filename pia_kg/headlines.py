"""The headline questions: each a named query with its parameters and the columns that answer it.

One list for the CLI's ``demo`` and the pages. Each entry: (question, named query, parameters,
the columns shown).
"""

from __future__ import annotations

HEADLINES: tuple[tuple[str, str, dict[str, str], tuple[str, ...]], ...] = (
    (
        "Assessments loaded",
        "assessments",
        {},
        ("organization", "title", "level", "published", "department", "source"),
    ),
    (
        "Which departments receive data under 番号法別表 item 81, as of 2025-01-01?",
        "departments_under_item",
        {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"},
        ("organization", "department", "role", "cited_table", "cited_item", "source"),
    ),
    (
        "And under 番号法別表第一 item 81 as of 2023-01-01 (a different 事務)?",
        "departments_under_item",
        {"table": "番号法別表第一", "item": "81", "as_of": "2023-01-01"},
        ("organization", "department", "role", "cited_table", "cited_item", "source"),
    ),
    (
        "What did the 2024-05-27 renumbering break, and what should each citation say now?",
        "renumbering_impact",
        {"amendment": "2024-05-27"},
        ("organization", "party", "cited_table", "cited_item", "new_table", "new_item", "change", "source"),
    ),
    (
        "Citations that were wrong when written",
        "citation_problems",
        {},
        ("source", "cited_table", "cited_item", "problem", "expected_table", "expected_item"),
    ),
)
