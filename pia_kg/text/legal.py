"""The law tables pia-kg knows, and how a document's wording names one of them.

The one place where a table's key (used in IRIs), its canonical label (used in queries and
answers) and the ways documents write it are defined. Loaders of assessments and of law
both use it; nothing else spells a table name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pia_kg.text.japanese import compact, kanji_to_int

__all__ = ["LawTable", "TABLES", "table_by_key", "table_by_label", "canonical_table_label"]


@dataclass(frozen=True)
class LawTable:
    key: str  # IRI segment, ASCII
    label: str  # canonical label, as answers show it
    label_en: str
    kind: str  # "use": 第9条 table of 事務; "provision": 情報照会者/提供者 table
    law: str  # the law or ordinance the table belongs to


TABLES: tuple[LawTable, ...] = (
    LawTable("bango-beppyo1", "番号法別表第一", "My Number Act, old Appended Table 1", "use", "番号法"),
    LawTable("bango-beppyo2", "番号法別表第二", "My Number Act, old Appended Table 2", "provision", "番号法"),
    LawTable("bango-beppyo", "番号法別表", "My Number Act, Appended Table (from 2024-05-27)", "use", "番号法"),
    LawTable(
        "shumu-shorei-art2",
        "主務省令第2条の表",
        "Table of Article 2 of the competent ministerial ordinance (from 2024-05-27)",
        "provision",
        "令和6年デジタル庁・総務省令第9号",
    ),
    LawTable(
        "h26-ordinance-5",
        "平成26年内閣府・総務省令第5号",
        "Ordinance H26 No. 5 (事務 of old Appended Table 1)",
        "use-detail",
        "平成26年内閣府・総務省令第5号",
    ),
    LawTable(
        "h26-ordinance-7",
        "平成26年内閣府・総務省令第7号",
        "Ordinance H26 No. 7 (事務 and 情報 of old Appended Table 2)",
        "provision-detail",
        "平成26年内閣府・総務省令第7号",
    ),
)

_BY_KEY = {t.key: t for t in TABLES}
_BY_LABEL = {t.label: t for t in TABLES}


def table_by_key(key: str) -> LawTable:
    from pia_kg.errors import UnknownNameError

    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownNameError("law table", key, _BY_KEY) from None


def table_by_label(label: str) -> LawTable | None:
    """The known table whose canonical label is ``label`` (after widths/space folding)."""
    return _BY_LABEL.get(compact(label))


_SHUMU = re.compile(r"主務省令第(?:2|二)条?の表")
_BEPPYO = re.compile(r"別表(?:第?(?P<n>\d+|[一二三四五六七八九十]+))?")
# The law or ordinance right before 別表, possibly with the article that cites the table in
# between ("新宿区番号条例第3条第1項別表" names that 条例's table, not 番号法's).
_OTHER_LAW = re.compile(
    r"(?P<law>[^\s、。()（）「」]*?(?:法|条例|規則|政令|省令))"
    r"(?:第[\d一二三四五六七八九十百]+条(?:の[\d一二三四五六七八九十]+)?(?:第[\d一二三四五六七八九十]+[項号])*)?(?:の)?別表"
)
_LAW_ALIASES = {
    "番号法": "番号法",
    "番号利用法": "番号法",
    "行政手続における特定の個人を識別するための番号の利用等に関する法律": "番号法",
    "住基法": "住民基本台帳法",
    "住民基本台帳法": "住民基本台帳法",
}


def canonical_table_label(written: str, *, default_law: str = "番号法") -> str | None:
    """The canonical label of the table that ``written`` names, or None when it names none.

    ``別表第1`` / ``別表第一`` / ``番号法別表第2`` → 番号法別表第一 / 番号法別表第二;
    ``別表`` alone (with 番号法 context) → 番号法別表; ``主務省令第２条の表`` → 主務省令第2条の表;
    ``住基法別表第５`` → 住民基本台帳法別表第五; ``住基条例別表第３`` → 住基条例別表第三;
    another law's table keeps that law's name. ``default_law`` is the law a bare 別表 belongs to.
    """
    text = compact(written)
    if _SHUMU.search(text):
        return "主務省令第2条の表"
    m = _BEPPYO.search(text)
    if not m:
        return None
    law = default_law
    other = _OTHER_LAW.search(text)
    if other:
        name = other["law"]
        law = next((v for k, v in _LAW_ALIASES.items() if name.endswith(k)), name)
    number = m["n"]
    if number is None:
        return f"{law}別表"
    return f"{law}別表第{_kanji(kanji_to_int(number))}"


_DIGITS = "〇一二三四五六七八九"


def _kanji(n: int) -> str:
    """1..99 as 漢数字 (一, 十, 二十三), the way law texts number their tables."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])
