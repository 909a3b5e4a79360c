"""III リスク対策: each risk (リスク1: …), the measures written under it, and its rating.

Section III repeats, per file and per stage (2. 入手, 3. 使用, 4. 委託, 5. 提供・移転, …),
a risk heading "リスク1： 目的外の入手が行われるリスク", rows of measures whose labels
vary by risk (リスクに対する措置の内容, 具体的な管理方法, ⑤物理的対策 …) and the
question "リスクへの対策は十分か" answered by the chosen option in brackets ("[十分である]").
Some measure rows carry their own rating ("⑤物理的対策 [十分に行っている]"), kept too. Each
stage ends with "…におけるその他のリスク及びそのリスクに対する措置", kept as one more risk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Literal

from pia_kg.japanese import compact, nfkc
from pia_kg.loaders.annex_tables import join_wrapped
from pia_kg.loaders.assessment_context import AssessmentContext
from pia_kg.loaders.builder import DocumentGraph
from pia_kg.loaders.source import SourceText, clean_cell
from pia_kg.loaders.template import CHOICE_MARKER, NUMBERED_HEADING

__all__ = ["Risk", "read_risks", "extract_risks", "RATINGS"]

from pia_kg.vocab import PIA, XSD

RATINGS = ("特に力を入れて行っている", "特に力を入れている", "十分に行っていない", "十分に行っている", "十分である", "課題が残されている")
_RATING = re.compile(r"(?:\[|<input[^>]*>)\s*(" + "|".join(RATINGS) + r")")
_RISK = re.compile(r"^\s*リスク\s*(?P<n>\d*)\s*[:：]\s*(?P<label>\S.*?)\s*$")
_OTHER = re.compile(r"その他のリスク及びそのリスクに対する措置")
_SECTION_III = re.compile(r"^\s*III\s*(?:特定個人情報ファイルの取扱いプロセスにおけるリスク対策|リスク対策)")
_SECTION_END = re.compile(r"^\s*(?:IV|V|VI)\s*\S|^\s*[(（]別添")
_SUFFICIENT = "リスクへの対策は十分か"


@dataclass
class Risk:
    category: str
    label: str
    start: int
    end: int
    measures: list[str] = field(default_factory=list)
    ratings: list[str] = field(default_factory=list)


def read_risks(src: SourceText) -> list[Risk]:
    """Every risk of every section III of the document, in order."""
    lines = src.lines
    risks: list[Risk] = []
    in_iii = False
    category = ""
    current: Risk | None = None
    for number, raw in enumerate(lines, start=1):
        text = nfkc(raw.replace("\t", " ")).strip()
        if _SECTION_III.match(text):
            in_iii, current = True, None
            continue
        if not in_iii:
            continue
        if _SECTION_END.match(text):
            in_iii, current = False, None
            continue
        heading = NUMBERED_HEADING.match(text)
        if heading and not CHOICE_MARKER.match(text) and not heading["title"].startswith("特定個人情報ファイル名"):
            category = clean_cell(heading["title"]).split(" [")[0].strip()
            current = None
            continue
        m = _RISK.match(text)
        if m:
            current = Risk(category, clean_cell(m["label"]), number, number)
            risks.append(current)
            continue
        first_cell = clean_cell(raw.split("\t")[0])
        if _OTHER.search(first_cell) and category:
            current = Risk(category, first_cell, number, number)
            risks.append(current)
            rest = clean_cell(" ".join(raw.split("\t")[1:]))
            if rest:
                current.measures.append(rest)
            continue
        if current is None or not raw.strip():
            continue
        current.end = number
        for found in _RATING.finditer(nfkc(raw)):
            if found[1] not in current.ratings:
                current.ratings.append(found[1])
        _add_measure(current, raw)
    return risks


def _add_measure(risk: Risk, raw: str) -> None:
    """A measure row: "label<TAB>value" in tabbed text, or a line of text in plain text."""
    cells = [clean_cell(c) for c in raw.split("\t")]
    cells = [c for c in cells if c]
    if not cells:
        return
    label = compact(cells[0])
    if label.startswith(_SUFFICIENT) or CHOICE_MARKER.search(nfkc(cells[0])) or re.fullmatch(r"[\[\]\s]*", cells[0]):
        return
    if len(cells) >= 2:
        value = re.sub(r"\s*<\s*選択肢\s*>.*$", "", " ".join(cells[1:]))
        if value and value not in {"—", "-", "－"}:
            risk.measures.append(f"{cells[0]}：{value}")
        return
    # Plain text: the lines of a measure follow their label; join them as one text.
    text = cells[0]
    if _RATING.search(nfkc(raw)) or re.match(r"^[0-9]\)\s", nfkc(text)):
        return
    if risk.measures and not risk.measures[-1].endswith("。") and not text.startswith(("・", "<", "＜", "①")):
        risk.measures[-1] = join_wrapped([risk.measures[-1], text])
    else:
        risk.measures.append(text)


def extract_risks(src: SourceText, dg: DocumentGraph, ctx: AssessmentContext) -> None:
    """One ``pia:Risk`` per risk, linked from the assessment (none for a 変更箇所一覧)."""
    if ctx.kind == "ChangeListDocument":
        return  # its section III passages are changed text, not the assessment's risks
    for order, risk in enumerate(read_risks(src), start=1):
        node = dg.fact("risk", str(risk.start), PIA.Risk, risk.start, risk.end)
        dg.add(ctx.assessment, PIA.risk, node)
        dg.add(node, PIA.order, Literal(order, datatype=XSD.integer))
        dg.add(node, PIA.riskCategory, risk.category)
        dg.label(node, risk.label)
        for measure in risk.measures:
            dg.add(node, PIA.measure, measure)
        for rating in risk.ratings:
            dg.add(node, PIA.rating, rating)
