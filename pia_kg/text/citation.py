"""The citation grammar: how a document's wording names a law, an article, a table and its items.

One grammar for every reader: the basis cells of an assessment (``parse_citations``), the
headings of its 別紙 (``table_as_written``, ``article_as_written``, ``law_in_title``), the
変更前/変更後 texts of its change history (``find_table_items``), the law tables' own titles
and what a person types (``canonical_table_label``).

    番号法第19条第8号 別表第2の項番87      law + article, table, item
    住基法第30条の15 … 別表第五            a bare 別表 is the article's law's table
    主務省令第２の表 第106項 / (1、2、5の2の項)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pia_kg.errors import NotationError
from pia_kg.text.items import ITEM_LABEL, LIST_SEPARATOR, normalize_item_label, split_item_list
from pia_kg.text.numerals import KANJI_DIGITS, NUMERAL, to_int, to_kanji
from pia_kg.text.widths import SPACES, compact, nfkc

__all__ = [
    "LAW_ALIASES",
    "KNOWN_LAW",
    "LAW_NAME",
    "ARTICLE",
    "TABLE",
    "ParsedCitation",
    "canonical_law",
    "law_abbreviations",
    "canonical_table_label",
    "table_as_written",
    "article_as_written",
    "article_numbers",
    "law_in_title",
    "parse_citations",
    "items_after_table",
    "find_table_items",
    "labels_in_parentheses",
    "recipient_items",
    "table_heading",
]

_FORMAL_BANGO = "行政手続における特定の個人を識別するための番号の利用等に関する法律"
_SHORT_NAMES = {"番号法": "番号法", "番号利用法": "番号法", "住基法": "住民基本台帳法", "住民基本台帳法": "住民基本台帳法"}
#: The names documents give the laws whose tables pia-kg holds -> the canonical name.
LAW_ALIASES: dict[str, str] = {**_SHORT_NAMES, _FORMAL_BANGO: "番号法"}
_BANGO = "|".join(k for k, v in _SHORT_NAMES.items() if v == "番号法")
#: The short names among them: what a citation writes right before 第N条 or 別表.
KNOWN_LAW = "(?:" + "|".join(_SHORT_NAMES) + ")"
#: Any law or ordinance by name (after NFKC): up to 80 name characters ending in 法, 条例…
#: (bounded, so that a long line without any law name is read in linear time).
LAW_NAME = r"[^\s、。()（）「」・,，:：;；]{0,80}?(?:法律|法|条例|規則|政令|省令)"
_LAW = rf"(?:{KNOWN_LAW}|{LAW_NAME})"
#: 第9条 / 第三十条の十五 / 第19条第8号 / 第9条第1項 (spaces and 全角 digits allowed).
ARTICLE = re.compile(
    rf"(?P<law>{_LAW})?\s*第\s*{NUMERAL}\s*条(?:\s*の\s*{NUMERAL})?"
    rf"(?:\s*第\s*{NUMERAL}\s*項)?(?:\s*第\s*{NUMERAL}\s*号)?"
)
# The clause that gives a law its short name, "（以下「住基条例」という。）", found first; the
# law it follows is then read backwards from it, within the longest a law name can be.
# (Searching for the name first tried a name of up to 80 characters at every character of
# the text: 11 ms for a document's 100,000 characters, for the few clauses it holds.)
_SHORT_NAME_CLAUSE = re.compile(r"[（(]\s*以下\s*「(?P<abbr>[^」]+)」\s*という。?\s*[）)]")
_NAME_BEFORE = re.compile(rf"(?P<full>{LAW_NAME})\Z")
_LONGEST_NAME = 82  # LAW_NAME: 80 characters, and 法律 at most after them
_ARTICLE_NUMBER = re.compile(rf"第\s*({NUMERAL})\s*条")
_SHUMU = r"主務省令\s*第?\s*(?:2|２|二)\s*条?\s*の表"
_BEPPYO = rf"別表(?:\s*第\s*{NUMERAL})?"
#: A law table as a citation names it, with the law before it when written: 番号法別表第1.
TABLE = re.compile(rf"(?P<t>(?P<law>{_LAW})?(?:の)?(?:{_SHUMU}|{_BEPPYO}))")
_TABLE_ONLY = re.compile(rf"{_SHUMU}|{_BEPPYO}")
# A sub-table heading inside one 別紙: "別表第一（第3条関係）".
_HEADING = re.compile(rf"^\s*(?P<table>{_BEPPYO})\s*[(（][^)）]*関係[)）]\s*$")
_TABLE_NUMBER = re.compile(rf"別表(?:第?(?P<n>\d+|[{KANJI_DIGITS}]+))?")
# The law or ordinance right before 別表, possibly with the article that cites the table in
# between ("新宿区番号条例第3条第1項別表" names that 条例's table, not 番号法's).
_LAW_OF_TABLE = re.compile(
    rf"(?P<law>{LAW_NAME})(?:第{NUMERAL}条(?:の{NUMERAL})?(?:第{NUMERAL}[項号])*)?(?:の)?別表"
)
_ITEMS_AFTER = re.compile(
    rf"(?P<list>{ITEM_LABEL}(?:\s*{LIST_SEPARATOR}\s*{ITEM_LABEL})*)\s*(?:の項|項)"
)
_ITEM_SINGLE = re.compile(rf"(?:項番|第)\s*(?P<one>{ITEM_LABEL})\s*(?:号|項)?")
_ITEM_NUMBERED = re.compile(rf"項番\s*(?P<one>{ITEM_LABEL})")
# A table then an item in a change text: 別表第1の項番56, 別表第2の37, 主務省令第2の表第106項.
_TABLE_ITEM = re.compile(
    rf"(?P<table>{_SHUMU}|(?:{_BANGO})?別表(?:第?[1-9{KANJI_DIGITS[1:10]}])?)"
    rf"(?:における|の)?(?:項番|第)?(?P<label>{ITEM_LABEL})(?:の項|項|号)?"
)

# A 別紙 row as a change text quotes it: 【提供先】… 【法令上の根拠(項番)】106.
_RECIPIENT_ITEM = re.compile(rf"【(?P<kind>提供先|移転先)】.*?【法令上の根拠\(項番\)】(?P<label>{ITEM_LABEL})")


def canonical_law(name: str) -> str:
    """The canonical name of a law a document names, or ``name`` itself for other laws.

    >>> canonical_law("番号利用法"), canonical_law("住基法"), canonical_law("新宿区番号条例")
    ('番号法', '住民基本台帳法', '新宿区番号条例')
    """
    return next((v for k, v in LAW_ALIASES.items() if name.endswith(k)), name)


def law_abbreviations(text: str) -> dict[str, str]:
    """The short names a document defines for laws: ``X条例（以下「住基条例」という。）``.

    Only abbreviations that are themselves law names (法, 条例, 規則, 省令, 政令) count; the
    first definition of each wins.

    >>> law_abbreviations("群馬県住民基本台帳法施行条例（以下「住基条例」という。）及び")
    {'住基条例': '群馬県住民基本台帳法施行条例'}
    >>> law_abbreviations("本町個人情報保護条例(以下「保護条例」という)、本町手数料条例 （以下「手数料条例」"
    ...                   "という。）及び国税(以下「国税」という。)")
    {'保護条例': '本町個人情報保護条例', '手数料条例': '本町手数料条例'}
    """
    found: dict[str, str] = {}
    text = nfkc(text)
    start = 0
    while clause := _SHORT_NAME_CLAUSE.search(text, start):
        end = clause.start()  # of the law's name: white space may stand before the clause
        while end and text[end - 1].isspace():
            end -= 1
        law = _NAME_BEFORE.search(text, max(0, end - _LONGEST_NAME), end)
        if law is None:  # no law named before it: a clause may still open inside this one
            start = clause.start() + 1
            continue
        start = clause.end()
        full = re.sub(r"^(?:及び|並びに|又は|若しくは)", "", law["full"])
        if any(w in clause["abbr"] for w in ("法", "条例", "規則", "省令", "政令")):
            found.setdefault(clause["abbr"], full)
    return found


def canonical_table_label(written: str, *, default_law: str = "番号法") -> str | None:
    """The canonical label of the table that ``written`` names, or None when it names none.

    ``default_law`` is the law a bare 別表 belongs to; another law's table keeps its name.

    >>> canonical_table_label("別表第1"), canonical_table_label("番号利用法別表第２")
    ('番号法別表第一', '番号法別表第二')
    >>> canonical_table_label("別表"), canonical_table_label("主務省令第２条の表")
    ('番号法別表', '主務省令第2条の表')
    >>> canonical_table_label("住基法別表第５"), canonical_table_label("新宿区番号条例第3条第1項別表")
    ('住民基本台帳法別表第五', '新宿区番号条例別表')
    >>> canonical_table_label("児童手当法") is None
    True
    """
    text = compact(written)
    if re.search(_SHUMU, text):
        return "主務省令第2条の表"
    m = _TABLE_NUMBER.search(text)
    if not m:
        return None
    other = _LAW_OF_TABLE.search(text)
    law = canonical_law(other["law"]) if other else default_law
    if m["n"] is None:
        return f"{law}別表"
    return f"{law}別表第{to_kanji(to_int(m['n']))}"


def table_as_written(text: str) -> str | None:
    """The phrase naming a law table in ``text``, spaces removed, digits as written.

    >>> table_as_written("別表第一（第9条関係）"), table_as_written("主務省令 第２条 の表 第3項")
    ('別表第一', '主務省令第２条の表')
    """
    m = _TABLE_ONLY.search(text or "")
    return SPACES.sub("", m.group(0)) if m else None


def table_heading(line: str) -> str | None:
    """The table a sub-table heading of a 別紙 names, as written; None for any other line.

    >>> table_heading("別表第一（第3条関係）"), table_heading("別表第一に定める事務") is None
    ('別表第一', True)
    """
    m = _HEADING.match(line)
    return m["table"] if m else None


def article_as_written(text: str) -> str | None:
    """The first article reference with its law, spaces removed, as written.

    >>> article_as_written("番号法 第19条 第8号 別表第2"), article_as_written("別表第一") is None
    ('番号法第19条第8号', True)
    """
    m = ARTICLE.search(text or "")
    return SPACES.sub("", m.group(0)) if m else None


def article_numbers(text: str) -> list[int]:
    """The number of every article (第N条) ``text`` cites, in order.

    >>> article_numbers("番号法第19条第8号"), article_numbers("番号法第九条第一項・第十九条")
    ([19], [9, 19])
    """
    return [to_int(n) for n in _ARTICLE_NUMBER.findall(nfkc(text))]


def law_in_title(title: str) -> str | None:
    """The law or ordinance a 別紙 title names before に定める/に掲げる/に基づく.

    >>> law_in_title("旭川市個人番号の利用に関する条例に定める事務")
    '旭川市個人番号の利用に関する条例'
    """
    head = re.split(r"に(?:定める|掲げる|基づく)", compact(title))[0]
    names = re.findall(LAW_NAME, head)
    return names[-1] if names else None


@dataclass(frozen=True)
class ParsedCitation:
    """One (article, table, item) reading of a basis text; item None when none is cited."""

    article: str | None
    table: str | None
    canonical: str | None
    item: str | None


def parse_citations(text: str, default_law: str = "番号法") -> list[ParsedCitation]:
    """The citations one basis text makes: one per cited item of its first table.

    A text that names an article but no table gives one citation without a table; a text
    that names neither gives none.

    >>> [c.item for c in parse_citations("番号法第19条第8号 別表第2の項番1、2、5の2の項")]
    ['1', '2', '5の2']
    >>> parse_citations("住民基本台帳法第30条の15 別表第五")[0].canonical
    '住民基本台帳法別表第五'
    >>> parse_citations("番号法第9条第1項")
    [ParsedCitation(article='番号法第9条第1項', table=None, canonical=None, item=None)]
    """
    t = nfkc(text)
    art = ARTICLE.search(t)
    article = _article_with_law(t, art)
    tab = TABLE.search(t)
    if tab is None:
        return [ParsedCitation(article, None, None, None)] if article else []
    table = SPACES.sub("", tab["t"])
    law_of_article = art["law"] if art and art["law"] else None
    if law_of_article and not tab["law"]:
        # 住民基本台帳法第30条の15 … 別表第五: the bare 別表 is the article's law's table.
        canonical = canonical_table_label(law_of_article + table, default_law=default_law)
    else:
        canonical = canonical_table_label(table, default_law=default_law)
    labels = items_after_table(t[tab.end() : tab.end() + 600])
    if not labels:
        return [ParsedCitation(article, table, canonical, None)]
    return [ParsedCitation(article, table, canonical, lab) for lab in labels]


def _article_with_law(text: str, art: re.Match[str] | None) -> str | None:
    if art is None:
        return None
    article = SPACES.sub("", art.group(0))
    if not art["law"]:
        # "住民基本台帳法(昭和42年…) ・第7条": the article belongs to the law named before it.
        named = re.findall(KNOWN_LAW, text[: art.start()])
        if named:
            article = named[-1] + article
    return article


def items_after_table(after: str) -> list[str]:
    """The item labels cited right after a table: a list ending in 項 near the table, else
    one label after 項番 or 第. Labels that are no item label are left out.

    >>> items_after_table("の項番1、2、5の2の項"), items_after_table(" 第106号 …")
    (['1', '2', '5の2'], ['106'])
    """
    m = _ITEMS_AFTER.search(after)
    if m and m.start() < 80:
        written = [p.strip() for p in re.split(LIST_SEPARATOR, m["list"])]
    else:
        one = _ITEM_SINGLE.match(after.lstrip(" 　")) or _ITEM_NUMBERED.search(after[:40])
        written = [one["one"]] if one else []
    labels = []
    for w in written:
        try:
            labels.append(normalize_item_label(w))
        except NotationError:
            continue
    return labels


def find_table_items(text: str) -> list[tuple[str, str]]:
    """(canonical table, item) for every table-then-item a change text writes, in order.

    >>> find_table_items("別表第1の項番56 → 主務省令第2の表第106項")
    [('番号法別表第一', '56'), ('主務省令第2条の表', '106')]
    """
    found = []
    for m in _TABLE_ITEM.finditer(compact(text)):
        table = canonical_table_label(m["table"])
        if table is not None:
            found.append((table, normalize_item_label(m["label"])))
    return found


def recipient_items(text: str) -> list[tuple[str, str]]:
    """(提供先 or 移転先, item) of every 別紙 row a change text quotes, in order.

    >>> recipient_items("【提供先】市町村長【用途】…【法令上の根拠(項番)】106")
    [('提供先', '106')]
    """
    return [(m["kind"], normalize_item_label(m["label"])) for m in _RECIPIENT_ITEM.finditer(compact(text))]


def labels_in_parentheses(text: str) -> list[str]:
    """The labels of every parenthesised list ending in の項: ``(74、75の項)`` → 74, 75.

    >>> labels_in_parentheses("児童手当(74、75の項)に関する事務")
    ['74', '75']
    """
    pattern = rf"\((?P<labels>{ITEM_LABEL}(?:[、,]{ITEM_LABEL})*)の項\)"
    return [x for m in re.finditer(pattern, compact(text)) for x in split_item_list(m["labels"])]
