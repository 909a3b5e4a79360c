"""The headline and per-assessment queries are index lookups: Oxigraph's plan never builds a hash table over
the corpus's documents. Read from Oxigraph's own explanation (`oxigraph query --explain`),
so that an Oxigraph release that plans them otherwise (the LIMIT sub-selects and one-path
OPTIONAL bodies the queries rely on, see queries/departments_under_item.rq) fails here
rather than in a benchmark at 5,000 documents."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from derive.test_basis_links import UNION_FORM
from servers import oxigraph_binary

from pia_kg.law_stage import split_law_stage
from pia_kg.named_queries import bind_params, get_query, inject_values, without_order
from pia_kg.vocab import PREFIXES

#: Predicates whose triples grow with the corpus (documents and what is derived per document).
CORPUS_PREDICATES = {
    f"<{PREFIXES['pia']}{n}>"
    for n in (
        "meantItem", "resolvedItem", "citation", "numberUseBasis", "basisOf", "basisRole",
        "basisDepartment", "inAssessment", "citedTable", "citedItem", "source", "problem",
        "bodyName", "basisPurpose", "basisRecipient", "recipient", "purpose", "body",
        "file", "outsourcing", "contractorName", "order", "oldName", "newName", "renameKind",
        "recordedIn", "departmentAnswerRow", "recipientAnswerRow", "problemAnswerRow", "citationAnswerRows",
        "citationRowsOf", "citationRowsTable",
    )
} | {"<http://purl.org/dc/terms/title>", "<http://www.w3.org/ns/prov#wasDerivedFrom>"}


@pytest.fixture(scope="module")
def store_dir(law_dir: Path, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Law and seeds in an embedded store of its own, closed so that the CLI can open it."""
    from pia_kg.pipeline import load_documents, load_law_dir
    from pia_kg.store import open_store

    path = tmp_path_factory.mktemp("plans") / "store"
    store = open_store("oxigraph", path=path)
    load_law_dir(store, law_dir)
    load_documents(store, [seeds_dir], workers=1)
    store.close()
    return path


def _assessment(store_dir: Path) -> str:
    import pyoxigraph as ox

    s = ox.Store.read_only(str(store_dir))
    q = f"SELECT ?a WHERE {{ ?c <{PREFIXES['pia']}inAssessment> ?a }} ORDER BY ?a LIMIT 1"
    return next(iter(s.query(q, use_default_graph_as_union=True)))["a"].value


def _plan(store_dir: Path, tmp: Path, sparql: str) -> dict:
    query, explain = tmp / "q.rq", tmp / "plan.json"
    query.write_text(sparql, encoding="utf-8")
    subprocess.run(
        [oxigraph_binary(), "query", "--location", str(store_dir), "--query-file", str(query),
         "--union-default-graph", "--explain-file", str(explain), "--results-format", "tsv",
         "--results-file", str(tmp / "out.tsv")],
        check=True, capture_output=True, timeout=120,
    )
    return json.loads(explain.read_text(encoding="utf-8"))["plan"]


def _patterns(node: dict) -> list[str]:
    own = [node["name"]] if node["name"].startswith(("QuadPattern", "Path")) else []
    return own + [p for c in node.get("children", []) for p in _patterns(c)]


def _leftmost(node: dict) -> str:
    while node.get("children"):
        node = node["children"][0]
    return node["name"]


def _corpus_hash_builds(node: dict) -> list[str]:
    """Hash joins whose build side reads a corpus predicate (unless it starts from the bound
    parameters, a chain of lookups): work that grows with the corpus."""
    found = []
    name, children = node["name"], node.get("children", [])
    if "HashBuild" in name and len(children) == 2:
        build = children[1] if "HashBuildRight" in name else children[0]
        corpus = [p for p in _patterns(build) if any(pred in p for pred in CORPUS_PREDICATES)]
        if corpus and not _leftmost(build).startswith("StaticBindings"):
            found.append(f"{name} builds on {corpus[0]}")
    return found + [f for c in children for f in _corpus_hash_builds(c)]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("departments_under_item", {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}),
        ("departments_under_item", {"table": "番号法別表第一", "item": "94"}),
        ("recipients_under_item", {"table": "主務省令第2条の表", "item": "106", "as_of": "2025-01-01"}),
        ("citation_problems", {"assessment": "{a}"}),
        ("renumbering_impact", {"amendment": "2024-05-27", "assessment": "{a}"}),
        ("provisions", {"assessment": "{a}"}),
        ("provisions", {}),
        ("transfers", {"assessment": "{a}"}),
        ("transfers", {}),
        ("uncheckable_citations", {"assessment": "{a}"}),
        ("uncheckable_citations", {}),
        ("citation_checks", {"assessment": "{a}"}),
        ("citation_checks", {}),
        ("renumbering_impact", {"amendment": "2024-05-27"}),
        ("citation_resolutions", {"assessment": "{a}"}),
        ("assessment_history", {"assessment": "{a}"}),
        ("outsourcing", {"contractor": "富士通Japan株式会社"}),
        ("outsourcing", {"assessment": "{a}"}),
        ("outsourcing", {"assessment": "{a}", "contractor": "富士通Japan株式会社"}),
        ("outsourcing", {}),
        ("renames", {"name": "富士通株式会社北陸支社"}),
        ("renames", {"organization": "金沢市"}),
        ("renames", {"kind": "contractor"}),
        ("renames", {}),
        ("contractor_rows", {"contractor": "富士通Japan株式会社"}),
        ("assessments", {"body": "金沢市"}),
    ],
)
def test_headline_queries_build_no_hash_table_over_the_corpus(
    store_dir: Path, tmp_path: Path, name: str, params: dict[str, str]
) -> None:
    query = get_query(name)
    a = _assessment(store_dir)
    bindings = bind_params(query, {k: v.replace("{a}", a) for k, v in params.items()})
    plan = _plan(store_dir, tmp_path, inject_values(query.text, bindings))
    assert _patterns(plan), "no plan read"
    assert not _corpus_hash_builds(plan)


def test_the_check_sees_a_query_that_scans_the_corpus(store_dir: Path, tmp_path: Path) -> None:
    """The question as a UNION over the shapes (the form the queries had before the basis
    links): Oxigraph hash-joins what follows the UNION over every citation of the corpus."""
    query = get_query("departments_under_item")
    bindings = bind_params(query, {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"})
    sparql = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items()) + inject_values(UNION_FORM, bindings)
    assert _corpus_hash_builds(_plan(store_dir, tmp_path, sparql))


def _lookup_parent(node: dict, predicate: str) -> dict | None:
    """The join whose right side is the lookup of ``predicate`` (an IRI in angle brackets)."""
    children = node.get("children", [])
    if len(children) == 2 and children[1]["name"].startswith("QuadPattern") and predicate in children[1]["name"]:
        return node
    return next((found for c in children if (found := _lookup_parent(c, predicate))), None)


@pytest.mark.parametrize(
    ("name", "params", "rows"),
    [
        ("departments_under_item", {"table": "番号法別表第一", "item": "56", "as_of": "2023-01-01"},
         "departmentAnswerRow"),
        ("recipients_under_item", {"table": "主務省令第2条の表", "item": "106", "as_of": "2025-01-01"},
         "recipientAnswerRow"),
    ],
)
def test_item_queries_look_rows_up_once_per_meant_item(
    store_dir: Path, tmp_path: Path, name: str, params: dict[str, str], rows: str
) -> None:
    """The answer rows are looked up from a DISTINCT set of meant items: a law triple held in
    several graphs repeats the item rows, and each repeat read every citation again (10x on
    番号法別表第一 at 5,000 documents)."""
    query = get_query(name)
    plan = _plan(store_dir, tmp_path, inject_values(query.text, bind_params(query, params)))
    join = _lookup_parent(plan, f"<{PREFIXES['pia']}{rows}>")
    assert join is not None, "no lookup of the answer rows by meant item"
    names, node = [], join["children"][0]
    while node.get("children") and node["name"].startswith(("Slice", "Project", "Distinct")):
        names.append(node["name"])
        node = node["children"][0]
    assert any(n.startswith("Distinct") for n in names), names


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("departments_under_item", {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}),
        ("departments_under_item", {"table": "番号法別表第一", "item": "81"}),
        ("recipients_under_item", {"table": "主務省令第2条の表", "item": "106", "as_of": "2025-01-01"}),
    ],
)
def test_the_scan_after_the_law_stage_looks_rows_up(
    store_dir: Path, tmp_path: Path, name: str, params: dict[str, str]
) -> None:
    """What pia-kg sends once the law stage is read (pia_kg/law_stage.py): the rows of the
    stage's items, each a lookup from the VALUES, no hash table over the corpus."""
    import pyoxigraph as ox

    query = get_query(name)
    stage = split_law_stage(without_order(query.text), query.packed or "", query.law_stage or "")
    raw = ox.Store.read_only(str(store_dir))
    found = raw.query(inject_values(stage.stage, bind_params(query, params)), use_default_graph_as_union=True)
    items = sorted({f"<{r[stage.key].value}>" for r in found})
    assert items, "the stage found no item"
    del raw
    scan = stage.scan.replace(stage.VALUES_AT, f"VALUES ?{stage.key} {{ {' '.join(items)} }}\n")
    plan = _plan(store_dir, tmp_path, scan)
    assert _leftmost(plan).startswith("StaticBindings")
    assert not [n for n in _names(plan) if "HashBuild" in n]  # (a DISTINCT's hash set is no join)


def _names(node: dict) -> list[str]:
    return [node["name"]] + [n for c in node.get("children", []) for n in _names(c)]


@pytest.mark.parametrize("params", [{"as_of": "2025-01-01"}, {}])
def test_item_meaning_looks_its_item_up(store_dir: Path, tmp_path: Path, params: dict[str, str]) -> None:
    """From the bound labels to the item's node and its rows, each a lookup: no hash table
    over the law's items (a BIND of the parameters made Oxigraph build one: 15 ms, where
    the lookup takes 0.5)."""
    query = get_query("item_meaning")
    bindings = bind_params(query, {"table": "番号法別表", "item": "81", **params})
    plan = _plan(store_dir, tmp_path, inject_values(query.text, bindings))
    assert _leftmost(plan).startswith("StaticBindings")
    assert not [n for n in _names(plan) if "Hash" in n]


@pytest.mark.parametrize("one", [False, True])
def test_the_problems_of_a_report_start_where_they_are_few(store_dir: Path, tmp_path: Path, one: bool) -> None:
    """An impact report's problems (pia_kg/impact/report.py) are read from the problems for
    the whole corpus, from the assessments given for some: starting from every citation's
    assessment, Oxigraph probed each citation for a problem (6.9 s at 5,000 documents,
    against 0.74 s from the problems)."""
    from pia_kg.impact.report import problems_query

    plan = _plan(store_dir, tmp_path, problems_query([_assessment(store_dir)] if one else None))
    first = _leftmost(plan)
    if one:
        assert first.startswith("StaticBindings"), first
    else:
        assert first.startswith("QuadPattern") and f"<{PREFIXES['pia']}problem>" in first, first
