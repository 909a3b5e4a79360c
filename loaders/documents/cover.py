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
from functools import lru_cache

from pia_kg.errors import DocumentKindError
from pia_kg.loaders.documents.cover_cells import (
    Piece,
    cover_pieces,
    is_number_cell,
    org_of,
)
from pia_kg.loaders.documents.form import Form
from pia_kg.loaders.documents.skeleton import LEVEL_OF_FORM, LEVEL_WORDS, SKELETONS, part_of_heading
from pia_kg.loaders.documents.source import clean_cell
from pia_kg.loaders.documents.template import COVER_TITLE, LEVELS
from pia_kg.text.wareki import is_date, leading_date, wareki_to_date
from pia_kg.text.widths import compact, nfkc

__all__ = ["Cover", "read_cover", "body_of_organization", "find_body", "template_version"]

_POST = r"(?:市長|区長|町長|村長|知事|長|委員会|大臣|機構|管理者)"
_ORG = re.compile(rf"^[^\s、。]{{1,24}}{_POST}$")
_BODY = re.compile(r"^(?P<body>.{1,12}?(?:都|道|府|県|市|区|町|村))(?=.{0,12}$)")
_SECTION = re.compile(r"^(?:[ⅠⅡⅢⅣⅤⅥ]|I|II)\s*(?:関連情報|基本情報)$|^1\s*[.．]\s*特定個人情報ファイルを取り扱う事務")
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


_PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 "
    "神奈川県 新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 "
    "大阪府 兵庫県 奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 "
    "福岡県 佐賀県 長崎県 熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()


def body_of_organization(org: str) -> str | None:
    """静岡市長 → 静岡市, 群馬県知事 → 群馬県, 新宿区長 → 新宿区; None when no body is named.

    A municipality written after its prefecture is the municipality:

    >>> body_of_organization("茨城県土浦市長"), body_of_organization("兵庫県教育委員会")
    ('土浦市', '兵庫県')
    """
    t = compact(org)
    t = re.sub(r"(?:知事|長|委員会|大臣|管理者)$", "", t)
    pref = next((p for p in _PREFECTURES if t.startswith(p) and len(t) > len(p)), None)
    if pref and re.fullmatch(r".{1,8}?[市区町村]", t[len(pref) :]):
        t = t[len(pref) :]
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
    ti = _title_row(form)
    if ti is None:
        return _coverless(form)
    level_word = COVER_TITLE.search(compact(clean_cell(form.rows[ti].text)))["level"]  # type: ignore[index]
    kind, start_row = _kind_and_start(form, ti)
    cover = Cover(
        kind, start=form.rows[start_row].line, title_line=form.rows[ti].line, level=LEVELS[level_word]
    )
    if kind == "CommitteeMaterial":
        _material_date(form, cover, start_row)
    _read_values(cover, _window(form, ti, start_row))
    return _finish(form, cover)


def _title_row(form: Form) -> int | None:
    """The row of the cover title: the first one standing alone with cover labels near it.

    The title stands alone on its line; the same words inside a sentence (committee material
    talking about the assessment, a host page's heading in quotes) are not the cover.
    """
    found = [i for i, r in enumerate(form.rows) if _is_title(r.text)]
    for i in found:
        near = {o.key for o in form.occurrences if abs(o.row - i) <= 25 and o.match.label.section == "cover"}
        if len(near) >= 2:
            return i
    return found[0] if found else None


_DRAFT = r"(?:[(（](?:素案|案)[)）])?"


@lru_cache(maxsize=1 << 14)  # asked of every row of the form, whose rows repeat
def _is_title(text: str) -> bool:
    """Whether a row is the cover title alone (``(案)`` before or after it allowed)."""
    if len(text) > 80:
        return False
    t = compact(clean_cell(text))
    m = COVER_TITLE.search(t)
    return bool(m) and re.fullmatch(_DRAFT, t[: m.start()]) is not None and re.fullmatch(_DRAFT, t[m.end() :]) is not None


def _kind_and_start(form: Form, ti: int) -> tuple[str, int]:
    """The kind of document and the row the assessment starts at (after committee material)."""
    near = [
        o.row
        for o in form.occurrences
        if o.match.label.section == "cover" and max(0, ti - 25) <= o.row <= ti + 25
    ]
    first_cover_row = min([*near, ti])
    before = form.rows[:first_cover_row]
    # Material around a draft talks of 意見 (comments) and the committee; a host page's lines
    # naming a 教育委員会 are not that.
    words = {m.group() for m in _COMMITTEE.finditer(" ".join(r.text for r in before))}
    if len(before) > 40 and len(words) >= 2:
        return "CommitteeMaterial", first_cover_row
    return "AssessmentDocument", 0


def _material_date(form: Form, cover: Cover, start_row: int) -> None:
    """The date the committee material gives itself (「令和７年６月９日 市民生活部」)."""
    for r in form.rows[:start_row][:10]:
        date = wareki_to_date(r.text)
        if date:
            cover.material_date, cover.material_date_line = date, r.line
            return


def _window(form: Form, ti: int, start_row: int) -> list[Piece]:
    """The cover's pieces: near the title row, after any 項目一覧 or heading before it (a host
    page's heading) and up to the first one after it."""
    lo = max(start_row, ti - 20)
    pieces = cover_pieces(form.rows[lo : ti + 30], lo)
    title_at = next((k for k, p in enumerate(pieces) if p.row >= ti), 0)
    begin = 0
    for k, p in enumerate(pieces[:title_at]):
        if p.label == "contents" or _SECTION.match(p.text):
            begin = k + 1
    end = next(
        (k for k in range(title_at, len(pieces)) if pieces[k].label == "contents" or _SECTION.match(pieces[k].text)),
        len(pieces),
    )
    return pieces[begin:end]


def _coverless(form: Form) -> Cover:
    """A text without a cover title: a 変更箇所一覧, a cover whose title was lost, or no
    assessment at all (DocumentKindError)."""
    head = " ".join(r.text for r in form.rows[:15])
    if _CHANGE_LIST.search(head):
        cover = Cover("ChangeListDocument", start=1, title_line=0)
        found = find_body(form)
        if found:
            cover.body, cover.body_line = found
        return cover
    pieces = _labelled_window(form)
    if not pieces:
        return _later_part(form)
    first = next(p for p in pieces if p.label)
    cover = Cover("AssessmentDocument", start=1, title_line=first.line)
    titled = next((p for p in pieces if p.label == "title_row"), None)
    if titled is not None:
        cover.level = LEVELS[COVER_TITLE.search(compact(titled.text))["level"]]  # type: ignore[index]
    _read_values(cover, pieces)
    return _finish(form, cover)


def _later_part(form: Form) -> Cover:
    """A file holding later parts of an assessment split over several files (no cover): two
    or more part headings of one level, or one with the form's item labels under it."""
    best: tuple[int, str] | None = None
    for level in SKELETONS:
        keys = set()
        for row in form.rows[:5000]:
            part = part_of_heading(clean_cell(row.cells[0].text), level)
            if part is not None:
                keys.add(part.key)
        if keys and (best is None or len(keys) > best[0]):
            best = (len(keys), level)
    labels = sum(1 for o in form.occurrences[:50] if o.match.label.section != "cover")
    if best is None or (best[0] < 2 and labels < 3):
        raise DocumentKindError(
            "not a 特定個人情報保護評価書: no cover title such as 特定個人情報保護評価書(全項目評価書), "
            "no cover labels (評価書番号, 評価書名, 評価実施機関名, 公表日), no 変更箇所一覧 heading "
            "and no part of the form (Ⅱ 特定個人情報ファイルの概要, Ⅲ リスク対策 …)",
            source=form.src.path,
            line=form.rows[0].line if form.rows else 1,
        )
    cover = Cover("AssessmentDocument", start=1, title_line=0, level=best[1])
    return _finish(form, cover)


_CORE = {"number", "title", "organization", "published"}


def _labelled_window(form: Form, size: int = 60) -> list[Piece]:
    """The first run of ``size`` rows holding two or more of the cover's core labels."""
    for lo in range(0, max(1, len(form.rows)), size // 2):
        pieces = cover_pieces(form.rows[lo : lo + size], lo)
        if len({p.label for p in pieces} & _CORE) >= 2:
            return pieces
    return []


def _read_values(cover: Cover, pieces: list[Piece]) -> None:
    at = {p.label: k for k, p in reversed(list(enumerate(pieces))) if p.label}
    if (found := _number(pieces, at.get("number"))) is not None:
        cover.number, cover.number_line = found
    if (found := _title(pieces, at.get("title"))) is not None:
        (cover.title, cover.title_lines) = found
    if (found := _organization(pieces, at.get("organization"))) is not None:
        cover.organization, cover.organization_line = found
    if (found := _published(pieces, at.get("published"), at.get("approval"))) is not None:
        cover.published, cover.published_line = found
    for p in pieces:
        version = template_version(p.text)
        if version:
            cover.template_version, cover.template_line = version, p.line
            break
    if cover.level is None:
        cover.level = _level_from(cover)


def _after(pieces: list[Piece], at: int | None, n: int, skip: tuple[str, ...] = ()) -> list[Piece]:
    """Up to ``n`` value pieces after the label at ``at``, passing labels in ``skip``."""
    if at is None:
        return []
    out: list[Piece] = []
    for p in pieces[at + 1 :]:
        if p.label and p.label not in skip:
            break
        if not p.label:
            out.append(p)
        if len(out) == n:
            break
    return out


def _number(pieces: list[Piece], at: int | None) -> tuple[str, int] | None:
    """評価書番号: the number after its label, or glued to the title before or after it
    (``7 介護保険に関する事務``, ``… 基礎項目評価書 108`` when a page was joined on one line)."""
    for p in _after(pieces, at, 4, skip=("title",)):
        t = nfkc(p.text).strip()
        m = re.match(r"^(\d{1,4})(?:\s+\S|$)", t) or _TRAILING_NUMBER.search(t)
        if m and not is_date(t):
            return m[1], p.line
    return None


_TITLE_END = re.compile(r"評\s*価\s*書\s*(?:[(（]\s*(?:素案|案)\s*[)）])?$")
_TRAILING_NUMBER = re.compile(r"評\s*価\s*書\s*(?:[(（]\s*(?:素案|案)\s*[)）])?\s+(\d{1,4})$")


def _title(pieces: list[Piece], at: int | None) -> tuple[str, tuple[int, int]] | None:
    """評価書名: the title cell (wrapped over up to three lines), and nothing after it."""
    values = [p for p in _after(pieces, at, 4, skip=("number",)) if not is_number_cell(p.text)]
    if not values:
        return None
    first = values[0]
    text = re.sub(r"^\d{1,4}\s+", "", first.text).strip()
    if m := _TRAILING_NUMBER.search(text):
        text = text[: m.start(1)].strip()
    end = first.line
    joined = text
    for p in values[1:3]:
        joined += ("" if p.line != end else " ") + p.text
        if _TITLE_END.search(joined) and not _TITLE_END.search(text):
            text, end = joined, p.line
            break
    if len(text) > 120:
        return None
    return text, (first.line, end)


def _organization(pieces: list[Piece], at: int | None) -> tuple[str, int] | None:
    """評価実施機関名: beside its label, else the one cell of the cover shaped like a post."""
    for p in _after(pieces, at, 3):
        org = org_of(p.text)
        if org:
            return org, p.line
    for p in pieces:
        if p.label is None and _ORG.match(compact(p.text)) and "評価" not in p.text:
            if "保護委員会" not in p.text:
                return compact(p.text), p.line
    return None


def _published(
    pieces: list[Piece], at: int | None, approval: int | None
) -> tuple[dt.date, int] | None:
    """公表日: the date beside its label, else the cover's one date (not the 承認日)."""
    for p in _after(pieces, at, 2):
        # Right after its label a date may run on into a footer or a note
        # ("令和3年10月27日 (2)", "令和7年1月14日(予定)").
        head = leading_date(p.text)
        if head is not None:
            return head, p.line
    dates = [
        k
        for k, p in enumerate(pieces)
        if not p.label and is_date(p.text) and (approval is None or k != approval + 1)
    ]
    if not dates:
        return None
    k = min(dates, key=lambda k: abs(k - at)) if at is not None else dates[0]
    return wareki_to_date(pieces[k].text), pieces[k].line  # type: ignore[return-value]


_VERSION = re.compile(r"\[?(?P<era>平成|令和)(?P<y>\d+|元)年(?P<m>\d+)月様式(?P<n>\d)\]?")


def template_version(text: str) -> str | None:
    """The 様式 tag as ``平成26年4月 様式2`` (spaces and widths as printed dropped).

    >>> template_version("[ 平 成 26 年 4 月 様 式 3]")
    '平成26年4月 様式3'
    """
    m = _VERSION.search(compact(text))
    return f"{m['era']}{m['y']}年{m['m']}月 様式{m['n']}" if m else None


def _level_from(cover: Cover) -> str | None:
    """The level when the cover title is lost: from the 様式 number or the 評価書名."""
    if cover.template_version:
        return LEVEL_OF_FORM.get(int(cover.template_version[-1]))
    m = re.search(r"(基礎項目|重点項目|全項目)評価書", cover.title or "")
    return LEVEL_WORDS[m[1]] if m else None


def _finish(form: Form, cover: Cover) -> Cover:
    if cover.organization:
        cover.body = body_of_organization(cover.organization)
        cover.body_line = cover.organization_line
    if cover.body is None:
        found = find_body(form, cover.start)
        if found:
            cover.body, cover.body_line = found
    cover.is_draft = cover.kind == "CommitteeMaterial" or bool(
        cover.title and re.search(r"[(（]\s*(?:素案|案)\s*[)）]", cover.title)
    )
    return cover
