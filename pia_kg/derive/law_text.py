"""Law item text reduced to what identifies a 事務, so that two versions of an item can be compared.

An amendment that renumbers a table also rewrites its boilerplate: the 2024 tables cite a law's
number the first time it appears (（大正十一年法律第七十号）), end with "次条で定めるもの" or
"第百八条で定めるもの" instead of "主務省令で定めるもの", and scope definitions to the article
(（以下この条において同じ。）). None of that changes which 事務 an item is about, so every
comparison of items goes through ``item_text`` and ``agency_text`` here. Parentheses that
restrict the meaning (（同法第十五条第一項の疾病に係るものに限る。）, （児童手当法…に掲げる者を含む。）)
are kept: they are what tells two neighbouring items apart.
"""

from __future__ import annotations

import re

from pia_kg.text.numerals import NUMERAL
from pia_kg.text.widths import compact

__all__ = [
    "inline_definitions",
    "defined_terms",
    "expand_terms",
    "strip_parentheticals",
    "item_text",
    "agency_text",
    "cited_law",
    "law_names",
]

_NUM = NUMERAL

# A parenthetical is boilerplate when it gives a law's number or defines / scopes a term.
_BOILERPLATE_PAREN = re.compile(
    rf"(?:{_NUM}年(?:法律|政令|.{{0,12}}?省令)第{_NUM}号|以下|をいう|において同じ|と総称する|という。)"
)
_TRAILER = re.compile(
    rf"(?:であって|で)?(?:主務省令|次条|同条|前条|第{_NUM}条(?:の{_NUM})?)で定めるもの$"
)
# 条/項/号 references: 第五条第二項, 第十七条第一項の表の下欄 keeps "の表の下欄".
_ARTICLE_REF = re.compile(rf"(?:同法|同条|同項)?(?:第{_NUM}(?:条|項|号)(?:の{_NUM})*)+")
_LAW_NAME = re.compile(
    rf"(?P<law>[^、。,()「」]*?(?:法律(?:第{_NUM}号)?|法|政令|要綱|通知))(?=による|の規定|第|附則|又は|若しくは|その他|及び|に基づく|\(|$)"
)


def strip_parentheticals(text: str, *, only_boilerplate: bool = True) -> str:
    """``text`` without its (possibly nested) parentheticals: all of them, or only boilerplate.

    Works on NFKC text, where （） became (). Nested parentheses are handled by removing the
    innermost first, so a law number inside a definition does not leave half a parenthesis.
    """
    inner = re.compile(r"\([^()]*\)")
    previous = None
    kept: list[str] = []
    while previous != text:
        previous = text

        def _drop(m: re.Match[str]) -> str:
            body = m.group(0)
            if not only_boilerplate or _BOILERPLATE_PAREN.search(body):
                return ""
            # Keep it, but hide it from the next pass so its enclosing parenthetical is seen.
            kept.append(body)
            return f"\x00{len(kept) - 1}\x01"

        text = inner.sub(_drop, text)
    return re.sub(r"\x00(\d+)\x01", lambda m: kept[int(m.group(1))], text)


# A definition in parentheses: （…。以下この条において「平成十九年法律第三十号」という。）
_DEFINITION = re.compile(r"\((?P<body>[^()]*?)以下[^()「」]*?「(?P<alias>[^」()]+)」(?:という|と総称する)。?\)")
_LAW_NUMBER = re.compile(rf"^(?:明治|大正|昭和|平成|令和)?{_NUM}年法律第{_NUM}号$")
# Where the law title before a definition of its number starts.
_TITLE_STOP = re.compile(r".*(?:又は|若しくは|による|に基づく|[、。,()「」])")


def inline_definitions(text: str) -> str:
    """A law title with the definition of its number, replaced by that number (the alias).

    The 2024 tables spell out a law that the old tables cited by its number alone, defining
    the number as its name; the definition inserted is the only difference, so it goes:

    >>> inline_definitions("船員保険法による保険給付又は雇用保険法等の一部を改正する法律(平成十九年法律"
    ...     "第三十号。以下この条において「平成十九年法律第三十号」という。)附則第三十九条")
    '船員保険法による保険給付又は平成十九年法律第三十号附則第三十九条'
    """
    for m in reversed(list(_DEFINITION.finditer(text))):
        if not _LAW_NUMBER.match(m["alias"]):
            continue
        lead = _TITLE_STOP.match(text[: m.start()])
        start = lead.end() if lead else 0
        text = text[:start] + m["alias"] + text[m.end() :]
    return text


def defined_terms(jimus: list[str]) -> dict[str, str]:
    """Terms the items of a law version define, each with the phrase it stands for.

    >>> defined_terms(["A法律による支援給付又は配偶者支援金(以下「支援給付等」という。)の支給"])
    {'支援給付等': 'A法律による支援給付又は配偶者支援金'}
    """
    terms: dict[str, str] = {}
    for jimu in jimus:
        text = compact(jimu)
        for m in _DEFINITION.finditer(text):
            if not _LAW_NUMBER.match(m["alias"]):
                terms.setdefault(m["alias"], strip_parentheticals(text[: m.start()], only_boilerplate=False))
    return terms


def expand_terms(jimu: str, terms: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """``jimu`` with the defined terms it uses (not defines) replaced by their phrase, and
    the terms expanded: 中国残留邦人等支援給付等 → 中国残留邦人等の…法律による支援給付又は配偶者支援金."""
    text, used = compact(jimu), []
    for alias, phrase in terms.items():
        if alias in text and f"「{alias}」" not in text:
            text = text.replace(alias, phrase)
            used.append(alias)
    return text, tuple(used)


def _base(text: str) -> str:
    return compact(text).replace("「", "").replace("」", "")


def item_text(jimu: str) -> str:
    """The 事務 of an item reduced to its content: NFKC, no spaces, no boilerplate.

    Removes law numbers and term definitions in parentheses, the closing "であって主務省令
    (次条, 第N条) で定めるもの", and 条/項/号 references; those differ between versions of
    the same item.
    """
    text = strip_parentheticals(_base(inline_definitions(compact(jimu))))
    text = _TRAILER.sub("", text)
    text = _ARTICLE_REF.sub("", text)
    return text.rstrip("。")


def agency_text(agency: str) -> str:
    """The 機関 (行政機関等 / 情報照会者) reduced the same way as ``item_text``."""
    text = strip_parentheticals(_base(agency))
    return _ARTICLE_REF.sub("", text)


_ALIAS = re.compile(r"以下(?:この条において)?「?(?P<alias>[^」()]+?)」?という")


def law_names(jimu: str) -> tuple[str, ...]:
    """The names the first cited law goes by in ``jimu``: its name, then any alias it defines.

    ``厚生年金保険法等の一部を改正する法律（平成八年法律第八十二号。以下「平成八年法律第八十二号」と
    いう。）`` → (厚生年金保険法等の一部を改正する法律, 平成八年法律第八十二号): the 2024 tables
    spell out laws that the old tables cited by their alias alone.
    """
    first = cited_law(jimu)
    if first is None:
        return ()
    text = _base(jimu)
    names = [first]
    at = text.find(first)
    if at >= 0 and text[at + len(first) : at + len(first) + 1] == "(":
        m = _ALIAS.search(text[at + len(first) : at + len(first) + 120])
        if m and m["alias"] not in names:
            names.append(m["alias"])
    return tuple(names)


def cited_law(jimu: str) -> str | None:
    """The first law (or 要綱/通知) an item's 事務 is based on, e.g. 児童手当法; None if none.

    Items of the same 事務 almost always cite the same law, so a shared law name is strong
    evidence and a different one is strong evidence against.
    """
    text = strip_parentheticals(_base(jimu), only_boilerplate=False)
    m = _LAW_NAME.search(text)
    if not m:
        return None
    law = m["law"]
    # A law named by its number ("平成二十五年法律第六十三号") is a name, not a reference.
    return law if len(law) >= 3 else None
