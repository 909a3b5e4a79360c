"""III リスク対策: each risk (リスク1: …), the measures written under it, and its rating.

Section III repeats, per file and per stage (2. 入手, 3. 使用, 4. 委託, 5. 提供・移転, …),
a risk heading "リスク1： 目的外の入手が行われるリスク", rows of measures whose labels
vary by risk (リスクに対する措置の内容, 具体的な管理方法, ⑤物理的対策 …) and the
question "リスクへの対策は十分か" answered by the chosen option in brackets ("[十分である]").
Some measure rows carry their own rating ("⑤物理的対策 [十分に行っている]"), kept too. Each
stage ends with "…におけるその他のリスク及びそのリスクに対する措置", kept as one more risk.

In layout-order text (labels and values printed apart) a risk's heading, its rows and its
answer drift apart, and so do the stage headings. The answers are therefore collected apart
and paired afterwards, one per numbered risk, and a risk's stage is told by its label as the
form prints it (template.RISK_STAGES) rather than by the nearest stage heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pia_kg.loaders.documents.annex_tables import join_wrapped
from pia_kg.loaders.documents.assessment_context import AssessmentContext
from pia_kg.loaders.documents.builder import DocumentGraph, integer_literal
from pia_kg.loaders.documents.layout import cells_of
from pia_kg.loaders.documents.source import SourceText, clean_cell
from pia_kg.loaders.documents.template import CHOICE_MARKER, NUMBERED_HEADING, RISK_STAGES
from pia_kg.text.widths import compact, nfkc

__all__ = ["Risk", "read_risks", "extract_risks", "RATINGS"]

from pia_kg.loaders.documents.terms import PIA

RATINGS = ("特に力を入れて行っている", "特に力を入れている", "十分に行っていない", "十分に行っている", "十分である", "課題が残されている")
_RATING = re.compile(r"(?:\[|<input[^>]*>)\s*(" + "|".join(RATINGS) + r")")
_RISK = re.compile(r"^\s*リスク\s*(?P<n>\d*)\s*[:：]\s*(?P<label>\S.*?)\s*$")
_OTHER = re.compile(r"その他のリスク及びそのリスクに対する措置")
_SECTION_III = re.compile(r"^\s*III\s*(?:特定個人情報ファイルの取扱いプロセスにおけるリスク対策|リスク対策)")
_SECTION_END = re.compile(r"^\s*(?:IV|V|VI)\s*\S|^\s*[(（]別添")
_SUFFICIENT = "リスクへの対策は十分か"
_EMPTY_BOX = re.compile(r"[\[\]\s]*")
_CHOICES_AFTER = re.compile(r"\s*<\s*選択肢\s*>.*$")  # "<選択肢> 1) …" printed after a value
_NUMBERED_OPTION = re.compile(r"^[0-9]\)\s")


@dataclass
class Risk:
    category: str
    label: str
    start: int
    end: int
    measures: list[str] = field(default_factory=list)
    ratings: list[str] = field(default_factory=list)
    number: int | None = None  # N of "リスクN：", None for the その他 rows
    region: int = 0  # which section III (one per file) the risk was printed in


@dataclass
class _Answer:
    """One "リスクへの対策は十分か" line: the chosen rating, or None when left blank."""

    line: int
    rating: str | None
    region: int


def read_risks(src: SourceText) -> list[Risk]:
    """Every risk of every section III of the document, in order, each with its own rating."""
    lines, folded = src.lines, src.folded_lines
    risks: list[Risk] = []
    answers: list[_Answer] = []
    in_iii = False
    region = 0
    category = ""
    current: Risk | None = None
    for number, raw in enumerate(lines, start=1):
        text = folded[number - 1].replace("\t", " ").strip()  # NFKC keeps tabs as they are
        if _SECTION_III.match(text):
            # A heading printed below its page's first risks continues the open section.
            region += 0 if in_iii else 1
            in_iii, current = True, None
            continue
        m = _RISK.match(text)
        if not in_iii and m and _stages_of(m["label"]):
            # Layout order can print a page's risks above the section heading.
            in_iii, current, region = True, None, region + 1
        if _SECTION_END.match(text):
            in_iii, current = False, None
            answers = [a for a in answers if a.region <= region]
            continue
        if not in_iii:
            if _SUFFICIENT in compact(text):
                # Layout order can print a page's last answer above the section heading too.
                answers.append(_answer(number, raw, region + 1))
            continue
        heading = NUMBERED_HEADING.match(text)
        if heading and not CHOICE_MARKER.match(text) and not heading["title"].startswith("特定個人情報ファイル名"):
            category = clean_cell(heading["title"]).split(" [")[0].strip()
            current = None
            continue
        if m:
            current = Risk(category, clean_cell(m["label"]), number, number, number=int(m["n"] or 0), region=region)
            risks.append(current)
            continue
        first_cell = clean_cell(cells_of(raw)[0])
        if _OTHER.search(first_cell) and category:
            current = Risk(_stage_named_in(first_cell) or category, first_cell, number, number, region=region)
            risks.append(current)
            rest = clean_cell(" ".join(cells_of(raw)[1:]))
            if rest:
                current.measures.append(rest)
            continue
        if _SUFFICIENT in compact(text):
            answers.append(_answer(number, raw, region))
            if current is not None:
                current.end = number
            continue
        if current is None or not raw.strip():
            continue
        current.end = number
        for found in _RATING.finditer(folded[number - 1]):
            if found[1] not in current.ratings:
                current.ratings.append(found[1])
        _add_measure(current, raw)
    for r in sorted({r.region for r in risks}):
        _pair_answers([x for x in risks if x.region == r and x.number is not None], [a for a in answers if a.region == r])
    return risks


def _answer(number: int, raw: str, region: int) -> _Answer:
    found = _RATING.search(nfkc(raw))
    return _Answer(number, found[1] if found else None, region)


def _stages_of(label: str) -> frozenset[str]:
    """The stages of the form that print a risk with this label (empty if not a form label)."""
    return _stages_by_label().get(compact(nfkc(clean_cell(label))), frozenset())


@lru_cache(maxsize=1)  # asked of every line of section III: the form's labels compared once
def _stages_by_label() -> dict[str, frozenset[str]]:
    """Each label of ``RISK_STAGES`` as labels are compared (NFKC, no spaces), with the stages
    that print it."""
    stages: dict[str, set[str]] = {}
    for stage, labels in RISK_STAGES.items():
        for label in labels:
            stages.setdefault(compact(nfkc(label)), set()).add(stage)
    return {key: frozenset(found) for key, found in stages.items()}


def _stage_named_in(text: str) -> str | None:
    """The stage an "…におけるその他のリスク" row names at its start."""
    key = compact(nfkc(text))
    for stage in RISK_STAGES:
        if key.startswith(compact(nfkc(stage))):
            return nfkc(stage)
    return None


def _groups(numbered: list[Risk]) -> list[list[Risk]]:
    """Numbered risks cut into stages: a repeated N, or a label the stage does not print, starts the next.

    A risk whose label is not the form's (another level of the form, a typo) keeps the stage
    of the heading above it and joins a stage only under that same heading.
    """
    groups: list[list[Risk]] = []
    stages: set[str] = set()
    for risk in numbered:
        own = _stages_of(risk.label)
        fits = (own & stages) if own else (groups and groups[-1][-1].category == risk.category)
        if groups and risk.number not in {r.number for r in groups[-1]} and fits:
            groups[-1].append(risk)
            stages &= own or stages
        else:
            groups.append([risk])
            stages = set(own or RISK_STAGES)
    for group in groups:
        common = set(RISK_STAGES)
        for risk in group:
            common &= _stages_of(risk.label) or common
        if len(common) == 1:
            stage = nfkc(next(iter(common)))
            for risk in group:
                if _stages_of(risk.label):
                    risk.category = stage
    return groups


def _pair_answers(numbered: list[Risk], answers: list[_Answer]) -> None:
    """Give each numbered risk the one "リスクへの対策は十分か" answer that is its own.

    The form asks the question once per numbered risk. In tabbed text the answer follows its
    risk; in layout-order text a risk's heading may be printed after its rows and two answers
    may stand together, so an answer goes to the risk printed just above it when that one has
    none yet, else to the nearest risk of the same stage still without an answer.
    """
    if not numbered:
        return
    groups = _groups(numbered)
    group_of = {id(r): i for i, g in enumerate(groups) for r in g}
    answered: set[int] = set()
    for answer in answers:
        above = [r for r in numbered if r.start < answer.line]
        target: Risk | None = None
        if above and id(above[-1]) not in answered:
            target = above[-1]
        else:
            group = groups[group_of[id(above[-1])]] if above else groups[0]
            free = [r for r in group if id(r) not in answered]
            if free:
                target = min(free, key=lambda r: abs(r.start - answer.line))
        if target is None:
            continue
        answered.add(id(target))
        if answer.rating and answer.rating not in target.ratings:
            target.ratings.insert(0, answer.rating)


def _add_measure(risk: Risk, raw: str) -> None:
    """A measure row: "label<TAB>value" in tabbed text, or a line of text in plain text."""
    cells = [clean_cell(c) for c in cells_of(raw)]
    cells = [c for c in cells if c]
    if not cells:
        return
    label = compact(cells[0])
    if label.startswith(_SUFFICIENT) or CHOICE_MARKER.search(nfkc(cells[0])) or _EMPTY_BOX.fullmatch(cells[0]):
        return
    if len(cells) >= 2:
        value = _CHOICES_AFTER.sub("", " ".join(cells[1:]))
        if value and value not in {"—", "-", "－"}:
            risk.measures.append(f"{cells[0]}：{value}")
        return
    # Plain text: the lines of a measure follow their label; join them as one text.
    text = cells[0]
    if _RATING.search(nfkc(raw)) or _NUMBERED_OPTION.match(nfkc(text)):
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
        dg.add(node, PIA.order, integer_literal(order))
        dg.add(node, PIA.riskCategory, risk.category)
        dg.label(node, risk.label)
        for measure in risk.measures:
            dg.add(node, PIA.measure, measure)
        for rating in risk.ratings:
            dg.add(node, PIA.rating, rating)
