"""The text rules on the inputs that broke them or that documents really contain."""

from __future__ import annotations

import datetime as dt

import pytest

from pia_kg.errors import NotationError, ParameterError
from pia_kg.text.citation import canonical_table_label, find_table_items, parse_citations
from pia_kg.text.items import item_sort_key, normalize_item_label, split_item_list
from pia_kg.text.numerals import to_int
from pia_kg.text.wareki import ERAS, era_year, find_wareki_dates, wareki_to_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明治45年7月29日", dt.date(1912, 7, 29)),
        ("大正元年8月1日", dt.date(1912, 8, 1)),
        ("昭和六十四年一月七日", dt.date(1989, 1, 7)),
        ("平成３１年４月３０日", dt.date(2019, 4, 30)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("令和 6 年 5 月 27 日", dt.date(2024, 5, 27)),
    ],
)
def test_every_era_and_every_way_of_writing_numbers(text: str, expected: dt.date) -> None:
    assert wareki_to_date(text) == expected


def test_eras_cover_meiji_to_reiwa() -> None:
    assert set(ERAS) == {"明治", "大正", "昭和", "平成", "令和"}


@pytest.mark.parametrize("year", ["9999999999", "99999", "9" * 5000])
def test_an_out_of_range_year_is_no_date_and_never_an_overflow(year: str) -> None:
    assert wareki_to_date(f"令和{year}年1月1日") is None
    assert find_wareki_dates(f"令和{year}年1月1日 と 令和6年5月27日") == [dt.date(2024, 5, 27)]
    with pytest.raises(NotationError):
        era_year("令和", year)


def test_a_date_that_does_not_exist_is_skipped() -> None:
    assert wareki_to_date("令和7年2月30日") is None


@pytest.mark.parametrize("label", ["-1", '81"@en', "", "児童福祉法", "81 or 1=1", "9" * 5000])
def test_an_impossible_item_label_is_a_typed_parameter_error(label: str) -> None:
    with pytest.raises(NotationError) as info:
        normalize_item_label(label)
    assert isinstance(info.value, ParameterError)
    assert not isinstance(info.value, ValueError)


def test_item_labels_sort_as_the_law_numbers_them() -> None:
    labels = ["37", "36の2", "第三十六", "5の2の3", "5の10"]
    assert sorted(labels, key=item_sort_key) == ["5の2の3", "5の10", "第三十六", "36の2", "37"]


def test_item_lists_and_their_errors() -> None:
    assert split_item_list("26、30、87、106の項") == ["26", "30", "87", "106"]
    assert split_item_list("３６の２") == ["36の2"]
    with pytest.raises(NotationError):
        split_item_list("児童福祉法")


def test_numerals_through_kanjize() -> None:
    assert [to_int(t) for t in ("三十六", "百二十", "一〇六", "２１")] == [36, 120, 106, 21]
    with pytest.raises(NotationError):
        to_int("")


@pytest.mark.parametrize(
    ("written", "label"),
    [
        ("別表第1", "番号法別表第一"),
        ("別表第一", "番号法別表第一"),
        ("番号法別表第2", "番号法別表第二"),
        ("行政手続における特定の個人を識別するための番号の利用等に関する法律別表第二", "番号法別表第二"),
        ("別表", "番号法別表"),
        ("主務省令第２条の表", "主務省令第2条の表"),
        ("主務省令第2の表", "主務省令第2条の表"),
        ("住基法別表第５", "住民基本台帳法別表第五"),
        ("住基条例別表第３", "住基条例別表第三"),
        ("新宿区番号条例第3条第1項別表", "新宿区番号条例別表"),
        ("児童手当法第8条", None),
    ],
)
def test_how_a_citation_names_a_table(written: str, label: str | None) -> None:
    assert canonical_table_label(written) == label


@pytest.mark.parametrize(
    ("text", "article", "table", "items"),
    [
        ("番号法第19条第8号 別表第2の項番87", "番号法第19条第8号", "番号法別表第二", ["87"]),
        ("番号法第９条第１項 別表第一(1、2、5の2の項)", "番号法第9条第1項", "番号法別表第一", ["1", "2", "5の2"]),
        ("住民基本台帳法第30条の15第1項 別表第五", "住民基本台帳法第30条の15第1項", "住民基本台帳法別表第五", [None]),
        ("主務省令第2条の表 第106項", "主務省令第2条", "主務省令第2条の表", ["106"]),
    ],
)
def test_how_a_basis_text_names_article_table_and_items(
    text: str, article: str | None, table: str, items: list[str | None]
) -> None:
    parsed = parse_citations(text)
    assert [c.item for c in parsed] == items
    assert {(c.article, c.canonical) for c in parsed} == {(article, table)}


def test_a_change_text_pairs_each_table_with_its_item() -> None:
    assert find_table_items("別表第1の項番56") == [("番号法別表第一", "56")]
    assert find_table_items("番号法第19条第8号 別表第2の87 → 主務省令第2の表 第106項") == [
        ("番号法別表第二", "87"),
        ("主務省令第2条の表", "106"),
    ]


def test_an_out_of_range_era_year_in_a_document_is_no_overflow(tmp_path) -> None:  # noqa: ANN001
    # Issue 12: this raised OverflowError with a 59-line traceback. Now the cover date is
    # simply not a date, and a 変更日 that is no date is reported naming file and line.
    from conftest import SEED_001

    from pia_kg.loaders.documents.assessment import load_assessment

    text = SEED_001.read_text(encoding="utf-8")
    broken = tmp_path / SEED_001.name
    broken.write_text(text.replace("令和7年1月14日", "令和9999999999年1月14日", 1), encoding="utf-8")
    assert len(load_assessment(broken).graph) > 1000
    broken.write_text(text.replace("令和1年6月28日", "令和9999999999年6月28日"), encoding="utf-8")
    warnings = [str(w) for w in load_assessment(broken).warnings]
    assert any(
        w.startswith(f"{SEED_001.name}:381:") and "'令和9999999999年6月28日' is not a date" in w
        for w in warnings
    ), warnings
