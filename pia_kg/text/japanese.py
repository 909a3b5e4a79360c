"""Japanese text rules, each in one place: widths, 和暦 dates, 漢数字, item labels.

Documents spell the same thing many ways (全角 digits, 漢数字, 令和元年, ideographic spaces);
every comparison and every IRI goes through these functions so that the spellings meet.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from kanjize import kanji2number

__all__ = [
    "nfkc",
    "fold_spaces",
    "compact",
    "ERAS",
    "wareki_to_date",
    "find_wareki_dates",
    "kanji_to_int",
    "normalize_item_label",
    "item_sort_key",
]

_SPACES = re.compile(r"[\s\u3000]+")


def nfkc(text: str) -> str:
    """NFKC: full-width digits and letters to ASCII, half-width kana to full-width."""
    return unicodedata.normalize("NFKC", text)


def fold_spaces(text: str) -> str:
    """NFKC, runs of any white space (incl. 全角空白) to one space, stripped."""
    return _SPACES.sub(" ", nfkc(text)).strip()


def compact(text: str) -> str:
    """NFKC with every white space removed: the form used to compare names."""
    return _SPACES.sub("", nfkc(text))


# Era name -> the Gregorian year of its first year (元年). Ordered newest first.
ERAS: dict[str, int] = {"令和": 2019, "平成": 1989, "昭和": 1926, "大正": 1912, "明治": 1868}

_NUM = r"(?:\d+|元|[〇一二三四五六七八九十百]+)"
_WAREKI = re.compile(
    rf"(?P<era>{'|'.join(ERAS)})\s*(?P<y>{_NUM})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*日"
)
_ISO = re.compile(r"(?P<y>(?:19|20)\d\d)\s*[年/.-]\s*(?P<m>\d{1,2})\s*[月/.-]\s*(?P<d>\d{1,2})\s*日?")


def _number(token: str) -> int:
    if token == "元":
        return 1
    if token.isdigit():
        return int(token)
    return kanji_to_int(token)


def wareki_to_date(text: str) -> dt.date | None:
    """The first date in ``text``: 和暦 (令和7年1月14日, 令和元年…, 令和七年…) or 2025年1月14日 / 2025/1/14.

    Returns None when the text holds no complete, valid date.
    """
    for found in find_wareki_dates(text):
        return found
    return None


def find_wareki_dates(text: str) -> list[dt.date]:
    """Every complete, valid date in ``text``, in order of appearance."""
    text = nfkc(text)
    hits: list[tuple[int, dt.date]] = []
    for m in _WAREKI.finditer(text):
        year = ERAS[m["era"]] + _number(m["y"]) - 1
        date = _safe_date(year, _number(m["m"]), _number(m["d"]))
        if date:
            hits.append((m.start(), date))
    for m in _ISO.finditer(text):
        date = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if date:
            hits.append((m.start(), date))
    return [d for _, d in sorted(hits, key=lambda h: h[0])]


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def kanji_to_int(text: str) -> int:
    """漢数字 (三十六, 百二十) or digits (全角 or ASCII) to int; ValueError when it is neither."""
    text = nfkc(text).strip()
    if text.isdigit():
        return int(text)
    try:
        return int(kanji2number(text))
    except Exception as exc:  # kanjize raises bare errors of several types
        raise ValueError(f"not a number: {text!r}") from exc


_LABEL = re.compile(r"^(?:第)?(?P<main>\d+|[〇一二三四五六七八九十百]+)(?:項)?(?P<subs>(?:の(?:\d+|[〇一二三四五六七八九十百]+))*)(?:の項|項)?$")


def normalize_item_label(text: str) -> str:
    """An item label in the form the law tables use: ``36の2``.

    Accepts ``三十六の二``, ``３６の２``, ``36の2の項``, ``第36項``, ``項番36の2`` → ``36の2``.
    Raises ValueError when ``text`` is not an item label.
    """
    t = compact(text)
    t = re.sub(r"^(?:項番|項目|項)", "", t)
    m = _LABEL.match(t)
    if not m:
        raise ValueError(f"not an item label: {text!r}")
    parts = [str(kanji_to_int(m["main"]))]
    for sub in re.findall(r"の(\d+|[〇一二三四五六七八九十百]+)", m["subs"] or ""):
        parts.append(str(kanji_to_int(sub)))
    return "の".join(parts)


def item_sort_key(label: str) -> tuple[int, ...]:
    """Sort key that puts ``36`` < ``36の2`` < ``37``."""
    return tuple(int(p) for p in normalize_item_label(label).split("の"))
