"""Citations outside the 法令上の根拠 cells: free text of Ⅰ and 別紙 rows quoted in change lists."""

from __future__ import annotations

from conftest import SEED_001, SEED_003

from pia_kg.loaders.documents.citations import free_text_citations, quoted_annex_rows


def test_free_text_of_the_task_description_cites_an_item() -> None:
    line = SEED_001.read_text(encoding="utf-8").splitlines()[36]  # L37, ②事務の内容
    assert [(c.canonical, c.item) for c in free_text_citations(line)] == [("番号法別表第一", "81")]


def test_free_text_without_an_item_number_cites_nothing() -> None:
    text = "番号法主務省令第2条の表に記載されている提供側業務について、業務情報を提供する。"
    assert free_text_citations(text) == []


def test_quoted_annex_rows_of_a_change_list() -> None:
    lines = SEED_003.read_text(encoding="utf-8").splitlines()
    section = lines[62].strip()  # L63: (別紙2) 番号法第9条第1項別表第一に掲げる事務
    body = "\n".join(lines[63:68])
    rows = quoted_annex_rows(section, body)
    assert [(c.canonical, c.item) for c, _ in rows] == [("番号法別表第一", i) for i in ("49", "68", "76", "84")]
    assert rows[3][1].startswith("健康増進法による健康増進事業")


def test_a_quoted_table_pia_kg_does_not_hold_gives_no_rows() -> None:
    lines = SEED_003.read_text(encoding="utf-8").splitlines()
    assert quoted_annex_rows(lines[68].strip(), "\n".join(lines[69:72])) == []
