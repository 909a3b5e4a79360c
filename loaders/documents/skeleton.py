"""The skeleton of each level of the form (様式2, 3, 4): its parts, in order, declared once.

A part is a section (Ⅰ 基本情報 …) or an annex ((別添1) …) the published form prints. The
reader records which parts a document holds (``pia:partFound``) and, from the last part the
form prints, whether the text ends early. The same declaration serves every 様式 version
(平成26年4月, 平成28年1月, 平成30年5月 and later): the versions reword items inside the parts,
not the parts themselves.

>>> LEVEL_OF_FORM[2], SKELETONS["BasicLevel"].parts[1].title
('BasicLevel', 'しきい値判断項目')
>>> part_of_heading("Ⅱ しきい値判断項目", "BasicLevel").key
'threshold'
>>> part_of_heading("(別添2) 変更箇所", "FocusedLevel").key
'changes'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pia_kg.text.form_marks import section_number
from pia_kg.text.widths import compact

__all__ = ["Part", "Skeleton", "SKELETONS", "LEVEL_OF_FORM", "LEVEL_WORDS", "part_of_heading"]


@dataclass(frozen=True)
class Part:
    """One part of a form: a key used in the graph, its heading words, and its mark.

    ``mark`` is the section number (Ⅰ=1 …) or, for an annex, 0; ``pattern`` matches the
    heading words after the mark (NFKC, no spaces).
    """

    key: str
    title: str
    mark: int
    pattern: str


@dataclass(frozen=True)
class Skeleton:
    """The parts of one level's form, in order. ``last_required`` is the last part every
    document of the level prints (after it, 変更箇所 and 別紙 may or may not follow), so a text
    that never reaches it ends early."""

    level: str
    form_number: int
    parts: tuple[Part, ...]
    last_required: str

    def part(self, key: str) -> Part:
        return next(p for p in self.parts if p.key == key)


_CHANGES = Part("changes", "変更箇所", 0, r"変更箇所")
_RECORD_ITEMS = Part("record_items", "特定個人情報ファイル記録項目", 0, r"特定個人情報ファイル記録項目")
_CONTACT = r"開示請求[、,]?問合せ"

SKELETONS: dict[str, Skeleton] = {
    "BasicLevel": Skeleton(
        "BasicLevel",
        2,
        (
            Part("related_info", "関連情報", 1, r"関連情報"),
            Part("threshold", "しきい値判断項目", 2, r"しきい値判断項目"),
            Part("threshold_result", "しきい値判断結果", 3, r"しきい値判断結果"),
            Part("risk_measures", "リスク対策", 4, r"リスク対策"),
            _CHANGES,
        ),
        "threshold_result",
    ),
    "FocusedLevel": Skeleton(
        "FocusedLevel",
        3,
        (
            Part("basic_info", "基本情報", 1, r"基本情報"),
            Part("file_overview", "特定個人情報ファイルの概要", 2, r"特定個人情報ファイルの概要"),
            _RECORD_ITEMS,
            Part("risk_measures", "リスク対策", 3, r"リスク対策"),
            Part("disclosure_requests", "開示請求、問合せ", 4, _CONTACT),
            Part("procedure", "評価実施手続", 5, r"評価実施手続"),
            _CHANGES,
        ),
        "procedure",
    ),
    "FullLevel": Skeleton(
        "FullLevel",
        4,
        (
            Part("basic_info", "基本情報", 1, r"基本情報"),
            Part("task_details", "事務の内容", 0, r"事務の内容"),
            Part("file_overview", "特定個人情報ファイルの概要", 2, r"特定個人情報ファイルの概要"),
            _RECORD_ITEMS,
            Part(
                "risk_measures",
                "特定個人情報ファイルの取扱いプロセスにおけるリスク対策",
                3,
                r"(?:特定個人情報ファイルの取扱いプロセスにおける)?リスク対策",
            ),
            Part("other_risk_measures", "その他のリスク対策", 4, r"その他のリスク対策"),
            Part("disclosure_requests", "開示請求、問合せ", 5, _CONTACT),
            Part("procedure", "評価実施手続", 6, r"評価実施手続"),
            _CHANGES,
        ),
        "procedure",
    ),
}

LEVEL_OF_FORM = {s.form_number: s.level for s in SKELETONS.values()}
# The words of the cover title and of 評価書名 that say the level.
LEVEL_WORDS = {"基礎項目": "BasicLevel", "重点項目": "FocusedLevel", "全項目": "FullLevel"}

_ANNEX = re.compile(r"^[(（]別[添紙]\d*[)）]")


def part_of_heading(text: str, level: str) -> Part | None:
    """The part of ``level`` whose heading ``text`` is (``Ⅱ しきい値判断項目``, ``(別添2) 変更箇所``)."""
    number = section_number(text)
    t = re.sub(r"※.*$", "", compact(text))
    if number is not None:
        t = re.sub(r"^(?:[ⅠⅡⅢⅣⅤⅥⅦⅧ]|[IVX]+)", "", t)
    elif _ANNEX.match(t):
        number = 0
        t = _ANNEX.sub("", t)
    else:
        return None
    for part in SKELETONS[level].parts:
        if part.mark == number and re.fullmatch(part.pattern, t):
            return part
    return None
