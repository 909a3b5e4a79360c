"""The cover of an assessment and the kind of document it is.

The cover holds 評価書番号, 評価書名, 評価実施機関名, 公表日 and the 様式 version. In tabbed
layouts they sit next to their labels; in layout-order text the values may come before or
after their labels, so each value is checked against the shape it must have (a number, a
title ending in 評価書, a post such as 市長 or 知事, a date) and, when the value next to the
label is not of that shape, looked for among the cover's lines.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pia_kg.errors import DocumentKindError
from pia_kg.loaders.documents.form import Form
from pia_kg.loaders.documents.source import clean_cell
from pia_kg.loaders.documents.template import COVER_TITLE, LEVELS
from pia_kg.text.japanese import compact, nfkc, wareki_to_date

__all__ = ["Cover", "read_cover", "body_of_organization", "find_body"]

_POST = r"(?:市長|区長|町長|村長|知事|長|委員会|大臣|機構|管理者)"
_ORG = re.compile(rf"^[^\s、。]{{1,24}}{_POST}$")
_BODY = re.compile(r"^(?P<body>.{1,12}?(?:都|道|府|県|市|区|町|村))(?=.{0,12}$)")
_TEMPLATE = re.compile(r"\[?\s*(?P<v>(?:平成|令和)\s*\S+?\s*年\s*\S+?\s*月\s*様式\s*\d+)\s*\]?")
_CHANGE_LIST = re.compile(r"変更箇所一覧")
_COMMITTEE = re.compile(r"意見|パブリック|委員会|審議|諮問")


@dataclass
class Cover:
    """What the cover says, each value with the line it was read from (0 when absent)."""

    kind: str
    start: int  # first line of the assessment proper (after any committee material)
    title_line: int
    level: str | None = None
    number: str | None = None
    number_line: int = 0
    title: str | None = None
    title_lines: tuple[int, int] = (0, 0)
    organization: str | None = None
    organization_line: int = 0
    published: dt.date | None = None
    published_line: int = 0
    template_version: str | None = None
    template_line: int = 0
    body: str | None = None
    body_line: int = 0
    is_draft: bool = False
    # The date committee material around a draft gives itself (a draft has no 公表日).
    material_date: dt.date | None = None
    material_date_line: int = 0


def body_of_organization(org: str) -> str | None:
    """静岡市長 → 静岡市, 群馬県知事 → 群馬県, 新宿区長 → 新宿区; None when no body is named."""
    t = compact(org)
    t = re.sub(r"(?:知事|長|委員会|大臣|管理者)$", "", t)
    m = re.match(r"^(.{1,12}?(?:都|道|府|県))$|^(.{1,12}?(?:市|区|町|村))$", t)
    if m:
        return m.group(1) or m.group(2)
    m = _BODY.match(t)
    return m["body"] if m else None


def find_body(form: Form, start: int = 1) -> tuple[str, int] | None:
    """A body named in the text: ``X市は、…`` (the declaration) or ``X区番号条例`` / ``X市情報公開条例``."""
    patterns = (
        re.compile(r"^(?P<b>[^\s、。]{1,8}?(?:都|道|府|県|市|区|町|村))は、"),
        re.compile(
            r"(?P<b>[^\s、。()（）「」]{1,6}?(?:都|道|府|県|市|区|町|村))(?:番号条例|情報公開条例|個人情報保護条例)"
        ),
    )
    for rx in patterns:
        for row in form.rows[form.index_of_line(start) :]:
            m = rx.search(nfkc(clean_cell(row.text)))
            if m:
                return m["b"], row.line
    return None


def read_cover(form: Form) -> Cover:
    """Read the cover; DocumentKindError when the text is not an assessment of a known kind."""
    src = form.src
    # The title stands alone on its line; the same words inside a sentence (committee
    # material talking about the assessment) are not the cover.
    title_row = next(
        (r for r in form.rows if COVER_TITLE.fullmatch(compact(clean_cell(r.text)))), None
    )
    if title_row is None:
        head = " ".join(r.text for r in form.rows[:15])
        if _CHANGE_LIST.search(head):
            cover = Cover("ChangeListDocument", start=1, title_line=0)
            found = find_body(form)
            if found:
                cover.body, cover.body_line = found
            return cover
        raise DocumentKindError(
            "not a 特定個人情報保護評価書: no cover title such as 特定個人情報保護評価書(全項目評価書) "
            "and no 変更箇所一覧 heading",
            source=src.path,
            line=form.rows[0].line if form.rows else 1,
        )
    ti = form.rows.index(title_row)
    level_word = COVER_TITLE.search(nfkc(title_row.text))["level"]  # type: ignore[index]
    # Cover labels sit within a few rows of the title, before or after it (layout order).
    lo = max(0, ti - 25)
    near = [
        o for o in form.occurrences if o.match.label.section == "cover" and lo <= o.row <= ti + 25
    ]
    first_cover_row = min([o.row for o in near] + [ti])
    before = form.rows[:first_cover_row]
    kind = "AssessmentDocument"
    if len(before) > 40 and _COMMITTEE.search(" ".join(r.text for r in before)):
        kind = "CommitteeMaterial"
    start_row = min(first_cover_row, ti)
    if kind == "AssessmentDocument":
        start_row = 0
    cover = Cover(
        kind, start=form.rows[start_row].line, title_line=title_row.line, level=LEVELS[level_word]
    )
    if kind == "CommitteeMaterial":
        for r in before[:10]:  # the material's own heading: 「令和７年６月９日 市民生活部」
            date = wareki_to_date(r.text)
            if date:
                cover.material_date, cover.material_date_line = date, r.line
                break
    region = form.rows[start_row : ti + 30]
    region_end = region[-1].line if region else title_row.line

    def labelled(key: str):
        for o in form.find(key, cover.start, region_end):
            v = form.value(o)
            if v is not None:
                yield o, v

    for _, v in labelled("assessment_number"):
        if re.fullmatch(r"\d+", nfkc(v.text)):
            cover.number, cover.number_line = nfkc(v.text), v.start
            break
    else:
        for r in region:
            if re.fullmatch(r"\d{1,4}", nfkc(r.text).strip()):
                cover.number, cover.number_line = nfkc(r.text).strip(), r.line
                break
    for _, v in labelled("assessment_title"):
        if "評価書" in v.text:
            cover.title, cover.title_lines = _title(v.text), (v.start, v.end)
            break
    for _, v in labelled("organization"):
        if _ORG.match(compact(v.text)) and "評価書" not in v.text:
            cover.organization, cover.organization_line = compact(v.text), v.start
            break
    else:
        for r in region:
            t = compact(clean_cell(r.text))
            if _ORG.match(t) and "評価" not in t and "委員会" not in t:
                cover.organization, cover.organization_line = t, r.line
                break
    for _, v in labelled("published"):
        date = wareki_to_date(v.text)
        if date:
            cover.published, cover.published_line = date, v.start
            break
    for r in form.rows[max(0, start_row - 5) : ti + 30]:
        m = _TEMPLATE.search(nfkc(r.text))
        if m:
            cover.template_version = re.sub(r"\s+", " ", m["v"]).strip()
            cover.template_line = r.line
            break
    if cover.organization:
        cover.body = body_of_organization(cover.organization)
        cover.body_line = cover.organization_line
    if cover.body is None:
        found = find_body(form, cover.start)
        if found:
            cover.body, cover.body_line = found
    cover.is_draft = kind == "CommitteeMaterial" or bool(
        cover.title and re.search(r"[(（]案[)）]", cover.title)
    )
    return cover


def _title(text: str) -> str:
    """The title as written, without a number a header row put in front of it."""
    return re.sub(r"^\d+\s+", "", nfkc(text)).strip()
