"""Widths and spaces: every comparison and every IRI goes through these so that spellings meet.

Documents mix 全角 and 半角 digits and letters, half-width kana and ideographic spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["SPACES", "nfkc", "fold_spaces", "compact"]

#: Runs of white space, ideographic space (U+3000) included.
SPACES = re.compile(r"[\s\u3000]+")


def nfkc(text: str) -> str:
    """NFKC: full-width digits and letters to ASCII, half-width kana to full-width.

    >>> nfkc("別表第１の項番３６の２")
    '別表第1の項番36の2'
    >>> nfkc("ｶﾅ　(案)")
    'カナ (案)'
    """
    if len(text) > _BIG:  # a whole document or page on one line: normalised once, not per reader
        return _nfkc_big(text)
    if len(text) <= _SHORT:
        return _nfkc_short(text)
    return unicodedata.normalize("NFKC", text)


_BIG = 1 << 16
# The same cells, labels and names come back thousands of times per document (the form's
# wording): short texts keep their recent answers (these are pure functions).
_SHORT = 512
_CACHED = 1 << 16


@lru_cache(maxsize=_CACHED)
def _nfkc_short(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=8)
def _nfkc_big(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def fold_spaces(text: str) -> str:
    """NFKC, runs of any white space (incl. 全角空白) to one space, stripped.

    >>> fold_spaces("　番号法 \\u3000 別表第二\\n")
    '番号法 別表第二'
    """
    return _fold_spaces_short(text) if len(text) <= _SHORT else SPACES.sub(" ", nfkc(text)).strip()


@lru_cache(maxsize=_CACHED)
def _fold_spaces_short(text: str) -> str:
    return SPACES.sub(" ", nfkc(text)).strip()


def compact(text: str) -> str:
    """NFKC with every white space removed: the form used to compare names.

    >>> compact("主務省令　第２条 の表")
    '主務省令第2条の表'
    """
    return _compact_short(text) if len(text) <= _SHORT else SPACES.sub("", nfkc(text))


@lru_cache(maxsize=_CACHED)
def _compact_short(text: str) -> str:
    return SPACES.sub("", nfkc(text))
