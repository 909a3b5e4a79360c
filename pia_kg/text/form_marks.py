"""The marks of the printed form, each rule once: circled numbers, section marks, checkboxes,
numbered lists, letter-spaced text and page footers.

Every reader of an assessment calls these instead of writing its own pattern for the same mark.

>>> circled_number("③")
3
>>> repair_letter_spacing("厚 生 労 働 大 臣")
'厚生労働大臣'
>>> is_page_marker("1/5"), is_page_marker("(2)"), is_page_marker("108")
(True, True, False)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pia_kg.text.widths import fold_spaces

__all__ = [
    "CIRCLED",
    "circled_number",
    "SECTION_MARK",
    "section_number",
    "is_letter_spaced",
    "repair_letter_spacing",
    "is_page_marker",
    "split_numbered_list",
    "normalize_boxes",
    "Checkbox",
    "checkboxes",
]

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def circled_number(ch: str) -> int | None:
    """1 for ①, … 20 for ⑳; None for any other character.

    >>> circled_number("①"), circled_number("⑳"), circled_number("1")
    (1, 20, None)
    """
    i = CIRCLED.find(ch) if len(ch) == 1 else -1
    return i + 1 if i >= 0 else None


# A section numeral in front of a heading: Ⅰ (U+2160…) or Latin I, II, … followed by a space.
SECTION_MARK = re.compile(r"^\s*(?P<mark>[ⅠⅡⅢⅣⅤⅥⅦⅧ]|VIII|VII|VI|IV|V|III|II|I)(?=[\s\u3000]|$)")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8}


def section_number(text: str) -> int | None:
    """The number of the section a heading starts (``Ⅱ しきい値判断項目`` → 2), else None.

    >>> section_number("Ⅲ しきい値判断結果"), section_number("IV その他"), section_number("1. 事務")
    (3, 4, None)
    """
    m = SECTION_MARK.match(text)
    if m is None:
        return None
    return _ROMAN[unicodedata.normalize("NFKC", m["mark"])]


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # kana
        or 0x3400 <= o <= 0x9FFF  # ideographs
        or 0xF900 <= o <= 0xFAFF
        or 0x2E80 <= o <= 0x2FDF  # CJK and Kangxi radicals (PDF converters)
        or ch in "々〆ヶ"
    )


_TOKEN = re.compile(r"[^\s\u3000]+")


def is_letter_spaced(line: str) -> bool:
    """Whether a converter put a space between every character of ``line``.

    Half or more of its words are a single kana, kanji or digit, and there are at least three.

    >>> is_letter_spaced("[ 平 成 26 年 4 月 様 式 3]"), is_letter_spaced("大 崎 市 長")
    (True, True)
    >>> is_letter_spaced("[ ○ ] 専用線 [ ] 電子メール ["), is_letter_spaced("1 0 8")
    (False, True)
    """
    tokens = _TOKEN.findall(line)
    if len(tokens) < 3:  # fewer than three words cannot hold three single letters
        return False
    single = sum(1 for t in tokens if len(t) == 1 and (_is_cjk(t) or t.isdigit()))
    return single >= 3 and single * 2 >= len(tokens)


_SPACED_PAIR = re.compile(r"(?<=[^\s\u3000])[ \u3000]+(?=[^\s\u3000])")


def repair_letter_spacing(line: str) -> str:
    """Remove the spaces a converter put between characters (digits too: ``2 7 年`` → ``27年``),
    keeping those between two Latin letters.

    >>> repair_letter_spacing("[ 平 成 26 年 4 月 様 式 3]")
    '[平成26年4月様式3]'
    >>> repair_letter_spacing("平 成 2 7 年 3 月 1 8 日")
    '平成27年3月18日'
    """

    def keep(m: re.Match[str]) -> str:
        left, right = line[m.start() - 1], line[m.end()]
        latin = left.isascii() and left.isalpha() and right.isascii() and right.isalpha()
        return " " if latin or len(m.group()) > 1 else ""  # a wider gap was a real space

    text = _SPACED_PAIR.sub(keep, line)
    text = re.sub(r"\[\s+", "[", text)
    return re.sub(r"\s+\]", "]", text)


# Page numbers and footers a converter leaves in the text: "1/5", "- 3 -", "(2)", "Page 1",
# "1 / 12 ページ". A bare number is NOT one: it may be a cell (評価書番号).
_PAGE_MARKER = re.compile(
    r"^\s*(?:\d{1,4}\s*/\s*\d{1,4}(?:\s*ページ)?|[-－‐]\s*\d{1,4}\s*[-－‐]|\(\d{1,4}\)|"
    r"[Pp]age\s*\d{1,4}(?::.*)?)\s*$"
)


def is_page_marker(text: str) -> bool:
    """Whether ``text`` is a page number or footer, not content.

    >>> is_page_marker("- 3 -"), is_page_marker("Page 1"), is_page_marker("(1) 受給者台帳")
    (True, True, False)
    """
    if len(text) > 40:  # a footer is short; a page joined on one line is not one
        return False
    return bool(_PAGE_MARKER.match(unicodedata.normalize("NFKC", text)))


# A numbered point of a list: "1.", "1．", "(1)", "⑴" (NFKC "(1)"), "1 " before a word.
_POINT = re.compile(r"(?:^|(?<=[\s\u3000]))(?:\(\d{1,2}\)|\d{1,2}\s*[.．](?!\d))\s*")


def split_numbered_list(text: str) -> list[str]:
    """The points of a numbered list written in one cell; the whole text when it has none.

    >>> split_numbered_list("1.児童手当システム 2.ID連携サーバ 3.中間サーバ")
    ['児童手当システム', 'ID連携サーバ', '中間サーバ']
    >>> split_numbered_list("⑴ 受給者台帳情報ファイル ⑵ 宛名情報ファイル")
    ['受給者台帳情報ファイル', '宛名情報ファイル']
    >>> split_numbered_list("住民基本台帳システム")
    ['住民基本台帳システム']
    """
    t = unicodedata.normalize("NFKC", text).replace("\n", " ")
    starts = [m for m in _POINT.finditer(t)]
    if not starts or starts[0].start() != 0:
        return [t.strip()] if t.strip() else []
    out = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(t)
        part = t[m.end() : end].strip()
        if part:
            out.append(part)
    return out


@dataclass(frozen=True)
class Checkbox:
    label: str
    checked: bool


# A checkbox as the PDF converter writes it: "[○] label", "[] label", or "[<input checked ...>]".
_BOX = re.compile(r"\[\s*(?P<mark><input[^>]*>|[○〇●✓✔■☑xX]?)\s*\]\s*(?P<label>[^\[<\t]*)")
_TAG = re.compile(r"<[^>]+>")


def checkboxes(cell: str) -> list[Checkbox]:
    """The checkboxes written in ``cell``, in order, with whether each is checked.

    >>> [(b.label, b.checked) for b in checkboxes("[ ○ ] 紙 [ ] 電子メール")]
    [('紙', True), ('電子メール', False)]
    """
    found = []
    for m in _BOX.finditer(cell):
        mark = m["mark"]
        checked = ("checked" in mark) if mark.startswith("<") else bool(mark)
        label = fold_spaces(_TAG.sub(" ", m["label"]))
        if label:
            found.append(Checkbox(label, checked))
    return found


_BOX_TAG = re.compile(r"\[?\s*<input(?P<attrs>[^>]*)>\s*\]?")


def normalize_boxes(text: str) -> str:
    """Checkbox markup of every converter as ``[○]`` / ``[]``.

    >>> normalize_boxes("[<input checked>] 紙 <input> 専用線")
    '[○]  紙[] 専用線'
    """
    return _BOX_TAG.sub(lambda m: "[○] " if "checked" in m["attrs"] else "[] ", text)
