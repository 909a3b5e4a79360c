"""The assessment loader on the five seeds: values read by hand from the documents' text.

Every expected value below was read in the seed file at the line given in the comment, not
taken from the loader's output.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ALL_SEEDS, SEED_000, SEED_001, SEED_002, SEED_003, SEED_004
from rdflib import Graph, Literal, URIRef

from pia_kg.loaders.documents.assessment import LoadedDocument, load_assessment
from pia_kg.loaders.documents.departments import split_unit
from pia_kg.loaders.documents.template import match_label
from pia_kg.named_queries import run_query
from pia_kg.pipeline import rederive
from pia_kg.store import open_store
from pia_kg.vocab import DCTERMS, ORG, PIA, RDF, RDFS, document_graph, unit_iri


@pytest.fixture(scope="module")
def docs() -> dict[str, LoadedDocument]:
    return {p.name[:3]: load_assessment(p) for p in ALL_SEEDS}


def _assessment(doc: LoadedDocument) -> URIRef:
    return next(iter(doc.graph.subjects(RDF.type, PIA.Assessment)))


def _s(g: Graph, node, prop) -> str | None:
    v = g.value(node, prop)
    return None if v is None else str(v)


def _label_of(g: Graph, node, prop) -> str | None:
    target = g.value(node, prop)
    return None if target is None else _s(g, target, RDFS.label)


def _ordered(g: Graph, node, prop) -> list[URIRef]:
    return sorted(g.objects(node, prop), key=lambda n: int(g.value(n, PIA.order)))


def _outsourcing(doc: LoadedDocument, file_order: int) -> list[dict[str, object]]:
    g = doc.graph
    f = _ordered(g, _assessment(doc), PIA.file)[file_order - 1]
    return [
        {
            "title": _s(g, o, DCTERMS.title),
            "contractor": _s(g, o, PIA.contractorName),
            "re": None
            if g.value(o, PIA.reoutsourcing) is None
            else g.value(o, PIA.reoutsourcing).toPython(),
            "content": _s(g, o, PIA.content),
            "re_content": _s(g, o, PIA.reoutsourcingContent),
        }
        for o in _ordered(g, f, PIA.outsourcing)
    ]


def _file_values(doc: LoadedDocument, order: int, prop) -> list[str]:
    g = doc.graph
    f = _ordered(g, _assessment(doc), PIA.file)[order - 1]
    out = []
    for o in g.objects(f, prop):
        label = g.value(o, RDFS.label)
        out.append(str(label if label is not None else o))
    return sorted(out)


# --- 000 静岡市 住民基本台帳 全項目 (tabbed) ----------------------------------------------------


def test_000_cover_and_section_i(docs):
    d = docs["000"]
    g, a = d.graph, _assessment(d)
    assert d.kind == "AssessmentDocument"
    assert d.graph_iri == document_graph("000_446cb3177695f62c")
    assert _s(g, a, PIA.assessmentNumber) == "1"  # L6
    assert _s(g, a, DCTERMS.title) == "静岡市住民基本台帳に関する事務 全項目評価書"  # L6
    assert g.value(a, PIA.level) == PIA.FullLevel  # L3
    assert _label_of(g, a, PIA.assessingOrganization) == "静岡市長"  # L16
    assert _label_of(g, a, PIA.body) == "静岡市"
    assert g.value(a, DCTERMS.issued) is None  # L20: 公表日 left blank
    assert any("公表日" in w for w in d.warnings)
    assert _s(g, a, PIA.taskName) == "住民基本台帳に関する事務"  # L38
    assert _s(g, a, PIA.subjectCountBand) == "30万人以上"  # L40
    assert _s(g, a, PIA.networkLinkage) == "実施する"  # L91
    assert _label_of(g, a, PIA.responsibleDepartment) == "市民局戸籍管理課"  # L97
    assert _s(g, a, PIA.departmentHead) == "戸籍管理課長"  # L98
    assert g.value(a, PIA.isDraft).toPython() is False


def test_000_systems_and_connections(docs):
    g, a = docs["000"].graph, _assessment(docs["000"])
    systems = _ordered(g, a, PIA.system)
    names = [_s(g, s, RDFS.label) for s in systems]
    assert names == [  # L46, L52, L60, L65, L70
        "住民記録システム(既存住民基本台帳システムと同義)",
        "住民基本台帳ネットワークシステム",
        "共通基盤システム(庁内連携システムと同義)",
        "証明発行システム",
        "中間サーバー",
    ]
    # L48: [○] 庁内連携システム, [○] 住民基本台帳ネットワークシステム, [○] その他 (…)
    conn1 = sorted(map(str, g.objects(systems[0], PIA.connectedSystem)))
    assert conn1 == sorted(
        [
            "庁内連携システム",
            "住民基本台帳ネットワークシステム",
            "その他 (証明発行システム、法務省連携システム)",
        ]
    )
    # L53-L57: only 既存住民基本台帳システム is ticked for システム2
    assert list(map(str, g.objects(systems[1], PIA.connectedSystem))) == [
        "既存住民基本台帳システム"
    ]
    assert str(g.value(systems[3], PIA.source)).startswith("000_446cb3177695f62c.txt#L64-")


def test_000_files_and_outsourcing(docs):
    d = docs["000"]
    g, a = d.graph, _assessment(d)
    files = [_s(g, f, RDFS.label) for f in _ordered(g, a, PIA.file)]
    assert files == [
        "住民基本台帳ファイル",
        "本人確認情報ファイル",
        "送付先情報ファイル",
    ]  # L75-L77
    assert _file_values(d, 1, PIA.subjectCount) == ["10万人以上100万人未満"]  # L170
    assert _file_values(d, 1, PIA.recordItemBand) == ["50項目以上100項目未満"]  # L173
    assert _file_values(d, 2, PIA.recordItemBand) == ["10項目以上50項目未満"]  # L489
    assert _file_values(d, 1, PIA.userCount) == ["100人以上500人未満"]  # L189
    assert _file_values(d, 1, PIA.handlingDepartment) == ["各区役所戸籍住民課", "各支所"]  # L178
    assert _file_values(d, 3, PIA.handlingDepartment) == ["各区役所戸籍住民課"]  # L562
    assert _file_values(d, 1, PIA.acquisitionSource) == [  # L181
        "その他 (地方公共団体情報システム機構)",
        "地方公共団体・地方独立行政法人 (他市町村)",
    ]
    out = _outsourcing(d, 1)
    assert [o["title"] for o in out] == [  # L198, L211, L225, L239, L267
        "住民記録システム運用保守委託",
        "住民基本台帳等作成記録業務",
        "郵便請求対応業務",
        "証明書等の交付及び手数料収納業務",
        "証明発行窓口等業務",
    ]
    assert [o["contractor"] for o in out] == [  # L207, L221, L234, L252, L293
        "株式会社エヌ・ティ・ティ・データ東海",
        "株式会社静岡セイコー",
        "株式会社東海道シグマ",
        "株式会社東海道シグマ",
        "株式会社データサービスセンター(駿河区役所、清水区役所)",
    ]
    assert [o["re"] for o in out] == [False] * 5  # [再委託しない] each
    assert out[1]["content"].startswith(
        "住基法など法令に基づき住民から届け出られた各種届書"
    )  # L212
    assert (
        _outsourcing(d, 2)[0]["title"] == "住基ネットコミュニケーションサーバの運用保守委託"
    )  # L514


def test_000_citations(docs):
    g, a = docs["000"].graph, _assessment(docs["000"])
    link = g.value(a, PIA.networkLinkageBasis)  # L92: 番号法第19条第8号 … 別表第二
    assert _s(g, link, PIA.articleAsWritten) == "番号法第19条第8号"
    assert _s(g, link, PIA.tableAsWritten) == "別表第二"
    assert _s(g, link, PIA.citedTable) == "番号法別表第二"
    assert g.value(link, PIA.citedItem) is None


# --- 001 金沢市 児童手当 重点項目 (tabbed) -----------------------------------------------------


def test_001_values(docs):
    d = docs["001"]
    g, a = d.graph, _assessment(d)
    assert _s(g, a, PIA.assessmentNumber) == "16"  # L6
    assert _s(g, a, DCTERMS.title) == "児童手当に関する事務 重点項目評価書"  # L6
    assert g.value(a, PIA.level) == PIA.FocusedLevel  # L3
    assert _label_of(g, a, PIA.assessingOrganization) == "金沢市長"  # L16
    assert _label_of(g, a, PIA.body) == "金沢市"
    assert g.value(a, DCTERMS.issued).toPython() == dt.date(2025, 1, 14)  # L20 令和7年1月14日
    assert _s(g, a, PIA.taskName) == "児童手当に関する事務"  # L36
    assert _s(g, a, PIA.subjectCountBand) == "10万人以上30万人未満"  # L38
    assert _label_of(g, a, PIA.responsibleDepartment) == "こども未来局子育て支援課"  # L102
    assert _s(g, a, PIA.departmentHead) == "こども未来局子育て支援課長"  # L103
    names = [_s(g, s, RDFS.label) for s in _ordered(g, a, PIA.system)]
    assert (
        len(names) == 8 and names[0] == "福祉保健総合システム" and names[7] == "申請管理システム"
    )  # L43, L88
    assert names[3] == "住民基本台帳ネットワークシステム(市町村CS部分について記載)"  # L65
    use = g.value(a, PIA.numberUseBasis)  # L97: 番号法第9条第1項 主務省令第2の表 第106号
    assert _s(g, use, PIA.tableAsWritten) == "主務省令第2の表"
    assert _s(g, use, PIA.citedTable) == "主務省令第2条の表"
    assert _s(g, use, PIA.citedItem) == "106"
    assert [_s(g, f, RDFS.label) for f in _ordered(g, a, PIA.file)] == [
        "児童手当情報ファイル"
    ]  # L110
    assert _file_values(d, 1, PIA.subjectCount) == ["10万人以上100万人未満"]  # L112
    assert _file_values(d, 1, PIA.recordItemBand) == ["100項目以上"]  # L115
    assert _file_values(d, 1, PIA.userCount) == ["10人以上50人未満"]  # L127
    out = _outsourcing(d, 1)
    assert len(out) == 1  # L134; 委託事項2～5 (L141) is an empty block heading
    assert out[0]["title"] == "福祉保健総合システム運用管理・保守管理・改修業務委託"
    assert out[0]["contractor"] == "富士通Japan株式会社"  # L137
    assert out[0]["re"] is True  # L138 [再委託する]
    assert out[0]["re_content"] == "福祉保健総合システムの品質管理、問題点管理、QA対応"  # L140


# --- 002 旭川市 committee material + draft (plain text, layout order) ------------------------


def test_002_committee_material_and_draft_cover(docs):
    d = docs["002"]
    g, a = d.graph, _assessment(d)
    assert d.kind == "CommitteeMaterial"
    assert (
        g.value(
            URIRef(g.value(a, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))), PIA.documentKind
        )
        == PIA.CommitteeMaterial
    )
    assert g.value(a, PIA.isDraft).toPython() is True
    assert _s(g, a, PIA.source).startswith(
        "002_aa3841ff71230e60.txt#L426-"
    )  # the draft starts at L426
    assert _s(g, a, DCTERMS.title) == "住民基本台帳関係事務 全項目評価書(案)"  # L442
    assert _s(g, a, PIA.assessmentNumber) == "1"  # L446
    assert _label_of(g, a, PIA.assessingOrganization) == "旭川市長"  # L430
    assert _s(g, a, PIA.templateVersion) == "令和6年10月 様式4"  # L436 [令和６年10月　様式４]
    assert _s(g, a, PIA.taskName) == "住民基本台帳関係事務"  # L553
    assert _s(g, a, PIA.subjectCountBand) == "30万人以上"  # L561
    assert (
        _label_of(g, a, PIA.responsibleDepartment) == "市民生活部市民課"
    )  # L970 旭川市市民生活部市民課
    assert _s(g, a, PIA.departmentHead) == "市民課長"  # L972
    assert _s(g, a, PIA.networkLinkage) == "実施する"  # L1002


def test_002_systems_files_outsourcing(docs):
    d = docs["002"]
    g, a = d.graph, _assessment(d)
    by_order = {int(g.value(s, PIA.order)): _s(g, s, RDFS.label) for s in g.objects(a, PIA.system)}
    assert (
        by_order[1] == "住民記録システム(以下「既存住基システム」という。)"
    )  # L557 after システム1
    assert by_order[3] == "中間サーバコネクタ"  # L592 after システム3 (printed before システム2)
    assert by_order[2] == "庁内連携基盤"  # L623
    assert by_order[8] == "マイナンバーカード交付予約管理システム"  # L941
    assert any(
        "他のシステムとの接続" in w for w in d.warnings
    )  # scattered boxes: said, not guessed
    files = [_s(g, f, RDFS.label) for f in _ordered(g, a, PIA.file)]
    assert files == [
        "住民基本台帳ファイル",
        "本人確認情報ファイル",
        "送付先情報ファイル",
    ]  # L873-L875
    assert _file_values(d, 1, PIA.subjectCount) == ["10万人以上100万人未満"]  # L1304
    assert _file_values(d, 1, PIA.recordItemBand) == ["50項目以上100項目未満"]  # L1330
    # L2210: file 2's 記録される項目 is printed before file 2's heading (L2220)
    assert _file_values(d, 2, PIA.recordItemBand) == ["10項目以上50項目未満"]
    assert _file_values(d, 1, PIA.userCount) == ["100人以上500人未満"]  # L1465
    assert "東部まちづくりセンター" in _file_values(
        d, 1, PIA.usingDepartment
    )  # L1459-L1460 wrapped
    assert _file_values(d, 2, PIA.acquisitionSource) == ["その他 (自部署)"]
    out = _outsourcing(d, 1)
    assert [o["contractor"] for o in out] == [  # L1554, L1634, L1713, L1802, L1881
        "旭川保健医療情報センター",
        "日本電気株式会社",
        "非公開",
        "富士フイルムシステムサービス株式会社",
        "株式会社テクノラボ",
    ]
    assert out[2]["title"] == "データセンター運用業務"  # L1672
    assert out[2]["re_content"] == "データセンターの運用業務について再委託している。"  # L1735
    out3 = _outsourcing(d, 3)
    assert [o["contractor"] for o in out3] == ["富士通JAPAN株式会社", "未定"]  # L2814, L2902
    assert [o["re"] for o in out3] == [False, True]  # L2824, L2912


def test_002_system_functions_listed_by_circled_points(docs):
    """Functions written as a circled list ("①符号管理機能：…") are read, and the boxes of
    the next item printed right under them ("[ ○ ] その他 （ …", "] 税務システム") are not."""
    d = docs["002"]
    g, a = d.graph, _assessment(d)
    fn = {int(g.value(s, PIA.order)): _s(g, s, PIA.functionText) for s in g.objects(a, PIA.system)}
    assert fn[6].startswith("1符号管理機能:情報照会、情報提供に用いる個人の識別子である「符号」")  # L844
    assert fn[6].endswith("保管期限切れ情報の削除を行う機能。")  # L863-L864, ⑩システム管理機能
    assert fn[5].startswith("1既存システム連携機能")  # L726
    assert fn[5].endswith("(コンビニ交付・らくらく証明)における帳票発行")  # L729; L731 is a box
    assert "[" not in fn[3] and fn[3].endswith("オフラインデータ連携用の媒体作成を行う。")  # L603; L605 a box
    assert not any("システム5: ②システムの機能" in w or "システム6: ②システムの機能" in w for w in d.warnings)
    assert any(":559: システム1: ②システムの機能" in w for w in d.warnings)  # printed above the heading


# --- 003 新宿区 変更箇所一覧 --------------------------------------------------------------------


def test_003_change_list(docs):
    d = docs["003"]
    g, a = d.graph, _assessment(d)
    assert d.kind == "ChangeListDocument"
    assert _label_of(g, a, PIA.body) == "新宿区"  # L69 新宿区番号条例
    assert g.value(a, PIA.level) is None and g.value(a, DCTERMS.title) is None
    assert list(g.objects(a, PIA.system)) == [] and list(g.objects(a, PIA.file)) == []
    assert any("変更箇所一覧" in w and ":1:" in w for w in d.warnings)


# --- 004 群馬県 住基ネット (layout order) ---------------------------------------------------------


def test_004_layout_order(docs):
    d = docs["004"]
    g, a = d.graph, _assessment(d)
    assert _s(g, a, DCTERMS.title) == (  # L8-L9, wrapped
        "住民基本台帳ネットワークシステムに係る本人確認情報の管理及び提供等に関する事務 全項目評価書"
    )
    assert _label_of(g, a, PIA.assessingOrganization) == "群馬県知事"  # L26, two labels away
    assert _label_of(g, a, PIA.body) == "群馬県"
    assert _s(g, a, PIA.templateVersion) == "平成30年5月 様式4"  # L2
    assert g.value(a, PIA.assessmentNumber) is None  # the cover has no number; warned
    assert any("評価書番号" in w for w in d.warnings)
    assert (
        _s(g, a, PIA.taskName)
        == "住民基本台帳ネットワークシステムに係る本人確認情報の管理及び提供等に関する事務"
    )  # L76
    assert _s(g, a, PIA.networkLinkage) == "実施しない"  # L182
    assert _label_of(g, a, PIA.responsibleDepartment) == "総務部市町村課"  # L229
    assert _s(g, a, PIA.departmentHead) == "課長"  # L231
    use = g.value(a, PIA.numberUseBasis)
    assert _s(g, use, PIA.articleAsWritten).startswith("住民基本台帳法")  # L172
    systems = _ordered(g, a, PIA.system)
    assert [_s(g, s, RDFS.label) for s in systems] == ["住民基本台帳ネットワークシステム"]  # L99
    assert [_s(g, f, RDFS.label) for f in _ordered(g, a, PIA.file)] == [
        "都道府県知事保存本人確認情報ファイル"
    ]
    assert _file_values(d, 1, PIA.subjectCount) == ["100万人以上1,000万人未満"]  # L322
    assert _file_values(d, 1, PIA.recordItemBand) == ["10項目以上50項目未満"]  # L290
    assert _file_values(d, 1, PIA.userCount) == ["10人未満"]  # L512
    assert _file_values(d, 1, PIA.handlingDepartment) == ["総務部市町村課"]  # L374
    assert _file_values(d, 1, PIA.acquisitionSource) == ["地方公共団体・地方独立行政法人"]  # L388
    out = _outsourcing(d, 1)
    assert [o["contractor"] for o in out] == [
        "地方公共団体情報システム機構",
        "株式会社ジーシーシー",
    ]  # L605, L712
    assert out[0]["title"] == "都道府県サーバの運用及び監視に関する業務"  # L551
    # L593: 委託事項2's heading stands alone; its title is on a line of its own at L613
    assert out[1]["title"] == "群馬県住民基本台帳ネットワークシステムに係る代表端末等機器の運用保守業務"
    assert (
        out[1]["content"]
        == "代表端末及び業務端末等の機器の運用支援、システム障害時の復旧作業等を行う。"
    )  # L596
    assert [o["re"] for o in out] == [True, True]  # L607, L718


# --- cross-cutting ------------------------------------------------------------------------------


def test_provenance_on_every_fact_and_within_the_file(docs):
    for key, d in docs.items():
        g = d.graph
        n_lines = len((SEED_000.parent / f"{d.doc_id}.txt").read_text(encoding="utf-8").split("\n"))
        for node in set(g.subjects(RDF.type, None)):
            types = set(g.objects(node, RDF.type))
            if types & {
                PIA.Assessment,
                PIA.System,
                PIA.PersonalInformationFile,
                PIA.Outsourcing,
                PIA.LegalCitation,
            }:
                src = g.value(node, PIA.source)
                assert src is not None, (key, node)
                start, end = int(g.value(node, PIA.lineStart)), int(g.value(node, PIA.lineEnd))
                assert 1 <= start <= end <= n_lines + 1, (key, node, start, end)
                assert str(src) == f"{d.doc_id}.txt#L{start}-L{end}"


def test_contractor_name_is_on_its_source_lines(docs):
    """The provenance of a 委託事項 covers the line where its 委託先名 is written."""
    for d in docs.values():
        lines = (SEED_000.parent / f"{d.doc_id}.txt").read_text(encoding="utf-8").split("\n")
        g = d.graph
        for o in g.subjects(RDF.type, PIA.Outsourcing):
            name = str(g.value(o, PIA.contractorName))
            start, end = int(g.value(o, PIA.lineStart)), int(g.value(o, PIA.lineEnd))
            text = "".join(lines[start - 1 : end])
            from pia_kg.text.widths import compact

            assert compact(name) in compact(text), (d.doc_id, name, start, end)


def test_departments_one_node_per_unit_whatever_the_spacing():
    assert split_unit("静岡市 市民局　戸籍管理課", "静岡市") == split_unit(
        "市民局戸籍管理課", "静岡市"
    )
    assert split_unit("旭川市市民生活部市民課", "旭川市").segments == ("市民生活部", "市民課")
    assert split_unit("課税課").segments == ("課税課",)  # 課 inside a name does not cut it
    assert unit_iri("静岡市", ["市民局", "戸籍管理課"]) == unit_iri(
        "静岡市", ["市民局 ", "戸籍管理課"]
    )


def test_unit_hierarchy_in_graph(docs):
    g = docs["000"].graph
    unit = unit_iri("静岡市", ["市民局", "戸籍管理課"])
    parent = g.value(unit, ORG.unitOf)
    assert parent == unit_iri("静岡市", ["市民局"])
    assert g.value(parent, PIA.unitLevel) == Literal("局")
    assert g.value(unit, PIA.unitLevel) == Literal("課")
    assert _s(g, unit, PIA.unitName) == "戸籍管理課"
    assert (g.value(parent, ORG.unitOf), RDF.type, PIA.PublicBody) in g


def test_labels_are_matched_across_layouts():
    assert match_label(" ⑥委託先名 株式会社ジーシーシー").rest == "株式会社ジーシーシー"
    assert match_label("⑤委託先名の確認方法").key == "contractor_check"
    assert match_label("法令上の根拠").key == "number_use_basis"
    assert match_label("②法令上の根拠").key == "linkage_basis"
    assert match_label(" ３．特定個人情報ファイル名").key == "file_names"
    assert match_label("委託事項2～5") is None


@pytest.fixture(scope="module")
def store(docs):
    st = open_store("memory")
    st.replace_graphs({d.graph_iri: d.graph for d in docs.values()})
    rederive(st)  # the ontology graph, whose labels name the levels
    return st


def test_named_query_assessments(store):
    r = run_query(store, "assessments", {})
    assert r.variables == [
        "assessment",
        "organization",
        "body",
        "title",
        "level",
        "published",
        "office",
        "department",
        "source",
    ]
    rows = {row["body"]: row for row in r.values()}
    assert set(rows) == {"静岡市", "金沢市", "旭川市", "新宿区", "群馬県"}
    assert rows["金沢市"]["published"] == "2025-01-14"
    assert rows["金沢市"]["level"] == "重点項目評価書"
    assert rows["静岡市"]["office"] == "戸籍管理課長"
    assert rows["群馬県"]["organization"] == "群馬県知事"
    only = run_query(store, "assessments", {"body": "静岡市"}).values()
    assert [row["department"] for row in only] == ["市民局戸籍管理課"]


def test_named_queries_systems_files_outsourcing(store):
    systems = run_query(store, "systems", {}).values()
    assert len(systems) == 5 + 8 + 8 + 1
    files = run_query(store, "files", {}).values()
    assert [f["name"] for f in files if f["source"].startswith("004")] == [
        "都道府県知事保存本人確認情報ファイル"
    ]
    out = run_query(store, "outsourcing", {"contractor": "株式会社ジーシーシー"})
    assert out.variables == ["assessment", "file", "title", "contractor", "reoutsourcing", "source"]
    rows = out.values()
    assert len(rows) == 1 and rows[0]["file"] == "都道府県知事保存本人確認情報ファイル"
    assert rows[0]["source"].startswith("004_3b0bc6d58fb0621c.txt#L593-")


def test_loading_twice_gives_the_same_graph():
    from rdflib.compare import isomorphic

    assert isomorphic(load_assessment(SEED_001).graph, load_assessment(SEED_001).graph)


def test_seed_paths_exist():
    for p in (SEED_000, SEED_001, SEED_002, SEED_003, SEED_004):
        assert p.exists()


def test_004_outsourcing_title_printed_apart(docs):
    """委託事項2 (heading alone at L593) has its title on a line of its own at L613, among
    its items (①委託内容 L595 "代表端末及び業務端末等の機器の運用支援…")."""
    d = docs["004"]
    g = d.graph
    titles = {
        int(g.value(n, PIA.order)): str(g.value(n, DCTERMS.title))
        for n in g.subjects(RDF.type, PIA.Outsourcing)
    }
    assert titles == {
        1: "都道府県サーバの運用及び監視に関する業務",  # L551, beside its heading
        2: "群馬県住民基本台帳ネットワークシステムに係る代表端末等機器の運用保守業務",  # L613
    }
    assert any(":593:" in w and "613" in w for w in d.warnings)  # still said where it came from


def test_connections_not_read_are_said(docs):
    """Layout order: 004 prints ③他のシステムとの接続 at L69, before section I, its boxes split
    over L71 and L149-L159 with no "○" among them; in 002 the boxes of the eight systems
    interleave (L578-L870, e.g. "[ ○" at L611 closed by "] 既存住民基本台帳システム" at L615).
    Nothing is guessed and each system without connections says so."""
    for key, systems in (("004", [1]), ("002", [1, 2, 3, 4, 5, 6, 7, 8])):
        d = docs[key]
        g, a = d.graph, _assessment(d)
        assert all(g.value(s, PIA.connectedSystem) is None for s in g.objects(a, PIA.system))
        said = {int(w.split("システム")[1].split(":")[0]) for w in d.warnings if "他のシステムとの接続" in w}
        assert said == set(systems)
