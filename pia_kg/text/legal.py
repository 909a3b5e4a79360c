"""The law tables pia-kg knows, and the day the 2024 reform replaced two of them.

The one place where a table's key (used in IRIs), its canonical label (used in queries and
answers) and its kind are defined. How a document's wording names a table is the citation
grammar (``pia_kg.text.citation``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pia_kg.errors import UnknownNameError
from pia_kg.text.widths import compact

__all__ = ["LawTable", "TABLES", "REFORM_DATE", "table_by_key", "table_by_label"]

#: The day 番号法別表第一/第二 gave way to 番号法別表 and 主務省令第2条の表.
REFORM_DATE = dt.date(2024, 5, 27)


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
    """The known table of IRI key ``key``; UnknownNameError listing the keys otherwise.

    >>> table_by_key("bango-beppyo1").label
    '番号法別表第一'
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownNameError("law table", key, _BY_KEY) from None


def table_by_label(label: str) -> LawTable | None:
    """The known table whose canonical label is ``label`` (after widths/space folding).

    >>> table_by_label("主務省令第２条の表").key, table_by_label("別表") is None
    ('shumu-shorei-art2', True)
    """
    return _BY_LABEL.get(compact(label))
