"""Change histories: renames linked to their entities, recorded renumberings checked.

Expected renames read from the 変更箇所 of the seeds: 001 (金沢市) line 393 (令和3年6月28日)
福祉局こども未来部子育て支援課 → こども未来局子育て支援課; line 402 (令和3年6月28日, ③委託先名)
富士通株式会社北陸支社 → 富士通Japan株式会社石川支社; line 420 (令和4年6月27日)
富士通Japan株式会社 石川支社 → 富士通Japan株式会社. 000 (静岡市) line 1116 (平成30年5月30日)
総務局行政管理部人事課 → 総務局人事課; line 1106 各福祉事務所保育児童課 → 各福祉事務所子育て支援課.
001 line 404 claims 別表第1 56 → 80 for 児童手当: the tables keep 児童手当 at 56 until 2024.
"""

from __future__ import annotations

import pytest

from pia_kg.derive.history import HISTORY_GRAPH
from pia_kg.named_queries import run_query, run_sparql

A001 = "https://w3id.org/pia-kg/id/doc/001_57af33314b6a26f0/assessment/main"


@pytest.fixture(scope="module")
def store(loaded_store):  # noqa: ANN001, ANN201
    return loaded_store  # the pipeline derives the history graph after every load


@pytest.fixture(scope="module")
def renames(store):  # noqa: ANN001, ANN201
    return run_query(store, "renames", {}).values()


def _has(renames, kind, old, new, date, line):  # noqa: ANN001, ANN202
    return [
        r for r in renames
        if (r["kind"], r["old"], r["new"], r["date"]) == (kind, old, new, date)
        and r["source"].endswith(f"#L{line}-L{line}")
    ]


@pytest.mark.parametrize(
    ("kind", "old", "new", "date", "line"),
    [
        ("department", "福祉局こども未来部子育て支援課", "こども未来局子育て支援課", "2021-06-28", 393),
        ("contractor", "富士通株式会社北陸支社", "富士通Japan株式会社石川支社", "2021-06-28", 402),
        ("contractor", "富士通Japan株式会社石川支社", "富士通Japan株式会社", "2022-06-27", 420),
        ("department", "総務局行政管理部人事課", "総務局人事課", "2018-05-30", 1116),
        ("department", "各福祉事務所保育児童課", "各福祉事務所子育て支援課", "2018-05-30", 1106),
    ],
)
def test_recorded_renames(renames, kind, old, new, date, line):  # noqa: ANN001
    assert _has(renames, kind, old, new, date, line)


def test_renames_filter_by_body(store):  # noqa: ANN001
    kanazawa = run_query(store, "renames", {"organization": "金沢市"}).values()
    assert kanazawa and all(r["source"].startswith("001_") for r in kanazawa)


def test_old_names_find_the_entity(store):  # noqa: ANN001
    """A query by a former name finds the unit or contractor that carries the name now."""
    q = """
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT DISTINCT ?label WHERE { ?x skos:altLabel ?old ; rdfs:label ?label .
      FILTER(STR(?old) = "%s") }
    """
    unit = {r["label"] for r in run_sparql(store, q % "福祉局こども未来部子育て支援課").values()}
    assert "こども未来局子育て支援課" in unit
    # Two renames in a row: 北陸支社 → 石川支社 → 富士通Japan株式会社 (the contractor in 001 now).
    contractor = {r["label"] for r in run_sparql(store, q % "富士通株式会社北陸支社").values()}
    assert contractor == {"富士通Japan株式会社"}


def test_assessment_history_timeline(store):  # noqa: ANN001
    rows = run_query(store, "assessment_history", {"assessment": A001}).values()
    dates = [r["date"] for r in rows if r["date"]]
    assert dates == sorted(dates)
    assert dates[0] == "2016-04-01" and dates[-1] == "2025-01-14"  # first and last 変更日 in 001
    row = next(r for r in rows if r["source"].endswith("#L402-L402"))
    assert "富士通株式会社北陸支社 → 富士通Japan株式会社石川支社" in row["renames"]
    assert row["timing"] == "事後"


def test_recorded_renumbering_contradicted_by_tables(store):  # noqa: ANN001
    q = f"""
    PREFIX pia: <https://w3id.org/pia-kg/ontology#>
    SELECT ?status ?oldItem ?newItem WHERE {{ GRAPH ?history {{
      ?r a pia:RecordedRenumbering ; pia:source ?src ; pia:checkStatus ?status ;
         pia:oldItem ?oldItem ; pia:newItem ?newItem .
      FILTER(STRENDS(?src, "001_57af33314b6a26f0.txt#L404-L404")) }}
      FILTER(STRSTARTS(STR(?history), "{HISTORY_GRAPH}/")) }}
    """
    rows = run_sparql(store, q).values()
    assert rows == [{"status": "contradicted", "oldItem": "56", "newItem": "80"}]
