"""提供先/移転先 entries and 別紙 rows, read from the seeds.

Every expected value here was read from the seed text by a person (line numbers given), not
copied from the loader's output.
"""

from __future__ import annotations

import pytest
from conftest import SEED_000, SEED_001, SEED_002, SEED_003, SEED_004
from rdflib import Literal

from pia_kg.errors import LoaderError
from pia_kg.loaders.documents.annex_tables import find_annex_tables, split_departments
from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.loaders.documents.disclosures import declared_counts, disclosure_regions
from pia_kg.loaders.documents.form import Form
from pia_kg.loaders.documents.source import SourceText
from pia_kg.named_queries import run_query
from pia_kg.store import open_store
from pia_kg.vocab import DPV, ORG, PIA, RDF, RDFS


@pytest.fixture(scope="module")
def loaded():
    docs = {p.name[:3]: load_assessment(p) for p in (SEED_000, SEED_001, SEED_002, SEED_003, SEED_004)}
    store = open_store("memory")
    for d in docs.values():
        store.replace_graph(d.graph_iri, d.graph)
    return docs, store


def _rows(store, name, doc):
    result = run_query(store, name, {})
    assert result.variables == (
        ["assessment", "file", "department" if name == "transfers" else "recipient", "table", "item", "purpose", "source"]
    )
    return [tuple(None if v is None else str(v) for v in row) for row in result.rows if doc in str(row[0])]


def _find(rows, who, item):
    hits = [r for r in rows if r[2] == who and r[4] == item]
    assert hits, f"no row for {who} / {item}"
    return hits[0]


# --- helpers ------------------------------------------------------------------------------


def test_split_departments_keeps_upper_levels_with_their_unit():
    assert split_departments("保健福祉長寿局保健衛生医療部 保健予防課") == ["保健福祉長寿局保健衛生医療部保健予防課"]
    assert split_departments("各福祉事務所 生活支援課") == ["各福祉事務所生活支援課"]
    assert split_departments("健康づくり課 保健センター") == ["健康づくり課", "保健センター"]
    assert split_departments("税制課\n市民税課\n資産税課") == ["税制課", "市民税課", "資産税課"]
    assert split_departments("市民課、区政課") == ["市民課", "区政課"]


def test_bad_item_cell_is_a_loader_error_naming_the_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text(
        "(別紙1) 番号法第19条第8号別表第二に定める事務\n\nNo.\t提供先\t法令上の根拠(項番)\t提供先における用途\n"
        "1\t厚生労働大臣\t1\t健康保険に関する事務\n2\t全国健康保険協会\tこうばん\t保険給付の支給に関する事務\n",
        encoding="utf-8",
    )
    with pytest.raises(LoaderError) as err:
        find_annex_tables(SourceText.read(bad))
    assert err.value.line == 5 and "bad.txt:5" in str(err.value)


# --- 000 静岡市 (tab-separated) -------------------------------------------------------------


def test_000_declared_counts_match_annex_rows(loaded):
    src = SourceText.read(SEED_000)
    regions = disclosure_regions(Form(src))
    assert len(regions) == 3  # three files, each with its II 5.
    assert declared_counts(src, regions[0]) == {"provision": 58, "transfer": 83}  # line 296
    assert declared_counts(src, regions[1]) == {"provision": 2, "transfer": None}  # line 530
    tables = find_annex_tables(src)
    assert [(t.annex, t.kind, len(t.rows)) for t in tables] == [("別紙1", "provision", 58), ("別紙2", "transfer", 83)]
    docs, store = loaded
    provisions = [r for r in _rows(store, "provisions", "000_") if r[3] == "番号法別表第二"]
    transfers = [r for r in _rows(store, "transfers", "000_") if r[3] == "番号法別表第一"]
    assert len(provisions) == 58
    assert len(transfers) == 83


def test_000_annex1_rows(loaded):
    _, store = loaded
    rows = _rows(store, "provisions", "000_")
    first = _find(rows, "厚生労働大臣", "1")
    assert first[3] == "番号法別表第二" and first[6] == "000_446cb3177695f62c.txt#L324-L324"
    assert first[1] == "住民基本台帳ファイル"
    assert _find(rows, "独立行政法人日本学生支援機構", "106")[5].startswith("独立行政法人日本学生支援機構法による学資の貸与及び支給")
    assert _find(rows, "市町村長(児童手当法第十七条第一項の表の下欄に掲げる者を含む。)", "74")
    assert _find(rows, "特定優良賃貸住宅の供給の促進に関する法律第十八条第二項に規定する賃貸住宅の建設及び管理を行う都道府県知事または市町村長", "85の2")
    assert _find(rows, "都道府県知事", "120")[6] == "000_446cb3177695f62c.txt#L385-L385"
    assert _find(rows, "都道府県知事等", "57")[5] == "児童扶養手当法による児童扶養手当の支給に関する事務であって主務省令で定めるもの"


def test_000_annex2_rows(loaded):
    _, store = loaded
    rows = _rows(store, "transfers", "000_")
    # Row 1 (line 390): the item 7 is written inside the purpose cell.
    r1 = _find(rows, "保健福祉長寿局保健衛生医療部保健予防課", "7")
    assert r1[5].startswith("児童福祉法(昭和二十二年法律第六十四号)による養育里親") and r1[6].endswith("#L390-L390")
    # Row 2 (line 391): blank cells continue row 1.
    assert _find(rows, "子ども未来局児童相談所", "7")[6].endswith("#L391-L391")
    assert _find(rows, "危機管理総室", "36の2")[5].startswith("災害対策基本法")
    assert _find(rows, "総務局人事課", "56")[5].startswith("児童手当法による児童手当又は特例給付")
    assert _find(rows, "保健福祉局保健衛生医療部清水看護専門学校", "81")
    assert _find(rows, "各福祉事務所生活支援課", "84")
    last = [r for r in rows if r[6].endswith("#L478-L478")]
    assert [(r[2], r[4]) for r in last] == [("保健福祉長寿局保健衛生医療部保健予防課", "98")]


def test_000_entries_and_links(loaded):
    docs, _ = loaded
    g = docs["000"].graph
    entries = [s for s in g.subjects(RDF.type, PIA.Provision) if g.value(s, PIA.annex) is None]
    names = {str(g.value(s, PIA.recipientName)) for s in entries}
    assert "都道府県" in names and "都道府県及び地方公共団体情報システム機構(機構)" in names  # file 2, lines 531, 539
    main = next(s for s in entries if "別紙1参照" in str(g.value(s, PIA.recipientName)))
    assert str(g.value(main, PIA.method)) == "情報提供ネットワークシステム"
    assert str(g.value(main, PIA.providedInformation)).startswith("住民票関係情報(住基法第7条第4号")
    cite = g.value(main, PIA.citation)
    assert str(g.value(cite, PIA.basisText)) == "番号法第19条第8号別表第2"
    assert str(g.value(cite, PIA.citedTable)) == "番号法別表第二"
    detail = list(g.subjects(PIA.entry, main))
    assert len(detail) == 58 and all(str(g.value(d, PIA.annex)) == "別紙1" for d in detail)
    org = g.value(detail[0], PIA.recipient)
    assert (org, RDF.type, DPV.Recipient) in g and (org, RDF.type, ORG.Organization) in g
    # A department of a 別紙2 row is a unit under its 部 and 局.
    unit = next(u for u in g.subjects(RDFS.label, Literal("保健福祉長寿局保健衛生医療部保健予防課", lang="ja")))
    parent = g.value(unit, ORG.unitOf)
    assert str(g.value(parent, RDFS.label)) == "保健福祉長寿局保健衛生医療部"


# --- 001 金沢市 ---------------------------------------------------------------------------


def test_001_entries(loaded):
    _, store = loaded
    prov = _rows(store, "provisions", "001_")
    assert len(prov) == 2  # 提供先3 is blank (lines 165-173)
    p1 = _find(prov, "都道府県知事等", "42")
    assert p1[3] == "主務省令第2条の表" and p1[5].startswith("生活保護法による保護の決定及び実施")
    p2 = _find(prov, "都道府県知事等", "125")
    assert p2[5] == "中国残留邦人等支援給付等の支給に関する事務であって主務省令で定めるもの"
    trans = _rows(store, "transfers", "001_")
    assert sorted(r[2] for r in trans) == ["市民課", "生活支援課"]
    assert next(r for r in trans if r[2] == "市民課")[5] == "住民票に児童手当の支給開始・終了年月日を印字するため"
    src = SourceText.read(SEED_001)
    assert declared_counts(src, disclosure_regions(Form(src))[0]) == {"provision": 3, "transfer": 2}


def test_001_transfer_basis_and_method(loaded):
    docs, _ = loaded
    g = docs["001"].graph
    t = next(s for s in g.subjects(PIA.recipientName, Literal("市民課")))
    assert str(g.value(g.value(t, PIA.citation), PIA.basisText)) == "住民基本台帳法 第7条11の2"
    assert str(g.value(t, PIA.method)) == "その他 (庁内LAN)"
    assert str(g.value(t, PIA.providedInformation)) == "児童手当の支給開始日及び終了日"


# --- 002 旭川市 (plain text, wrapped cells, page headers mid-table) ---------------------------


def test_002_annex_tables_and_counts():
    src = SourceText.read(SEED_002)
    tables = find_annex_tables(src)
    got = [(t.annex, t.canonical_table, len(t.rows)) for t in tables]
    assert got == [
        ("別紙1", "主務省令第2条の表", 60),
        ("別紙2", "番号法別表", 46),
        ("別紙3", "旭川市個人番号の利用及び特定個人情報の提供に関する条例別表第一", 21),
        ("別紙3", "旭川市個人番号の利用及び特定個人情報の提供に関する条例別表第二", 4),
    ]
    # 提供・移転の有無 (lines 1915-1920): 59 and 61 件; the 別紙 list more rows than that.
    assert declared_counts(src, disclosure_regions(Form(src))[0]) == {"provision": 59, "transfer": 61}


def test_002_rows(loaded):
    _, store = loaded
    prov = _rows(store, "provisions", "002_")
    assert len([r for r in prov if r[3] == "主務省令第2条の表" and r[4] is not None]) == 60
    assert _find(prov, "都道府県知事等", "81")[5].startswith("児童扶養手当法による児童扶養手当の支給")
    assert _find(prov, "市町村長(児童手当法第十七条第一項の表の下欄に掲げる者を含む。)", "106")
    assert _find(prov, "文部科学大臣又は都道府県教育委員会", "59")  # wrapped over lines 8969-8970
    assert _find(prov, "都道府県知事", "166")[6] == "002_aa3841ff71230e60.txt#L9222-L9225"
    trans = _rows(store, "transfers", "002_")
    annex2 = [r for r in trans if r[3] == "番号法別表"]
    assert len(annex2) == 53  # 46 rows; rows 2, 25, 26 name two departments, row 9 five
    assert {r[2] for r in annex2 if r[4] == "24"} == {"税制課", "市民税課", "資産税課", "納税管理課", "納税推進課"}
    assert {r[2] for r in annex2 if r[4] == "81"} == {"職員厚生課", "子育て助成課"}
    assert _find(annex2, "長寿社会課", "61の2")
    assert _find(annex2, "国民健康保険課", "44")[6] == "002_aa3841ff71230e60.txt#L9308-L9309"
    jorei1 = [r for r in trans if r[3] == "旭川市個人番号の利用及び特定個人情報の提供に関する条例別表第一"]
    jorei2 = [r for r in trans if r[3] == "旭川市個人番号の利用及び特定個人情報の提供に関する条例別表第二"]
    assert len(jorei1) == 32 and len(jorei2) == 6
    assert {r[2] for r in jorei1 if r[4] == "5の2"} == {"国民健康保険課", "納税管理課", "納税推進課"}
    assert _find(jorei1, "市営住宅課", "10の3")  # after the title repeated at line 9535
    assert _find(jorei2, "学務課", "4")[5].startswith("学校保健安全法による医療に要する費用")


def test_002_entries(loaded):
    _, store = loaded
    prov = _rows(store, "provisions", "002_")
    kiko = [r for r in prov if r[2] == "地方公共団体情報システム機構(機構)"]
    assert kiko and kiko[0][5].startswith("市町村から個人番号カード省令第35条")
    assert any(r[2] == "都道府県" and r[1] == "本人確認情報ファイル" for r in prov)


# --- 003 新宿区 (change list only) -------------------------------------------------------


def test_003_has_no_disclosures(loaded):
    _, store = loaded
    assert _rows(store, "transfers", "003_") == [] and _rows(store, "provisions", "003_") == []


# --- 004 群馬県 (layout order) ------------------------------------------------------------


def test_004_entries(loaded):
    _, store = loaded
    prov = _rows(store, "provisions", "004_")
    names = {r[2] for r in prov}
    assert names == {
        "地方公共団体情報システム機構",
        "群馬県の他の執行機関(教育委員会など)",
        "住基法上の住民",
        "群馬県内の市町村の執行機関(住基条例に基づく協定締結市町村のみ)",
    }
    kiko = next(r for r in prov if r[2] == "地方公共団体情報システム機構")
    assert kiko[5] == "群馬県知事より受領した本人確認情報を元に機構保存本人確認情報ファイルを更新する。"
    assert {r[3] for r in prov if r[2] == "群馬県の他の執行機関(教育委員会など)"} == {
        "住民基本台帳法別表第六",
        "群馬県住民基本台帳法施行条例別表第三",
    }
    assert {r[3] for r in prov if r[2].startswith("群馬県内の市町村")} == {"群馬県住民基本台帳法施行条例別表第一"}
    trans = _rows(store, "transfers", "004_")
    assert {r[2] for r in trans} == {"群馬県の他の部署(税務課など)"}
    assert {r[3] for r in trans} == {"住民基本台帳法別表第五", "群馬県住民基本台帳法施行条例別表第二"}
    src = SourceText.read(SEED_004)
    assert declared_counts(src, disclosure_regions(Form(src))[0]) == {"provision": 4, "transfer": 1}


def test_004_basis_as_written(loaded):
    docs, _ = loaded
    g = docs["004"].graph
    node = next(g.subjects(PIA.recipientName, Literal("住基法上の住民")))
    cite = g.value(node, PIA.citation)
    assert str(g.value(cite, PIA.basisText)) == "住基法第30条の32(自己の本人確認情報の開示)"
    assert str(g.value(cite, PIA.articleAsWritten)) == "住基法第30条の32"


def test_004_methods_printed_below_their_label(loaded):
    """Layout order: "⑥提供方法" (L754, L844, L954) with its one whole checked box printed
    below it ("[ ○ ] その他 （ 住民基本台帳ネットワークシステム ）" at L768, L848, L966).
    The 3rd ⑥提供方法 (L853) and ⑥移転方法 (L973) have only broken boxes ("[ ○" at L880)."""
    docs, _ = loaded
    g = docs["004"].graph

    def methods(name):
        node = next(g.subjects(PIA.recipientName, Literal(name)))
        return sorted(str(m) for m in g.objects(node, PIA.method))

    via_juki = ["その他 (住民基本台帳ネットワークシステム)"]
    assert methods("地方公共団体情報システム機構") == via_juki  # L738 name, L768 box
    assert methods("群馬県の他の執行機関(教育委員会など)") == via_juki  # L817 name, L848 box
    assert methods("群馬県内の市町村の執行機関(住基条例に基づく協定締結市町村のみ)") == via_juki  # L898, L966
    assert methods("住基法上の住民") == []  # L868; no whole box under L853
