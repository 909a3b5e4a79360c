"""Transition shim: the rules moved to ``widths``, ``numerals``, ``wareki`` and ``items``."""

from pia_kg.text.items import item_sort_key, normalize_item_label
from pia_kg.text.numerals import to_int as kanji_to_int
from pia_kg.text.wareki import ERAS, find_wareki_dates, wareki_to_date
from pia_kg.text.widths import compact, fold_spaces, nfkc

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
