"""The headline questions: each a named query with its parameters and the columns that answer it.

One list for the CLI's ``demo``, the home page and ``/headlines``: each a question (English and
Japanese), the named query and parameters that answer it, the columns the demo shows, and the
web page that shows the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from pia_kg.errors import ParameterError, UnknownNameError
from pia_kg.store import Store

__all__ = ["HEADLINES", "Headline", "item_key", "assessment_key", "unknown_document", "TABLE_EXAMPLES"]

TABLE_EXAMPLES = "番号法別表, 番号法別表第一, 番号法別表第二, 主務省令第2条の表"


def assessment_key(store: Store, value: str, *, kind: str = "document", iri: bool = True) -> str:
    """The assessment IRI for what a person typed: a loaded document's id (its file stem,
    ``001_57af33314b6a26f0``, ``.txt`` allowed) or, with ``iri``, an IRI, kept as it is. The
    document is looked up by its graph's name, not found in a listing of every graph (a
    national store holds a hundred thousand).

    UnknownNameError (``kind``) when no such document is loaded.
    """
    from pia_kg.vocab import document_graph, fact_iri

    if iri and ":" in value:
        return value
    doc_id = value.strip().removesuffix(".txt")
    if not store.graphs_held([document_graph(doc_id)]):
        raise unknown_document(store, value, kind=kind)
    return str(fact_iri(doc_id, "assessment", "main"))


def unknown_document(store: Store, name: str, *, kind: str = "document") -> UnknownNameError:
    """The error for a document the store does not hold, naming the closest loaded ones (a
    listing of every graph: only on this error path)."""
    from pia_kg.vocab import document_graph

    prefix = str(document_graph(""))
    known = [str(g)[len(prefix) :] for g in store.named_graphs() if str(g).startswith(prefix)]
    return UnknownNameError(kind, name, known)


def bodies_named(names: Iterable[str], name: str) -> list[str]:
    """The spellings among ``names`` of the body a person typed as ``name``: compared in the
    folded form of search (width, case, spacing), so ``静 岡市`` finds 静岡市.

    >>> bodies_named(["静岡市", "静岡 市", "浜松市"], "静　岡市")
    ['静岡市', '静岡 市']
    """
    from pia_kg.search import fold

    key = fold(name)
    return [n for n in names if n and fold(n) == key]


def body_assessments(store: Store, name: str) -> list[str]:
    """The IRIs of the assessments of the body a person typed as ``name``, each spelling
    looked up by ``pia:bodyName`` (the body's work, not the corpus's).

    UnknownNameError when no loaded assessment names such a body (naming the closest).
    """
    from pia_kg.named_queries import run_query

    every = [r.get("body") or "" for r in run_query(store, "body_names").values()]
    spellings = bodies_named(every, name)
    iris = sorted({
        r["assessment"] for b in spellings
        for r in run_query(store, "assessments", {"body": b}).values() if r.get("assessment")
    })
    if not iris:
        raise UnknownNameError("body", name, sorted(set(every) - {""}))
    return iris


def item_key(table: str, item: str) -> tuple[str, str]:
    """The canonical table label and item label for what a person typed.

    >>> item_key("別表第1", "８１")
    ('番号法別表第一', '81')

    ParameterError when no known table is named (``番号法別表第三``) or the item is not an
    item number (``-1``, ``81"@en``).
    """
    from pia_kg.errors import NotationError
    from pia_kg.text.citation import canonical_table_label
    from pia_kg.text.items import normalize_item_label
    from pia_kg.text.legal import TABLES

    label = canonical_table_label(table)
    if label is None or label not in {t.label for t in TABLES}:
        raise ParameterError(f"{table!r} names no law table; e.g. {TABLE_EXAMPLES}", param="table")
    try:
        number = normalize_item_label(item)
    except (NotationError, ValueError):
        number = ""
    if not number:
        raise ParameterError(f"{item!r} is not an item number (e.g. 81, 36の2)", param="item")
    return label, number

@dataclass(frozen=True)
class Headline:
    """A question people ask, the named query that answers it, and the page that shows it."""

    question: str  # English, for the CLI demo
    question_ja: str  # Japanese, for the pages
    query: str
    params: dict[str, str]
    columns: tuple[str, ...]  # the columns the CLI demo shows
    page: str  # the web page that answers it

    @property
    def api(self) -> str:
        """The REST route of the named query with these parameters."""
        return f"/queries/{self.query}" + ("?" + urlencode(self.params) if self.params else "")


_FLOW = ("organization", "department", "role", "cited_table", "cited_item", "source")

HEADLINES: tuple[Headline, ...] = (
    Headline(
        "Assessments loaded", "読み込まれた評価書", "assessments", {},
        ("organization", "title", "level", "published", "department", "source"), "/#assessments",
    ),
    Headline(
        "Which departments receive data under 番号法別表 item 81, as of 2025-01-01?",
        "2025年1月1日時点で、番号法別表 第81項（児童手当）を根拠に特定個人情報を受け取る部署は？",
        "departments_under_item", {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}, _FLOW,
        "/ui/item?" + urlencode({"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}),
    ),
    Headline(
        "And under 番号法別表第一 item 81 as of 2023-01-01 (a different 事務)?",
        "2023年1月1日時点の番号法別表第一 第81項（別の事務）では？",
        "departments_under_item", {"table": "番号法別表第一", "item": "81", "as_of": "2023-01-01"}, _FLOW,
        "/ui/item?" + urlencode({"table": "番号法別表第一", "item": "81", "as_of": "2023-01-01"}),
    ),
    Headline(
        "What did the 2024-05-27 renumbering break, and what should each citation say now?",
        "2024年5月27日の別表の組み替えで、どの記載を直すべきか？",
        "renumbering_impact", {"amendment": "2024-05-27"},
        ("organization", "party", "cited_table", "cited_item", "new_table", "new_item", "change", "source"),
        "/ui/impact?amendment=2024-05-27",
    ),
    Headline(
        "Citations that were wrong when written", "書かれた時点で誤っていた法令上の根拠は？",
        "citation_problems", {},
        ("source", "cited_table", "cited_item", "problem", "expected_table", "expected_item"),
        "/ui/problems",
    ),
)
