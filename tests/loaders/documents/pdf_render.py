"""Render assessment text as a PDF that looks like the form: every tab-separated line a ruled
table row (empty cells of merged spans kept), checkboxes as ``[○]`` / ``[ ]``, other lines as
paragraphs. Pages break between rows, so a 別紙 table runs over several pages.

reportlab's Japanese CID font is used: Debian's Noto CJK is CFF-outlined, which reportlab
cannot embed.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

FONT = "HeiseiKakuGo-W5"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
STYLE = ParagraphStyle("ja", fontName=FONT, fontSize=6, leading=7, wordWrap="CJK")
GRID = TableStyle(
    [("GRID", (0, 0), (-1, -1), 0.3, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
)
WIDTH = 800


def _cell(raw: str) -> str:
    """A converter's cell as the PDF printed it: boxes as [○] / [ ], no HTML tags."""
    t = re.sub(r"<input[^>]*checked[^>]*>", "[○]", raw)
    t = re.sub(r"<input[^>]*>", "[ ]", t)
    t = re.sub(r"</?(p|br|div|tr|li|ul)\b[^>]*>", " ", t)
    t = re.sub(r"<[^>]+>", "", t)
    return html.escape(html.unescape(t))


def render_text(text: str, out: Path, *, page_height: int = 1200) -> None:
    story = []
    for line in text.split("\n"):
        if "\t" in line:
            cells = line.split("\t")
            width = WIDTH / len(cells)
            row = [Paragraph(_cell(c), STYLE) for c in cells]
            story.append(Table([row], colWidths=[width] * len(cells), style=GRID))
        elif line.strip():
            story.append(Paragraph(_cell(line), STYLE))
    doc = SimpleDocTemplate(str(out), pagesize=(WIDTH + 40, page_height), leftMargin=20, rightMargin=20)
    doc.build(story)
