"""PDF input and the quality report.

The PDFs are made here with reportlab in its Japanese CID font: the cover and Ⅰ 関連情報 of a 基礎項目評価書
as ruled tables (a merged label cell, ``[ ○ ]`` boxes), and the same content as text. The PDF
must give the same facts as the text.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.vocab import DCTERMS, PIA, RDF, RDFS

PIA_KG = str(Path(sys.executable).with_name("pia-kg"))

# The form as rows of cells: (label, value); None as label continues the merged label above.
COVER = [
    ("評価書番号", "12"),
    ("評価書名", "介護保険に関する事務 基礎項目評価書"),
    ("評価実施機関名", "日野市長 大坪 冬彦"),
    ("公表日", "令和6年7月1日"),
]
SECTION_I = [
    ("①事務の名称", "介護保険に関する事務"),
    ("②事務の概要", "介護保険法に基づく資格管理、賦課、給付を行う。"),
    ("③システムの名称", "1.介護保険システム 2.団体内統合宛名システム 3.中間サーバ"),
    ("2.特定個人情報ファイル名", "(1)介護保険情報ファイル (2)宛名情報ファイル"),
    ("①実施の有無", "[ ○ ] 実施する [ ] 実施しない"),
]


def _text() -> str:
    lines = ["特定個人情報保護評価書(基礎項目評価書)"]
    lines += [f"{k}\t{v}" for k, v in COVER]
    lines += ["[令和4年4月 様式2]", "Ⅰ 関連情報", "1.特定個人情報ファイルを取り扱う事務"]
    lines += [f"{k}\t{v}" for k, v in SECTION_I]
    return "\n".join(lines) + "\n"


def _pdf(path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    # Noto CJK is CFF-outlined, which reportlab cannot embed: its Japanese CID font is used.
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    style = ParagraphStyle("ja", fontName="HeiseiKakuGo-W5", fontSize=9)
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONT", (0, 0), (-1, -1), "HeiseiKakuGo-W5", 9)])

    def table(rows):
        return Table([[k, v] for k, v in rows], colWidths=[140, 340], style=grid)

    story = [Paragraph("特定個人情報保護評価書(基礎項目評価書)", style), table(COVER)]
    story += [Paragraph("[令和4年4月 様式2]", style), Paragraph("Ⅰ 関連情報", style)]
    story += [Paragraph("1.特定個人情報ファイルを取り扱う事務", style), table(SECTION_I)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def _facts(path: Path) -> dict:
    g = load_assessment(path).graph
    a = next(g.subjects(RDF.type, PIA.Assessment))
    org = g.value(a, PIA.assessingOrganization)
    return {
        "number": str(g.value(a, PIA.assessmentNumber)),
        "title": str(g.value(a, DCTERMS.title)),
        "organization": str(g.value(org, RDFS.label)),
        "issued": str(g.value(a, DCTERMS.issued)),
        "level": str(g.value(a, PIA.level)),
        "form": str(g.value(a, PIA.templateVersion)),
        "task": str(g.value(a, PIA.taskName)),
        "systems": sorted(str(g.value(s, RDFS.label)) for s in g.objects(a, PIA.system)),
        "files": sorted(str(g.value(f, RDFS.label)) for f in g.objects(a, PIA.file)),
        "linkage": str(g.value(a, PIA.networkLinkage)),
    }


def test_pdf_gives_the_same_facts_as_its_text(tmp_path):
    txt, pdf = tmp_path / "basic.txt", tmp_path / "basic.pdf"
    txt.write_text(_text(), encoding="utf-8")
    _pdf(pdf)
    from_text = _facts(txt)
    assert from_text["organization"] == "日野市長"
    assert from_text["systems"] == ["中間サーバ", "介護保険システム", "団体内統合宛名システム"]
    assert from_text["files"] == ["介護保険情報ファイル", "宛名情報ファイル"]
    assert _facts(pdf) == from_text


def test_check_reports_without_writing_and_names_duplicates(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(_text(), encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(_text(), encoding="utf-8")
    store = tmp_path / "store"
    proc = subprocess.run(
        [PIA_KG, "--store", str(store), "check", "-f", "json", str(a), str(b)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    reports = json.loads(proc.stdout)
    assert reports[0]["level"] == "BasicLevel"
    assert reports[0]["counts"]["systems"] == 3 and reports[0]["counts"]["files"] == 2
    assert "related_info" in reports[0]["parts"] and reports[0]["ends_early"] is True
    assert reports[1]["duplicate_of"] == "a.txt"
    assert not store.exists()
