"""変更箇所 (change history) and 変更箇所一覧, read from the seeds.

Row counts were counted on the text (lines of the change table that start with a date);
spot values were read from the lines named.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SEED_000, SEED_001, SEED_002, SEED_003, SEED_004

from pia_kg.errors import LoaderError
from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.loaders.documents.changes import read_changes
from pia_kg.loaders.documents.source import SourceText
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
    """One record per row of the 変更箇所一覧: each changed passage with its page and 事由."""
    rows = changes["003"]
    assert all(c.date is None for c in rows)
    # Rows opened by L6 システム1, L11 システム4, L15 7. 担当部署, L19 (別添1), L58 7. 備考,
    # L63 (別紙2), L69 (別紙3), L79 リスク3, L85 7. リスク1, L89 その他のリスク.
    assert [(c.page, c.reason) for c in rows] == [
        ("3", "誤記の修正"),  # L10
        ("5", "コンビニ交付サービス実施のため追記"),  # L13
        ("7", "人事異動により変更"),  # L16
        ("9", "コンビニ交付サービス実施のため記載追加"),  # L51 page, L53 reason, printed below
        ("18", "コンビニ交付サービス実施のため追記"),  # L62
        ("24", "組織改正による 部署名の変更"),  # L65 page; reason L73, under the rows
        ("25", "条例・規則制定 及び庁内連携 の確定による追記"),  # L71 page; reason L74
        ("41", ""),  # L84: no 事由 printed
        ("44", ""),  # L87-88
        ("45", "コンビニ交付サービス実施のため追記"),  # L91 "コンビニ交付" + L94 after the page break
    ]


def test_003_passages_stay_in_their_row(changes):
    rows = {c.start: c for c in changes["003"]}
    assert "住民記録システム (評価書中の「③他のシステムとの接続」の記載における" in rows[6].after  # L9
    assert "システム1" in rows[6].section  # L8
    assert rows[11].section == "システム4"  # L11
    assert "証明書自動交付システム" in rows[11].after  # L12
    assert "戸籍住民課長 神崎 章" in rows[15].after  # L17, underlined name
    assert "地域振興部戸籍住民課" in rows[15].after  # L16
    assert "5-③. 個人番号カードを利用して交付申請を行った住民に対し、コンビニエンスストア等" in rows[19].after  # L39
    assert "2. 住民基本台帳の記載変更" in rows[19].after  # L26, an item heading inside the 別添
    assert "49 健康づくり課 保健センター 母子保健法による保健指導" in rows[63].after  # L65, 別紙2
    assert "68 介護保険課 地域包括ケア推進課 高齢者支援課" in rows[63].after  # L66
    assert "7 高齢者医療担当課 葬祭費の支給" in rows[69].after  # L72, 別紙3
    assert "健康づくり課" not in rows[69].after
    assert rows[79].section.endswith("リスク3: 誤った情報を提供・移転してしまうリスク、誤った相手に提供・移転してしまうリスク")  # L83
    assert "[十分に行っている]" in rows[85].after  # L87
    assert "所轄の警察署に届出を行うこととす" in rows[89].after  # L94, continued after the header at L93
    assert rows[89].end == 94


def test_002_plain_before_and_after(changes):
    """Cells on one line are split at the half-width space; wrapped cells come as blocks."""
    rows = changes["002"]
    src = SourceText.read(SEED_002)
    # 76 rows open with their 変更日 (lines starting 令和 in L5365-L8893; the two starting 平成,
    # L5510 and L5666, are 変更前 texts); each is one record.
    assert len([c for c in rows if src.lines[c.start - 1].startswith("令和")]) == 76
    r = _at(rows, 5504)  # L5510: a 変更前 that opens with a date opens no row
    assert (r.before, r.after) == ("平成27年7月30日予定", "平成27年7月30日")
    # L5368-5369: the 説明 of the first row is printed above its 変更日.
    assert rows[0].reason == "重要な変更にあたらないため(軽微な修正)"
    r = _at(rows, 5382)  # L5382-5385
    assert (r.section, r.before, r.after, r.timing) == ("I-2.システム5➀", "証明書自動交付システム", "証明書発行関連システム", "事後")
    r = _at(rows, 5438)  # L5440: the 所属長 lost his name
    assert (r.before, r.after) == ("市民課長 東峰 隆", "市民課長")
    r = _at(rows, 5528)  # L5530
    assert (r.before, r.after) == ("移転を行っている件数35件", "移転を行っている件数60件")
    r = _at(rows, 5631)  # L5632
    assert (r.section, r.before, r.after) == ("II(1)6.②期間", "5年", "20年以上")
    r = _at(rows, 5405)  # L5407-5432: three blocks, the first two are 変更前
    assert r.before.startswith("・番号法第19条第7号(特定個人情報の提供の制限)及び別表第二(別表第二における")
    assert r.after.startswith("(情報提供の根拠):番号法第19条第7号") and r.after.endswith("119、120の項)")
    r = _at(rows, 6096)  # L6096: every cell on the 変更日's line, 説明 glued to 事前
    assert (r.section, r.before, r.after, r.timing, r.reason) == (
        "II(1)4.委託の有無", "3件", "5件", "事前", "重要な変更のため事前に記載する。"
    )
    r = _at(rows, 6878)  # L6878 令和5年12月29日 Ⅴ２
    assert (r.date, r.section, r.timing) == (dt.date(2023, 12, 29), "V2", "事後")
    assert r.after == "➀〒070-8525 旭川市7条通9丁目市民生活部 市民課0166-25-9787"  # L6885-6887
    r = _at(rows, 7598)  # L7602: the renumbering of the table itself
    assert (r.before, r.after) == ("番号法第9条第1項 別表第1", "番号法第9条第1項 別表")
    r = _at(rows, 7609)  # L7613-7614
    assert (r.before, r.after) == ("番号法第19条第7号 別表第2", "番号法第19条第8号及び同法に基づく主務省令第二条の表")
    assert _at(rows, 7130).after == "中間サーバー"  # L7133
    r = _at(rows, 7868)  # L7871-7903: "（略）" alone closes each passage
    assert r.before.startswith("(略)<中間サーバー・プラットフォームにおける措置>・中間サーバー")
    assert r.after.startswith("(略)<中間サーバー・プラットフォームにおける措置>①中間サーバー")
    assert r.before.endswith("(略)") and r.after.endswith("(略)")


def test_004_plain_rows(changes):
    rows = changes["004"]
    # L2117-2689: 19 rows, each a 項目 block (2 dated, 17 with the 変更日 left blank).
    assert len(rows) == 19
    r = _at(rows, 2120)  # L2120: the 説明 printed on the date's line; L2126 the cells
    assert (r.date, r.before, r.after, r.timing, r.reason) == (
        dt.date(2019, 6, 10), "市町村課長 松本 博崇", "課長", "事後", "様式の改正に伴う変更"
    )
    assert r.section.startswith("I 基本情報 - 7.評価実施機関における担当部署")  # L2122-2124
    r = _at(rows, 2128)  # L2134
    assert (r.before, r.after, r.timing, r.reason) == ("平成27年7月予定", "平成27年7月", "事後", "時点修正")
    r = _at(rows, 2140)
    assert r.date == dt.date(2019, 6, 10) and r.timing == "事後" and r.reason == "具体的な日付に修正"
    assert (r.before, r.after) == ("平成27年7月", "平成27年7月8日")  # L2144
    r = _at(rows, 2216)  # L2221-2223: "－" then the new text, one block
    assert r.before == "-" and r.after == "「群馬県内の市町村の執行機関(住基条例に基づく協定締結市町村のみ)」を新規追加"
    r = _at(rows, 2267)  # L2272-2276
    assert "提供を行っている 3件" in r.before and "提供を行っている 4件" in r.after
    r = _at(rows, 2306)  # L2311
    assert (r.before, r.after, r.reason) == ("平成27年6月1日", "平成27年7月8日", "保有開始日にあわせて修正")
    r = _at(rows, 2361)  # L2361 令和1年11月5日; L2420-2423 four 旧氏 items added
    assert r.date == dt.date(2019, 11, 5)
    assert r.after.endswith("28.旧氏 外字変更連番") and "旧氏" not in r.before
    r = _at(rows, 2594)  # no 提出時期 printed; L2631-2632 the 説明 in the narrow column
    assert r.timing == "" and r.reason == "地方公共団体情報システム機構に関する事項を追記"
    assert r.after.endswith("ことを契約書上明記している。")  # L2629


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
