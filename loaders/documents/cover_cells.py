"""The cover of an assessment as a flat run of pieces, and the shape each cover value has.

Converters put the cover's cells in any order: one per line, a whole page on one line, a header
row of labels over a row of values, labels after their values (layout order). Cutting every
cell at the cover's labels gives one run of pieces — labels and values — that the cover reader
walks; each value is recognised by its shape (a number, a title, a post such as 市長, a date).

>>> org_of("日野市長 大坪 冬彦"), org_of("愛知県 扶桑町長"), org_of("兵庫県教育委員会")
('日野市長', '愛知県扶桑町長', '兵庫県教育委員会')
>>> org_of("平成27年3月30日") is None, org_of("日野市長大坪冬彦")
(True, '日野市長')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pia_kg.loaders.documents.layout import Row
from pia_kg.loaders.documents.source import clean_cell
from pia_kg.text.form_marks import is_page_marker
from pia_kg.text.wareki import is_date
from pia_kg.text.widths import compact, fold_spaces, nfkc

__all__ = ["Piece", "cover_pieces", "org_of", "is_number_cell", "COVER_LABELS"]

# Cover label key -> its words (NFKC, spaces allowed between characters of a spaced cover).
COVER_LABELS: dict[str, str] = {
    "title_row": r"特定個人情報保護評価書\s*[(（]\s*(?:基礎項目|重点項目|全項目)評価書\s*[)）]",
    "number": r"評価書番号",
    "title": r"評価書名",
    "declaration": r"個人のプライバシー等の権利利益の保護の宣言",
    "remarks": r"特記事項",
    "organization": r"評価実施機関名",
    "approval": r"(?:特定)?個人情報保護委員会\s*承認日\s*(?:【\s*行政機関等のみ\s*】)?",
    "published": r"公表日",
    "contents": r"項目一覧",
}
_CUT = re.compile("|".join(f"(?P<{k}>{p})" for k, p in COVER_LABELS.items()))


@dataclass(frozen=True)
class Piece:
    """One label or value of the cover: its text (NFKC, spaces folded), line and row index."""

    text: str
    line: int
    row: int
    label: str | None = None


def cover_pieces(rows: list[Row], first_row: int) -> list[Piece]:
    """Every cell of ``rows`` cut at the cover's labels, in order; blank pieces dropped."""
    out: list[Piece] = []
    for k, row in enumerate(rows):
        for cell in row.cells:
            text = fold_spaces(clean_cell(cell.text))
            pos = 0
            for m in _CUT.finditer(text):
                _add(out, text[pos : m.start()], row.line, first_row + k)
                out.append(Piece(m.group(), row.line, first_row + k, m.lastgroup))
                pos = m.end()
            _add(out, text[pos:], row.line, first_row + k)
    return out


def _add(out: list[Piece], text: str, line: int, row: int) -> None:
    text = text.strip(" ・:：")
    if text and not is_page_marker(text):
        out.append(Piece(text, line, row))


def is_number_cell(text: str) -> bool:
    """Whether ``text`` is an assessment number: one to four digits."""
    return bool(re.fullmatch(r"\d{1,4}", nfkc(text).strip()))


# Posts an 評価実施機関名 ends with, and the bodies it may be written as (郡山市).
_HEAD = r"(?:長|知事|大臣|長官|委員会|管理者|機構|連合|組合|企業団|法人|庁|省|局)"
_NAME = r"^[^、。,.:：()（）「」\[\]【】]{1,30}"
_HEAD_SHAPE = re.compile(rf"{_NAME}{_HEAD}$")
_BODY_SHAPE = re.compile(rf"{_NAME}[都道府県市区町村]$")
# A post with the holder's name written right after it, no space: 日野市長大坪冬彦.
_POST_AND_NAME = re.compile(r"^(?P<org>.{1,20}?(?:市長|町長|村長|区長|知事|大臣))(?P<name>[一-龥々ぁ-んァ-ヶ]{2,8})$")


def org_of(text: str) -> str | None:
    """The 評価実施機関名 a cell holds, without the holder's name written after it; None when
    the cell is not an organisation's name (a date, a sentence, a number)."""
    t = nfkc(text).strip()
    if is_date(t) or is_number_cell(t) or "評価" in t or len(compact(t)) > 34:
        return None
    tokens = t.split()
    body = None
    for k in range(1, len(tokens) + 1):
        joined = "".join(tokens[:k])
        if _HEAD_SHAPE.match(joined):
            return joined
        if _BODY_SHAPE.match(joined):
            body = joined
    m = _POST_AND_NAME.match(compact(t))
    return body or (m["org"] if m else None)
