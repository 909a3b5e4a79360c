"""Dates as documents write them: 和暦 of every modern era, or Gregorian with 年月日 or slashes.

Years, months and days may be ASCII or 全角 digits or 漢数字, and the first year of an era is
元年. A date that does not exist (令和7年2月30日, 令和9999999999年1月1日) is no date: the
finders skip it, ``era_year`` raises NotationError; nothing raises OverflowError.
"""

from __future__ import annotations

import datetime as dt
import re

from pia_kg.errors import NotationError
from pia_kg.text.numerals import NUMERAL, to_int
from pia_kg.text.widths import nfkc

__all__ = [
    "ERAS",
    "leading_date",
    "WAREKI_DATE",
    "era_year",
    "wareki_to_date",
    "find_wareki_dates",
    "is_date",
    "safe_date",
]

#: Era name -> the Gregorian year of its first year (元年). Newest first.
ERAS: dict[str, int] = {"令和": 2019, "平成": 1989, "昭和": 1926, "大正": 1912, "明治": 1868}

_YEAR = rf"(?:{NUMERAL}|元)"
#: A complete 和暦 date as written (raw or NFKC text): era, year, month, day.
WAREKI_DATE = re.compile(
    rf"(?P<era>{'|'.join(ERAS)})\s*(?P<y>{_YEAR})\s*年\s*(?P<m>{NUMERAL})\s*月\s*(?P<d>{NUMERAL})\s*日"
)
_GREGORIAN = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})\s*日?"
)


def era_year(era: str, year: str) -> int:
    """The Gregorian year of ``year`` (digits, 漢数字 or 元) of ``era``.

    >>> era_year("令和", "元"), era_year("平成", "三十一"), era_year("明治", "４５")
    (2019, 2019, 1912)

    Raises NotationError for an unknown era, a year that is no number, or one past year 9999:

    >>> era_year("令和", "9999999999")
    Traceback (most recent call last):
    ...
    pia_kg.errors.NotationError: 令和9999999999年 is out of range
    """
    if era not in ERAS:
        raise NotationError(f"unknown era {era!r}; known: {', '.join(ERAS)}")
    number = 1 if year == "元" else to_int(year)
    gregorian = ERAS[era] + number - 1
    if not dt.MINYEAR <= gregorian <= dt.MAXYEAR:
        raise NotationError(f"{era}{year}年 is out of range")
    return gregorian


def safe_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when it does not exist.

    >>> safe_date(2024, 5, 27), safe_date(2025, 2, 30), safe_date(10**10, 1, 1)
    (datetime.date(2024, 5, 27), None, None)
    """
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def wareki_to_date(text: str) -> dt.date | None:
    """The first date in ``text``; None when it holds no complete, existing date.

    >>> wareki_to_date("令和6年5月27日")
    datetime.date(2024, 5, 27)
    >>> wareki_to_date("施行日 令和元年５月１日"), wareki_to_date("令和七年一月十四日")
    (datetime.date(2019, 5, 1), datetime.date(2025, 1, 14))
    >>> wareki_to_date("昭和64年1月7日"), wareki_to_date("2025/1/14")
    (datetime.date(1989, 1, 7), datetime.date(2025, 1, 14))
    >>> wareki_to_date("令和9999999999年1月1日") is None
    True
    """
    for found in find_wareki_dates(text):
        return found
    return None


def find_wareki_dates(text: str) -> list[dt.date]:
    """Every complete, existing date in ``text``, in order of appearance.

    >>> find_wareki_dates("2025年1月14日 (令和6年12月1日改正)")
    [datetime.date(2025, 1, 14), datetime.date(2024, 12, 1)]
    """
    text = nfkc(text)
    hits: list[tuple[int, dt.date]] = []
    for m in WAREKI_DATE.finditer(text):
        date = _wareki_match_date(m)
        if date:
            hits.append((m.start(), date))
    for m in _GREGORIAN.finditer(text):
        date = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if date:
            hits.append((m.start(), date))
    return [d for _, d in sorted(hits, key=lambda h: h[0])]


def is_date(text: str) -> bool:
    """Whether ``text`` is one complete, existing date and nothing else.

    >>> is_date(" 令和3年3月3日 "), is_date("2025/1/14"), is_date("令和3年3月3日改正"), is_date("令和3年2月30日")
    (True, True, False, False)
    """
    t = nfkc(text).strip()
    whole = WAREKI_DATE.fullmatch(t) or _GREGORIAN.fullmatch(t)
    return bool(whole) and wareki_to_date(t) is not None


def leading_date(text: str) -> dt.date | None:
    """The date a cell starts with, whatever follows it (a footer, ``(予定)``).

    >>> leading_date("令和7年1月14日(予定)"), leading_date("公表日 令和7年1月14日")
    (datetime.date(2025, 1, 14), None)
    """
    t = nfkc(text).strip()
    m = WAREKI_DATE.match(t) or _GREGORIAN.match(t)
    return wareki_to_date(m.group()) if m else None


def _wareki_match_date(m: re.Match[str]) -> dt.date | None:
    try:
        return safe_date(era_year(m["era"], m["y"]), to_int(m["m"]), to_int(m["d"]))
    except NotationError:
        return None
