"""Amendment impact on the seeds: the 2024-05-27 renumbering, the 2021 号 shift, a what-if.

Expected pairs were read by hand: the row, line and cited item from seed 000's 別紙1/別紙2,
the successor item from the law TSVs (old 別表第一 56 児童手当 = new 別表 81; 37 児童扶養手当
= 56; 36の2 災害対策基本法 避難行動要支援者 = 55; 98 難病 特定医療費 = 131; old 別表第二 74
児童手当 = 主務省令第2条の表 106; 57 児童扶養手当 = 81; 85の2 特定優良賃貸住宅 = 124; 117
年金生活者支援給付金 = 156; 30 社会福祉協議会 has no counterpart). 58 and 83 are the
counts the document gives for its 提供/移転 (「提供を行っている (58) 件」「移転を行っている (83) 件」)
and the last No. of 別紙1 and 別紙2.
"""

from __future__ import annotations

import json

import pytest

from pia_kg.errors import LoaderError, UnknownNameError
from pia_kg.impact.amendment import ArticleRenumbering, amendment_by_key, read_what_if
from pia_kg.impact.render import to_csv, to_json
from pia_kg.impact.report import build_impact_report, build_what_if_report
from pia_kg.named_queries import get_query, run_query

A000 = "https://w3id.org/pia-kg/id/doc/000_446cb3177695f62c/assessment/main"
DOC000 = "000_446cb3177695f62c.txt"
CONTRACT = [
    "assessment", "organization", "source", "role", "party", "cited_table", "cited_item",
    "meaning", "new_table", "new_item", "change", "confidence",
]


@pytest.fixture(scope="module")
def store(loaded_store):  # noqa: ANN001, ANN201
    return loaded_store


@pytest.fixture(scope="module")
def report(store):  # noqa: ANN001, ANN201
    return build_impact_report(store, amendment_by_key("2024-05-27"))


def _at(rows, line: int):  # noqa: ANN001, ANN202
    return [r for r in rows if r.source == f"{DOC000}#L{line}-L{line}"]


@pytest.mark.parametrize(
    ("line", "cited_table", "cited_item", "new_table", "new_item", "change"),
    [
        (448, "番号法別表第一", "56", "番号法別表", "81", "renumbered"),  # 総務局 人事課
        (449, "番号法別表第一", "56", "番号法別表", "81", "renumbered"),  # merged cell below
        (450, "番号法別表第一", "56", "番号法別表", "81", "renumbered"),
        (425, "番号法別表第一", "37", "番号法別表", "56", "renumbered"),
        (424, "番号法別表第一", "36の2", "番号法別表", "55", "renumbered"),
        (478, "番号法別表第一", "98", "番号法別表", "131", None),
        (359, "番号法別表第二", "74", "主務省令第2条の表", "106", "renumbered"),
        (349, "番号法別表第二", "57", "主務省令第2条の表", "81", "renumbered"),
        (363, "番号法別表第二", "85の2", "主務省令第2条の表", "124", "renumbered"),
        (384, "番号法別表第二", "117", "主務省令第2条の表", "156", None),
        (337, "番号法別表第二", "30", "主務省令第2条の表", "", "deleted"),
    ],
)
def test_hand_verified_pairs(report, line, cited_table, cited_item, new_table, new_item, change):  # noqa: ANN001
    rows = _at(report.rows, line)
    assert len(rows) == 1, rows
    r = rows[0]
    assert (r.cited_table, r.cited_item, r.new_table, r.new_item) == (cited_table, cited_item, new_table, new_item)
    assert r.organization == "静岡市"
    if change:
        assert r.change == change
    assert 0 < r.confidence <= 1
    assert r.corrected == ("" if change == "deleted" else f"{new_table} {new_item}の項")


def test_every_annex_row_of_seed_000_is_reported(report):  # noqa: ANN001
    """58 rows in 別紙1, 83 in 別紙2: each is in the impact rows or among the problems."""
    for annex, expected in (("別紙1", 58), ("別紙2", 83)):
        in_rows = {r.source for r in report.rows if r.annex == annex and r.source.startswith(DOC000)}
        lines = set(range(324, 386)) if annex == "別紙1" else set(range(390, 479))
        problem_sources = {p.source for p in report.problems if p.source.startswith(DOC000)}
        annex_problems = {s for s in problem_sources if int(s.split("#L")[1].split("-")[0]) in lines}
        assert len(in_rows | annex_problems) == expected, annex
        assert not in_rows & annex_problems, "a citation is both broken and already wrong"
        assert all(r.new_table for r in report.rows if r.annex == annex)


def test_seed_002_new_numbering_is_not_broken(report):  # noqa: ANN001
    assert [r for r in report.rows if "002_aa3841ff71230e60" in r.source] == []


def test_problems_are_never_mixed_into_rows(report):  # noqa: ANN001
    assert not {(p.source, p.cited_item) for p in report.problems} & {(r.source, r.cited_item) for r in report.rows}


def test_counts_match_rows_and_json(report):  # noqa: ANN001
    counts = report.counts()
    assert sum(sum(k.values()) for k in counts.values()) == len(report.rows)
    data = json.loads(to_json(report))
    assert data["counts"] == counts
    assert len(data["rows"]) == len(report.rows)
    assert to_csv(report).count("\n") == len(report.rows) + 1


def test_named_query_contract_and_assessment_filter(store, report):  # noqa: ANN001
    q = get_query("renumbering-impact")
    assert [p.name for p in q.params] == ["amendment", "assessment"]
    result = run_query(store, "renumbering_impact", {"amendment": "2024-05-27", "assessment": A000})
    assert result.variables[: len(CONTRACT)] == CONTRACT
    assert {row["assessment"] for row in result.values()} == {A000}
    assert len(result.rows) == len([r for r in report.rows if r.assessment == A000])


def test_named_query_rows_come_in_the_documented_order(store):  # noqa: ANN001
    """Sorted by organization, assessment, line, source, cited item, new item (the query sorts
    on in-memory copies of those texts: the same order), a missing value first."""
    result = run_query(store, "renumbering_impact", {"amendment": "2024-05-27"})
    rows = list(result.values())
    assert len({r["line"] for r in rows}) > 10

    def key(r: dict) -> tuple:  # type: ignore[type-arg]
        line = int(r["line"]) if r.get("line") else None
        values = (r.get("organization"), r["assessment"], line, r.get("source"), r.get("cited_item"), r.get("new_item"))
        return tuple((v is not None, v if v is not None else "") for v in values)

    assert rows == sorted(rows, key=key)


def test_2021_article_renumbering(store):  # noqa: ANN001
    moved = ArticleRenumbering("番号法", "19", "7", "8")
    assert moved.pattern().search("番号法第19条第7号別表第2")
    assert not moved.pattern().search("番号法第19条第17号")
    assert not moved.pattern().search("番号法第19条第8号別表第2")
    report = build_impact_report(store, amendment_by_key("2021-09-01"))
    # Every seed citation already says 第8号 (the seeds recorded the change in 2021).
    assert all(r.change == "article renumbered" for r in report.rows)
    assert all("第19条第8号" not in r.article for r in report.rows)


def test_unknown_amendment_lists_known():
    with pytest.raises(UnknownNameError, match="2024-05-27"):
        amendment_by_key("2020-01-01")


def test_what_if_small_invented_renumbering(store, tmp_path):  # noqa: ANN001
    """别表第一 56 → 57 and 37 deleted: in seed 000, 3 rows move (L448-450), 2 lose their basis."""
    f = tmp_path / "what-if.tsv"
    f.write_text("table\told_item\tnew_item\n番号法別表第一\t56\t57\n別表第1\t37\t\n", encoding="utf-8")
    report = build_what_if_report(store, read_what_if(f), assessment=A000)
    got = sorted((r.source, r.cited_item, r.new_item, r.change) for r in report.rows)
    assert got == [
        (f"{DOC000}#L425-L425", "37", "", "deleted"),
        (f"{DOC000}#L426-L426", "37", "", "deleted"),
        (f"{DOC000}#L448-L448", "56", "57", "renumbered"),
        (f"{DOC000}#L449-L449", "56", "57", "renumbered"),
        (f"{DOC000}#L450-L450", "56", "57", "renumbered"),
    ]
    assert report.counts() == {"静岡市": {"renumbered": 3, "deleted": 2}}


def test_what_if_rejects_bad_files(tmp_path):  # noqa: ANN001
    f = tmp_path / "bad.tsv"
    f.write_text("old\tnew\n56\t57\n", encoding="utf-8")
    with pytest.raises(LoaderError, match="header"):
        read_what_if(f)
    f.write_text("table\told_item\tnew_item\n別表第九十九\tx\t1\n", encoding="utf-8")
    with pytest.raises(LoaderError, match=r"bad\.tsv:2: .*no known law table"):
        read_what_if(f)


@pytest.mark.parametrize("amendment", ["2024-05-27", "2021-09-01"])
def test_a_report_on_some_assessments_is_the_whole_reports_part(store, amendment):  # noqa: ANN001
    """A body's page asks for the report on its assessments only (looked up one by one): the
    rows, problems and titles are those of the whole report for those assessments."""
    whole = build_impact_report(store, amendment_by_key(amendment))
    chosen = sorted({r.assessment for r in whole.rows})[:2] or [A000]
    part = build_impact_report(store, amendment_by_key(amendment), assessments=chosen)
    assert part.rows == [r for r in whole.rows if r.assessment in chosen]
    assert part.problems == [p for p in whole.problems if p.assessment in chosen]
    assert part.titles == {a: t for a, t in whole.titles.items() if a in chosen}
    assert build_impact_report(store, amendment_by_key(amendment), assessments=[]).rows == []


def test_a_page_shows_a_bounded_fix_list_and_links_each_body_to_all_of_its_own(report):  # noqa: ANN001
    from pia_kg.impact.render import impact_view

    view = impact_view(report, link=lambda _s: None, max_rows=3, body_href=lambda b: f"/ui/impact?body={b}")
    assert view["row_count"] == len(report.rows) > 3 and view["shown_rows"] == 3
    assert sum(len(a["rows"]) for g in view["groups"] for a in g["assessments"]) == 3
    assert view["problem_count"] == len(report.problems) and len(view["problems"]) == min(3, len(report.problems))
    assert view["body_links"] == {b: f"/ui/impact?body={b}" for b in report.counts()}
    whole = impact_view(report, link=lambda _s: None)  # a file report lists every row
    assert whole["shown_rows"] == whole["row_count"] == len(report.rows) and whole["body_links"] == {}


def test_a_national_report_past_what_is_held_is_read_back_from_disk_the_same(store, tmp_path, monkeypatch):  # noqa: ANN001
    """A national report (a million rows at 35,000 assessments) is looked up a few
    assessments at a time and held a bounded number of rows at a time, the rest sorted in runs on disk
    (pia_kg/sorted_rows.py). Held three rows at a time here: its rows are those of the
    corpus-wide query, in the report's order, and its files are the files of the report held
    whole."""
    from openpyxl import load_workbook

    from pia_kg import named_queries, sorted_rows
    from pia_kg.impact.render import write_reports
    from pia_kg.impact.report import _row_from_query, _row_order

    amendment = amendment_by_key("2024-05-27")
    monkeypatch.setattr(named_queries, "EACH_AT_MOST", 2)  # assessments asked two at a time
    held = build_impact_report(store, amendment)
    everything = run_query(store, "renumbering_impact", {"amendment": amendment.key})
    assert held.rows == sorted(map(_row_from_query, everything.iter_values()), key=_row_order)
    assert isinstance(held.rows, list) and len(held.rows) > 10
    monkeypatch.setattr(sorted_rows, "SPILL_ROWS", 3)
    spilled = build_impact_report(store, amendment)
    assert isinstance(spilled.rows, sorted_rows.SortedRows) and spilled.rows.spilled
    assert list(spilled.rows) == held.rows and len(spilled.rows) == len(held.rows)
    assert spilled.rows[:5] == held.rows[:5] and spilled.rows[-1] == held.rows[-1]
    assert spilled.counts() == held.counts() and spilled.totals() == held.totals()
    write_reports(held, tmp_path / "held")
    write_reports(spilled, tmp_path / "spilled")
    for name in ("impact.csv", "impact.json", "impact.html"):
        assert (tmp_path / "spilled" / name).read_bytes() == (tmp_path / "held" / name).read_bytes(), name

    def cells(path):  # noqa: ANN001, ANN202
        return [list(ws.iter_rows(values_only=True)) for ws in load_workbook(path).worksheets]

    assert cells(tmp_path / "spilled" / "impact.xlsx") == cells(tmp_path / "held" / "impact.xlsx")
