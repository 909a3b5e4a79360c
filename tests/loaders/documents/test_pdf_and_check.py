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

import pytest

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


def test_pdftotext_layout_gives_the_same_facts(tmp_path):
    """``pdftotext -layout`` (poppler-utils; .ci/run installs it) is one more text layout."""
    txt, pdf, layout = tmp_path / "basic.txt", tmp_path / "basic.pdf", tmp_path / "layout.txt"
    txt.write_text(_text(), encoding="utf-8")
    _pdf(pdf)
    subprocess.run(["pdftotext", "-layout", str(pdf), str(layout)], check=True, timeout=60)
    assert "日野市長 大坪 冬彦" in " ".join(layout.read_text(encoding="utf-8").split())
    assert _facts(layout) == _facts(txt)


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


def test_pdf_grid_merged_cells_boxes_and_a_vertical_label(tmp_path):
    """A label cell spanning three rows comes back once (the rows below leave it empty, as a
    converter's merged cell); a label printed one character per line reads as one word; a
    checkbox stays whole inside its cell."""
    from reportlab.lib import colors
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from pia_kg.loaders.documents.pdf import pdf_lines

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    rows = [
        ["提\n供\n先\n1", "①法令上の根拠", "番号法第19条第8号 別表第二の16の項"],
        ["", "②提供先における用途", "予防接種の実施に関する事務"],
        ["", "⑥提供方法", "[ ○ ] 情報提供ネットワークシステム [ ] 紙"],
    ]
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("FONT", (0, 0), (-1, -1), "HeiseiKakuGo-W5", 8),
            ("SPAN", (0, 0), (0, 2)),
        ]
    )
    pdf = tmp_path / "grid.pdf"
    SimpleDocTemplate(str(pdf)).build([Table(rows, colWidths=[30, 120, 300], style=style)])
    lines = pdf_lines(pdf)
    assert lines == [
        "提供先1\t①法令上の根拠\t番号法第19条第8号 別表第二の16の項",
        "\t②提供先における用途\t予防接種の実施に関する事務",
        "\t⑥提供方法\t[ ○ ] 情報提供ネットワークシステム [ ] 紙",
    ]


def test_cover_grid_with_wrapped_cells(tmp_path):
    """The cover as the form prints it (a header row 評価書番号 | 評価書名 over its values, the
    宣言 label wrapped in a narrow column beside a long declaration, the holder's name after
    the post) reads the same from the PDF and from ``pdftotext -layout``."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from pia_kg.loaders.documents.assessment import read_source
    from pia_kg.loaders.documents.cover import read_cover
    from pia_kg.loaders.documents.form import Form

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    style = ParagraphStyle("ja", fontName="HeiseiKakuGo-W5", fontSize=10, leading=12, wordWrap="CJK")

    def p(text: str) -> Paragraph:
        return Paragraph(text, style)

    declaration = "東山町は、予防接種に関する事務における特定個人情報ファイルの取扱いにあたり、" * 3
    rows = [
        [p("評価書番号"), p("評価書名")],
        [p("5"), p("予防接種に関する事務 基礎項目評価書")],
        [p("個人のプライバシー等の権利利益の保護の宣言"), p(declaration + "宣言する。")],
        [p("特記事項"), p("")],
        [p("評価実施機関名"), p("東山町長 山田 太郎")],
        [p("公表日"), p("令和2年6月1日")],
    ]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
    pdf = tmp_path / "cover.pdf"
    SimpleDocTemplate(str(pdf)).build(
        [p("特定個人情報保護評価書(基礎項目評価書)"), Table(rows, colWidths=[110, 330], style=grid),
         p("[平成30年5月 様式2]"), p("Ⅰ 関連情報")]
    )
    layout = tmp_path / "cover.txt"
    subprocess.run(["pdftotext", "-layout", str(pdf), str(layout)], check=True, timeout=60)
    for path in (pdf, layout):
        c = read_cover(Form(read_source(path)))
        got = (c.level, c.number, c.title, c.organization, str(c.published), c.template_version)
        assert got == (
            "BasicLevel", "5", "予防接種に関する事務 基礎項目評価書", "東山町長", "2020-06-01",
            "平成30年5月 様式2",
        ), path.name


def test_pdfium_text_fallback_reads_the_same_cover(tmp_path):
    """pypdfium2's plain text (the fallback when pdfplumber cannot open a file) feeds the same
    reader: the cover reads the same."""
    from pia_kg.loaders.documents.cover import read_cover
    from pia_kg.loaders.documents.form import Form
    from pia_kg.loaders.documents.pdf import _pdfium_lines
    from pia_kg.loaders.documents.source import SourceText

    pdf = tmp_path / "basic.pdf"
    _pdf(pdf)
    lines = _pdfium_lines(pdf)
    c = read_cover(Form(SourceText.from_text(pdf, "\n".join(lines), "x")))
    assert (c.number, c.organization, str(c.published), c.level) == ("12", "日野市長", "2024-07-01", "BasicLevel")


def test_not_a_pdf_is_rejected(tmp_path):
    from pia_kg.errors import LoaderError

    p = tmp_path / "fake.pdf"
    p.write_bytes(b"this is not a pdf")
    with pytest.raises(LoaderError, match="not a PDF"):
        load_assessment(p)
