"""Item labels (項番) of the law tables, and lists of them as documents write them.

The law tables number their items ``36``, ``36の2``; documents write ``三十六の二``,
``３６の２``, ``36の2の項``, ``第36項``, ``項番36の2``, and lists ``26、30、87、106の項``.
"""

from __future__ import annotations

import re

from pia_kg.errors import NotationError
from pia_kg.text.numerals import NUMERAL, to_int
from pia_kg.text.widths import compact

__all__ = [
    "ITEM_LABEL",
    "LIST_SEPARATOR",
    "normalize_item_label",
    "item_sort_key",
    "is_item_list",
    "split_item_list",
]

#: An item label in digits after NFKC: ``36``, ``36の2``, ``5の2の3``.
ITEM_LABEL = r"\d+(?:の\d+)*"
#: What separates the labels of a list: 、 , ， ・ (after NFKC: 、 , ・).
LIST_SEPARATOR = r"[、,，・]"

_PREFIX = re.compile(r"^(?:項番|項目|項)")
_LABEL = re.compile(rf"^(?:第)?(?P<main>{NUMERAL})(?:項)?(?P<subs>(?:の{NUMERAL})*)(?:の項|項)?$")
_SUB = re.compile(rf"の({NUMERAL})")
_ONE = rf"第?{ITEM_LABEL}項?"
_LIST = re.compile(rf"^(?:{_ONE})(?:\s*{LIST_SEPARATOR}\s*(?:{_ONE}))*(?:の項)?$")


def normalize_item_label(text: str) -> str:
    """An item label in the form the law tables use.

    >>> [normalize_item_label(t) for t in ("第三十六の二", "３６の２", "36の2の項", "第36項", "項番36の2")]
    ['36の2', '36の2', '36の2', '36', '36の2']

    Raises NotationError when ``text`` is not an item label:

    >>> normalize_item_label('81"@en')
    Traceback (most recent call last):
    ...
    pia_kg.errors.NotationError: not an item label: '81"@en'
    """
    t = _PREFIX.sub("", compact(text))
    m = _LABEL.match(t)
    if not m:
        raise NotationError(f"not an item label: {text[:40]!r}")
    parts = [to_int(m["main"]), *(to_int(sub) for sub in _SUB.findall(m["subs"] or ""))]
    return "の".join(str(p) for p in parts)


def item_sort_key(label: str) -> tuple[int, ...]:
    """Sort key that puts ``36`` < ``36の2`` < ``37``; NotationError as ``normalize_item_label``.

    >>> sorted(["37", "36の2", "36"], key=item_sort_key)
    ['36', '36の2', '37']
    """
    return tuple(int(p) for p in normalize_item_label(label).split("の"))


def is_item_list(text: str) -> bool:
    """Whether ``text`` is one item label or a list of them (digits, as documents write lists).

    >>> is_item_list("26、30、87、106の項"), is_item_list("第5項"), is_item_list("児童手当")
    (True, True, False)
    """
    return bool(text.strip()) and bool(_LIST.match(compact(text)))


def split_item_list(text: str) -> list[str]:
    """The labels of a list, in the law tables' form.

    >>> split_item_list("２６、３０・８７, 106の2の項")
    ['26', '30', '87', '106の2']

    Raises NotationError when ``text`` is not a list of item labels.
    """
    if not is_item_list(text):
        raise NotationError(f"not a list of item labels: {text[:40]!r}")
    body = compact(text).removesuffix("の項")
    return [normalize_item_label(p) for p in re.split(LIST_SEPARATOR, body) if p]
