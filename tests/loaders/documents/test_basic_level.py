"""The 基礎項目評価書 (様式2): Ⅰ 関連情報's lists, the しきい値判断, and the `files` and
`systems` named queries answering for it as for the other levels.

``data/basic_form.txt`` is written after the published form (cover, Ⅰ 1.–6., Ⅱ 1.–3., Ⅲ, Ⅳ,
変更箇所), one cell per line with page footers (``1/4``) between parts.
"""

from __future__ import annotations

from pathlib import Path

from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.named_queries import run_query
from pia_kg.pipeline import load_documents
from pia_kg.store import open_store
from pia_kg.vocab import PIA, RDF, RDFS

BASIC = Path(__file__).parent / "data" / "basic_form.txt"


def test_basic_form_is_read_whole():
    doc = load_assessment(BASIC)
    g = doc.graph
    a = next(g.subjects(RDF.type, PIA.Assessment))

    def one(p):
        return str(g.value(a, p))

    assert one(PIA.level).endswith("BasicLevel")
    assert one(PIA.templateVersion) == "平成30年5月 様式2"
    assert one(PIA.subjectCountBand) == "1,000人以上1万人未満"
    assert one(PIA.handlerCountBand) == "500人未満"
    assert one(PIA.seriousAccident) == "発生なし"
    assert one(PIA.thresholdResult) == "基礎項目評価の実施が義務付けられる"
    assert one(PIA.networkLinkage) == "実施する"
    assert {str(p) for p in g.objects(a, PIA.partFound)} == {
        "cover", "related_info", "threshold", "threshold_result", "risk_measures", "changes"
    }
    assert g.value(a, PIA.endsEarly).toPython() is False
    systems = sorted((int(g.value(s, PIA.order)), str(g.value(s, RDFS.label))) for s in g.objects(a, PIA.system))
    assert systems == [(1, "健康管理システム"), (2, "団体内統合宛名システム"), (3, "中間サーバー")]
    assert [str(g.value(f, RDFS.label)) for f in g.objects(a, PIA.file)] == ["予防接種情報ファイル"]
    assert len(list(g.objects(a, PIA.numberUseBasis))) == 1


def test_files_and_systems_queries_answer_for_a_basic_assessment(tmp_path):
    store = open_store("memory")
    load_documents(store, [BASIC])
    systems = {str(r[1]) for r in run_query(store, "systems").rows}
    files = {str(r[1]) for r in run_query(store, "files").rows}
    assert systems == {"健康管理システム", "団体内統合宛名システム", "中間サーバー"}
    assert "予防接種情報ファイル" in files
