"""The law as it really was: revisions not held, item facts, and the law status of a date.

Expected values read from ../shared/law (SOURCES.md "Revisions not held as tables",
law_revisions.tsv, bango_item_status_known.tsv), not from the code:
- held versions of 番号法 tables start 2020-12-12, 2024-05-18 and 2024-05-27;
- e-Gov lists revisions from 2022-01-11 (425AC0000000027_20220111_501AC0000000017) on, and
  2026-10-01 (…_20261001_507AC0000000087) among those after 2024-05-27;
- 令和3年法律第37号 附則第1条: 別表 amendments 2021-05-19, the 第19条 号 shift 2021-09-01;
- 別表第二 121 and 7の2 are present in the 2022-01-11 revision; 番号法別表 133の2 in 2026-10-01.
"""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import URIRef

from pia_kg.derive.citation_check import LawContext, check_citation
from pia_kg.derive.citation_dates import AsOf
from pia_kg.derive.law_status import periods_from_store, status_on
from pia_kg.derive.resolution_inputs import CitationRow, read_item_facts, read_law
from pia_kg.loaders.law.catalog import KNOWN_REVISIONS
from pia_kg.named_queries import run_query

D = dt.date


@pytest.fixture(scope="module")
def periods(loaded_store):  # noqa: ANN001, ANN201
    return periods_from_store(loaded_store)


@pytest.mark.parametrize(
    ("table", "date", "status", "missing"),
    [
        ("bango-beppyo2", D(2021, 1, 1), "held", None),
        ("bango-beppyo2", D(2022, 6, 1), "approximate", "425AC0000000027_20220111_501AC0000000017"),
        ("bango-beppyo2", D(2023, 6, 1), "approximate", "425AC0000000027_20230401_505AC0000000003"),
        ("bango-beppyo1", D(2024, 5, 20), "held", None),
        ("bango-beppyo", D(2024, 5, 27), "held", None),
        ("bango-beppyo", D(2026, 11, 30), "approximate", "425AC0000000027_20261001_507AC0000000087"),
        ("bango-beppyo1", D(2016, 1, 1), "not-held", None),
        ("shumu-shorei-art2", D(2025, 1, 14), "held", None),
    ],
)
def test_law_status_of_dates(periods, table, date, status, missing) -> None:  # noqa: ANN001
    p = status_on(periods, table, date)
    assert p is not None and p.status == status
    if missing:
        assert missing in p.missing and missing in p.note
    else:
        assert p.missing == ()


def test_2021_revisions_are_firm_dates_with_their_source(periods) -> None:  # noqa: ANN001
    by_id = {r.revision_id: r for r in KNOWN_REVISIONS}
    tables = by_id["425AC0000000027_20210519_503AC0000000037"]
    shift = by_id["425AC0000000027_20210901_503AC0000000037"]
    assert (tables.date, shift.date) == (D(2021, 5, 19), D(2021, 9, 1))
    assert "附則第1条" in tables.source and "附則第1条" in shift.source
    # The snapshot is held from 2020-12-12 until the 2021-05-19 revision, not held after it.
    assert status_on(periods, "bango-beppyo2", D(2021, 5, 18)).status == "held"
    after = status_on(periods, "bango-beppyo2", D(2021, 5, 19))
    assert after.status == "approximate" and after.missing == (tables.revision_id,)


def test_amendment_2021_09_01_is_no_longer_approximate() -> None:
    from pia_kg.impact.amendment import amendment_by_key

    a = amendment_by_key("2021-09-01")
    assert a.date == D(2021, 9, 1) and "approximate" not in a.note and "附則第1条" in a.note


def test_revisions_are_versions_of_the_law_in_the_graph(loaded_store) -> None:  # noqa: ANN001
    rows = loaded_store.query(
        "PREFIX pia: <https://w3id.org/pia-kg/ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#>"
        " SELECT ?id ?held WHERE { ?r a pia:LawRevision ; eli:id_local ?id ; pia:lawId '425AC0000000027' ."
        " OPTIONAL { ?r pia:held ?held } }"
    ).rows
    ids = {str(i): h is not None for i, h in rows}
    assert len(ids) == 70 + 3  # the 70 of law_revisions.tsv for 番号法, plus the three of catalog.toml
    assert ids["425AC0000000027_20240518_503AC0000000039"] and ids["425AC0000000027_20201212_502AC0000000044"]
    assert not ids["425AC0000000027_20220111_501AC0000000017"]


def _cite(table: str, item: str, purpose: str | None = None) -> CitationRow:
    return CitationRow(
        iri=URIRef("https://example.org/c"), doc=URIRef("https://example.org/d"), table=table, item=item,
        article="番号法第19条第8号" if "第二" in table else "番号法第9条第1項", written=None, basis=None,
        source=None, owner=URIRef("https://example.org/o"), role="provision" if "第二" in table else "transfer",
        purpose=purpose, recipient=None,
    )


@pytest.fixture(scope="module")
def law(loaded_store, periods):  # noqa: ANN001, ANN201
    return LawContext(read_law(loaded_store), periods, read_item_facts(loaded_store))


@pytest.mark.parametrize(
    ("table", "item", "date"),
    [("番号法別表第二", "121", D(2023, 6, 1)), ("番号法別表第二", "7の2", D(2022, 6, 1)),
     ("番号法別表", "133の2", D(2026, 11, 30))],
)
def test_an_item_a_held_fact_shows_in_force_is_never_unknown(law, table, item, date) -> None:  # noqa: ANN001
    r = check_citation(_cite(table, item), AsOf(date, "published", "t"), law)
    assert r.problems == [] and r.check == "not-checkable"
    assert r.law_status == "approximate" and r.not_checkable.startswith("item text not held")


def test_without_the_facts_the_same_citation_was_an_unknown_item(law) -> None:  # noqa: ANN001
    bare = LawContext(law.versions, law.periods, ())
    r = check_citation(_cite("番号法別表第二", "121"), AsOf(D(2023, 6, 1), "published", "t"), bare)
    assert [p.kind for p in r.problems] == ["unknown-item"]


def test_an_item_a_fact_shows_deleted_is_a_deleted_item(law) -> None:  # noqa: ANN001
    # 別表第二 21 is in the 2020-12-12 snapshot, deleted by the 2022-01-11 revision.
    r = check_citation(_cite("番号法別表第二", "21"), AsOf(D(2023, 6, 1), "published", "t"), law)
    assert [p.kind for p in r.problems] == ["deleted-item"]
    assert "bango_item_status_known.tsv" in r.problems[0].evidence


@pytest.mark.parametrize("as_of", ["2022-06-01", "2023-06-01"])
def test_item_meaning_of_an_item_only_a_revision_not_held_has(loaded_store, as_of) -> None:  # noqa: ANN001
    rows = run_query(loaded_store, "item-meaning", {"table": "番号法別表第二", "item": "121", "as_of": as_of}).dicts()
    assert [(str(r["version"]), str(r["law_status"])) for r in rows] == [
        ("425AC0000000027_20220111_501AC0000000017", "approximate")
    ]
    assert "not held" in str(rows[0]["law_note"])


def test_item_meaning_in_an_unheld_window_names_the_missing_revisions(loaded_store) -> None:  # noqa: ANN001
    rows = run_query(loaded_store, "item-meaning", {"table": "番号法別表", "item": "81", "as_of": "2026-11-30"}).dicts()
    assert [(str(r["version"]), str(r["law_status"])) for r in rows] == [("2024-05-27", "approximate")]
    assert "425AC0000000027_20261001_507AC0000000087" in str(rows[0]["law_note"])
    held = run_query(loaded_store, "item-meaning", {"table": "番号法別表", "item": "81", "as_of": "2024-05-28"}).dicts()
    assert [str(r["law_status"]) for r in held] == ["held"]


def test_item_meaning_and_lineage_agree_before_the_earliest_version(loaded_store) -> None:  # noqa: ANN001
    params = {"table": "番号法別表第一", "item": "81", "as_of": "2016-06-01"}
    meaning = run_query(loaded_store, "item-meaning", params).dicts()
    lineage = run_query(loaded_store, "item-lineage", params).dicts()
    assert [str(r["version"]) for r in meaning] == ["2020-12-12"]
    assert any(str(r["version"]).endswith("(2020-12-12)") and str(r["label"]) == "81" for r in lineage)
    assert {str(r["law_status"]) for r in meaning} == {str(r["law_status"]) for r in lineage} == {"not-held"}


@pytest.mark.parametrize("name", ["departments-under-item", "recipients-under-item"])
def test_item_questions_carry_the_law_status(loaded_store, name) -> None:  # noqa: ANN001
    table = "番号法別表" if name.startswith("departments") else "主務省令第2条の表"
    item = "81" if name.startswith("departments") else "106"
    rows = run_query(loaded_store, name, {"table": table, "item": item, "as_of": "2025-01-14"}).dicts()
    assert rows and {str(r["law_status"]) for r in rows} == {"approximate" if table == "番号法別表" else "held"}


# --- every citation of the seeds comes to an answer (issue 13) ---------------------------

# Counted from the seed texts: 001 L37 (事務の内容) cites 番号法の別表第1の項番81 in a document
# published 2025-01-14; 003 L63-L68 quotes 別紙2 rows 49, 68, 76, 84 of 別表第一, 84 with the
# 健康増進法 purpose of 76; 004 cites only 住基法 / 群馬県 条例 tables and articles.
SEED_CHECKS = {
    "000_446cb3177695f62c.txt": (144, 0, 6),
    "001_57af33314b6a26f0.txt": (5, 10, 3),
    "002_aa3841ff71230e60.txt": (112, 1, 47),
    "003_629faf11296c78e3.txt": (3, 1, 0),
    "004_3b0bc6d58fb0621c.txt": (0, 0, 8),
}


def test_every_seed_citation_is_resolved_a_problem_or_not_checkable(loaded_store) -> None:  # noqa: ANN001
    rows = {str(r["document"]): r for r in run_query(loaded_store, "citation-checks").dicts()}
    assert set(rows) == set(SEED_CHECKS)
    for doc, (resolved, problem, uncheckable) in SEED_CHECKS.items():
        r = rows[doc]
        counts = tuple(int(r[k].toPython()) for k in ("resolved", "problem", "not_checkable"))
        assert int(r["unchecked"].toPython()) == 0, doc
        assert sum(counts) == int(r["citations"].toPython()), doc
        assert counts == (resolved, problem, uncheckable), (doc, counts)


def test_every_uncheckable_citation_says_why(loaded_store) -> None:  # noqa: ANN001
    rows = run_query(loaded_store, "uncheckable-citations").dicts()
    assert len(rows) == sum(c[2] for c in SEED_CHECKS.values())
    kinds = {str(r["reason_kind"]) for r in rows}
    assert kinds <= {"table not held", "no table cited", "no item cited", "item text not held", "no date"}
    tables = {str(r["cited_table"]) for r in rows if str(r["reason_kind"]) == "table not held" and r["cited_table"]}
    assert "住民基本台帳法別表第五" in tables and "群馬県住民基本台帳法施行条例別表第一" in tables
    assert any(t.startswith("旭川市") and t.endswith("条例別表第一") for t in tables)
    articles = {str(r["article"]) for r in rows if r["article"]}
    assert any("第9条第2項" in a for a in articles)


def test_the_four_known_real_problems_of_the_seeds_are_found(loaded_store) -> None:  # noqa: ANN001
    found = {
        (str(r["source"]).split("#")[0][:3], str(r["cited_table"]), str(r["cited_item"]), str(r["problem"]),
         str(r["expected_item"]))
        for r in run_query(loaded_store, "citation-problems").dicts()
    }
    # The free-text citation of 001 (別表第一 no longer in force on 2025-01-14) and the 別紙
    # row of 003 quoted in its change list were never extracted before issue 13.
    assert ("001", "番号法別表第一", "81", "not-in-force", "81") in found
    assert ("003", "番号法別表第一", "84", "number-text-mismatch", "76") in found
    assert ("001", "主務省令第2条の表", "106", "wrong-table", "81") in found
    assert ("002", "番号法別表", "61の2", "unknown-item", "61") in found


def test_the_cli_prints_the_law_status_line() -> None:
    import subprocess
    import sys
    from pathlib import Path

    from api_support import seeded_store_dir

    cmd = [str(Path(sys.executable).with_name("pia-kg")), "--store", str(seeded_store_dir()), "query",
           "item-meaning", "-p", "table=番号法別表第二", "-p", "item=121", "-p", "as_of=2023-06-01"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "law status: approximate" in proc.stderr
    assert "425AC0000000027_20220111_501AC0000000017" in " ".join(proc.stderr.split())
