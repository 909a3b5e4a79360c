"""Numerals: 漢数字 and digits (ASCII or 全角), read and written through ``kanjize``.

Regular expressions that must accept a number in either notation use ``NUMERAL`` (or the
character class ``KANJI_DIGITS``); nothing else spells the 漢数字 class.
"""

from __future__ import annotations

from kanjize import kanji2number, number2kanji

from pia_kg.errors import NotationError
from pia_kg.text.widths import nfkc

__all__ = ["KANJI_DIGITS", "NUMERAL", "to_int", "to_kanji"]

#: The 漢数字 that law texts and documents use in numbers, as the body of a character class.
KANJI_DIGITS = "〇一二三四五六七八九十百千"
#: A number in digits (``\\d`` also matches 全角 digits) or in 漢数字.
NUMERAL = rf"(?:\d+|[{KANJI_DIGITS}]+)"


def to_int(text: str) -> int:
    """漢数字 or digits (全角 or ASCII) to int.

    >>> to_int("三十六"), to_int("百二十"), to_int("１０６"), to_int("一〇六")
    (36, 120, 106, 106)

    Raises NotationError when ``text`` is no number:

    >>> to_int("項")
    Traceback (most recent call last):
    ...
    pia_kg.errors.NotationError: not a number: '項'
    """
    text = nfkc(text).strip()
    try:
        if text.isdigit():
            return int(text)
        return int(kanji2number(text))
    except Exception as exc:  # kanjize raises bare errors; int() refuses very long digit strings
        raise NotationError(f"not a number: {text[:40]!r}") from exc


def to_kanji(number: int) -> str:
    """A positive number as 漢数字, the way law texts number tables and articles.

    >>> to_kanji(1), to_kanji(10), to_kanji(36), to_kanji(106)
    ('一', '十', '三十六', '百六')
    """
    return number2kanji(number)
