"""変更箇所 (change history) and 変更箇所一覧, read from the seeds.

Row counts were counted on the text (lines of the change table that start with a date);
spot values were read from the lines named.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SEED_000, SEED_001, SEED_002, SEED_003, SEED_004

from pia_kg.errors import LoaderError
from pia_kg.loaders.assessment import load_assessment
from pia_kg.loaders.changes import read_changes
from pia_kg.loaders.source import SourceText
from pia_kg.named_queries import run_query
from pia_kg.store import open_store


@pytest.fixture(scope="module")
def changes():
    return {p.name[:3]: read_changes(SourceText.read(p)) for p in (SEED_000, SEED_001, SEED_002, SEED_003, SEED_004)}


def _at(rows, line):
    hits = [c for c in rows if c.start == line]
    assert hits, f"no change record at line {line}"
    return hits[0]


def test_000_rows(changes):
    rows = changes["000"]
    assert len(rows) == 117  # lines 1085-1213 that start with a date, 7 headers skipped
    c = _at(rows, 1085)
    assert (c.date, c.section, c.before, c.after, c.timing) == (
        dt.date(2018, 3, 22), "I 7. ①部署", "生活文化局市民生活部政課", "市民局戸籍管理課", "事後"
    )
    assert (_at(rows, 1086).before, _at(rows, 1086).after) == ("荻野 敏彦", "小沢 正男")
    r = _at(rows, 1125)
    assert (r.date, r.section, r.before, r.after) == (
        dt.date(2020, 5, 22), "II (1)5", "提供を行っている(55件)", "提供を行っている(56件)"
    )
    r = _at(rows, 1158)
    assert r.before == "番号法第19条第7号別表第2に定める情報照会者(別紙1参照)"
    assert r.after == "番号法第19条第8号別表第2に定める情報照会者(別紙1参照)"
    assert _at(rows, 1152).timing == "事前"
    assert "【法令上の根拠(項番)】 110" in _at(rows, 1185).before and "【法令上の根拠(項番)】 120" in _at(rows, 1185).after
    assert _at(rows, 1201).after.startswith("【移転先】 危機管理総室 【法令上の根拠(項番)】 36の2")
    assert _at(rows, 1099).after == "保健福祉長寿局保健衛生医療部保健予防課"


def test_001_rows(changes):
    rows = changes["001"]
    assert len(rows) == 82  # lines 362-446 that start with a date
    r = _at(rows, 362)
    assert (r.date, r.before, r.after, r.timing, r.reason) == (
        dt.date(2016, 4, 1), "福祉局福祉総務課長 岡 健一", "福祉局福祉総務課長 高柳 晃一", "事後", "重要な変更項目でないため"
    )
    r = _at(rows, 396)
    assert (r.date, r.before, r.after) == (dt.date(2021, 6, 28), "福祉局こども未来部子育て支援課", "こども未来局子育て支援課")
    r = _at(rows, 446)
    assert (r.date, r.after, r.timing) == (dt.date(2025, 1, 14), "ガバメントクラウドにおける措置を追記", "事前")


def test_002_plain_rows(changes):
    rows = changes["002"]
    first = rows[0]
    assert first.start == 5371 and first.date == dt.date(2019, 6, 26) and first.timing == "事後"
    assert first.before.startswith("②転入届、転居届、転出届、世帯変更届等の")
    assert all(c.date is not None for c in rows)
    assert min(c.date for c in rows) == dt.date(2019, 6, 26)


def test_003_change_list(changes):
    rows = changes["003"]
    assert [c.section for c in rows] == [
        "I 基本情報",
        "II 特定個人情報ファイルの概要",
        "III 特定個人情報ファイルの取扱いプロセスにおけるリスク対策",  # Ⅲ, NFKC-folded
    ]
    assert "人事異動により変更" in rows[0].reason and "コンビニ交付サービス実施のため追記" in rows[0].reason
    assert "地域振興部戸籍住民課" in rows[0].after
    assert "組織改正による 部署名の変更" in rows[1].reason
    assert "健康づくり課 保健センター" in rows[1].after
    assert "コンビニ交付" in rows[2].reason
    assert all(c.date is None for c in rows)


def test_004_plain_rows(changes):
    rows = changes["004"]
    r = _at(rows, 2140)
    assert r.date == dt.date(2019, 6, 10) and r.timing == "事後" and r.reason == "具体的な日付に修正"


def test_bad_date_is_a_loader_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(
        "変更日\t項目\t変更前の記載\t変更後の記載\t提出時期\t提出時期に係る説明\n"
        "令和2年5月22日\tI 7. ①部署\tA課\tB課\t事後\t\nそのうち\tI 7. ②所属長\t甲\t乙\t事後\t\n",
        encoding="utf-8",
    )
    with pytest.raises(LoaderError) as err:
        read_changes(SourceText.read(bad))
    assert err.value.line == 3


def test_changes_query():
    store = open_store("memory")
    doc = load_assessment(SEED_001)
    store.replace_graph(doc.graph_iri, doc.graph)
    result = run_query(store, "changes", {})
    assert result.variables == ["assessment", "date", "section", "before", "after", "timing", "source"]
    assert len(result.rows) == 82
    assert str(result.rows[0][6]) == "001_57af33314b6a26f0.txt#L362-L362"
    recent = run_query(store, "changes", {"since": "2025-01-01"})
    assert {str(r[1]) for r in recent.rows} == {"2025-01-14"}
