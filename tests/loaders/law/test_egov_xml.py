"""The e-Gov 法令XML reader, on the real 2021 XML in ../shared/law/raw.

The decisive test: the XML reader and the TSVs give the same 2021 別表第一/第二 items.
The API response shapes are built from the same real XML, wrapped the way the 法令API v2
OpenAPI schema describes ``law_data_response``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pia_kg.errors import LoaderError
from pia_kg.loaders.law.catalog import find_law_tables
from pia_kg.loaders.law.egov_xml import (
    appendix_tables,
    parse_law_document,
    read_egov_tables,
    read_law_document,
    table_versions_from_document,
)
from pia_kg.loaders.law.model import TableItem
from pia_kg.text.widths import compact

RAW_ACT = "raw/kuboon-elaws-xml_3d297823_docs_xml_425AC0000000027.xml"


@pytest.fixture(scope="module")
def act_bytes(law_dir: Path) -> bytes:
    return (law_dir / RAW_ACT).read_bytes()


@pytest.fixture(scope="module")
def xml_versions(law_dir: Path):
    return {v.table.key: v for v in read_egov_tables(law_dir / RAW_ACT)}


def _comparable(item: TableItem) -> tuple:
    return (
        item.label,
        item.deleted,
        compact(item.agency),
        compact(item.jimu),
        [(compact(p.provider), compact(p.information)) for p in item.providers],
    )


def test_xml_and_tsv_agree_on_the_2021_tables(law_dir, xml_versions):
    tsv = {(v.table.key, v.version_key): v for v in find_law_tables(law_dir)}
    assert set(xml_versions) == {"bango-beppyo1", "bango-beppyo2"}
    for key, from_xml in xml_versions.items():
        assert from_xml.version_key == "2020-12-12"
        from_tsv = tsv[(key, "2020-12-12")]
        assert [i.label for i in from_xml.items] == [i.label for i in from_tsv.items]
        for a, b in zip(from_xml.items, from_tsv.items, strict=True):
            assert _comparable(a) == _comparable(b), a.label
        assert from_xml.revision_id == from_tsv.revision_id
        assert (from_xml.in_force_from, from_xml.in_force_to) == (
            from_tsv.in_force_from,
            from_tsv.in_force_to,
        )


def test_counts_from_xml_match_sources(xml_versions):
    # SOURCES.md: 2021 別表第一 108 items (削除 25, 79, 89); 別表第二 126 items, 299 lines (削除 36).
    one, two = xml_versions["bango-beppyo1"], xml_versions["bango-beppyo2"]
    assert len(one.items) == 108
    assert [i.label for i in one.items if i.deleted] == ["25", "79", "89"]
    assert len(two.items) == 126
    assert sum(max(len(i.providers), 1) for i in two.items) == 299
    assert [i.label for i in two.items if i.deleted] == ["36"]


def test_rowspans_give_each_item_its_providers(xml_versions):
    two = xml_versions["bango-beppyo2"]
    # In the XML, item 一 spans 4 rows and item 二 spans 5 (rowspan="4" / rowspan="5").
    assert len(two.item("1").providers) == 4
    assert len(two.item("2").providers) == 5
    assert two.item("2").agency == "全国健康保険協会"
    assert two.item("1").providers[3].provider == "厚生労働大臣"


def test_ruby_readings_are_dropped_and_labels_normalised(xml_versions):
    one = xml_versions["bango-beppyo1"]
    item = one.item("36の2")  # <Ruby>罹<Rt>り</Rt></Ruby>災証明書
    assert item is not None and item.agency == "市町村長"
    assert "罹災証明書" in item.jimu and "罹り災" not in item.jimu
    assert one.item("6の2").jimu.startswith("職業安定法")


def test_appendix_tables_resolve_rowspans_into_full_rows(law_dir):
    doc = read_law_document(law_dir / RAW_ACT)
    titles = [t.title for t in appendix_tables(doc)]
    assert titles == ["別表第一（第九条関係）", "別表第二（第十九条、第二十一条関係）"]
    two = appendix_tables(doc)[1]
    assert two.rows[0] == ["情報照会者", "事務", "情報提供者", "特定個人情報"]
    assert all(len(r) == 4 for r in two.rows)
    assert two.spanned[2][:2] == [True, True] and two.spanned[2][2:] == [False, False]


def _law_body(act_bytes: bytes) -> str:
    text = act_bytes.decode("utf-8")
    return text[text.index("<Law ") :]


def test_api_xml_response_is_accepted(act_bytes):
    wrapped = (
        '<?xml version="1.0" encoding="UTF-8"?><law_data_response>'
        "<attached_files_info/>"
        "<law_info><law_id>425AC0000000027</law_id></law_info>"
        "<revision_info><law_revision_id>425AC0000000027_20201212_502AC0000000044</law_revision_id>"
        "<amendment_enforcement_date>2020-12-12</amendment_enforcement_date></revision_info>"
        f"<law_full_text>{_law_body(act_bytes)}</law_full_text></law_data_response>"
    ).encode()
    doc = parse_law_document(wrapped, source="response.xml")
    assert doc.law_id == "425AC0000000027"
    assert doc.revision_id == "425AC0000000027_20201212_502AC0000000044"
    versions = {v.table.key: v for v in table_versions_from_document(doc)}
    # A revision the catalogue knows takes the catalogue's interval.
    assert versions["bango-beppyo1"].in_force_to == dt.date(2024, 5, 18)
    assert len(versions["bango-beppyo2"].items) == 126


def test_api_json_response_with_base64_xml(act_bytes):
    payload = {
        "attached_files_info": None,
        "law_info": {"law_id": "425AC0000000027"},
        "revision_info": {
            "law_revision_id": "425AC0000000027_20230101_999AC0000000001",
            "amendment_enforcement_date": "2023-01-01",
        },
        "law_full_text": base64.b64encode(act_bytes).decode("ascii"),
    }
    doc = parse_law_document(json.dumps(payload).encode(), source="response.json")
    versions = {v.table.key: v for v in table_versions_from_document(doc)}
    # An unknown revision is dated by its 施行日 and left open.
    one = versions["bango-beppyo1"]
    assert (one.version_key, one.in_force_from, one.in_force_to) == (
        "2023-01-01",
        dt.date(2023, 1, 1),
        None,
    )
    assert len(one.items) == 108


def _tree(element: ET.Element) -> dict:
    children: list = [element.text] if element.text else []
    for child in element:
        children.append(_tree(child))
        if child.tail:
            children.append(child.tail)
    return {"tag": element.tag, "attr": dict(element.attrib), "children": children}


def test_api_json_response_with_json_tree(act_bytes, xml_versions):
    tree = _tree(ET.fromstring(act_bytes))
    payload = {
        "law_info": {"law_id": "425AC0000000027"},
        "revision_info": {"law_revision_id": "425AC0000000027_20201212_502AC0000000044"},
        "law_full_text": tree,
    }
    doc = parse_law_document(json.dumps(payload, ensure_ascii=False).encode(), source="r.json")
    versions = {v.table.key: v for v in table_versions_from_document(doc)}
    for key, v in versions.items():
        assert [_comparable(i) for i in v.items] == [
            _comparable(i) for i in xml_versions[key].items
        ]


def test_refusals_name_the_source(act_bytes):
    with pytest.raises(LoaderError, match="DTD"):
        parse_law_document(b'<!DOCTYPE Law [<!ENTITY x "y">]><Law>&x;</Law>', source="evil.xml")
    with pytest.raises(LoaderError, match="not well-formed") as err:
        parse_law_document(act_bytes[:5000], source="cut.xml")
    assert "cut.xml" in str(err.value)
    with pytest.raises(LoaderError, match="law_full_text"):
        parse_law_document(b'{"law_info": {}}', source="r.json")
    with pytest.raises(LoaderError, match="neither"):
        parse_law_document(b"<html/>", source="page.html")
    # A bare <Law> the catalogue does not know cannot be dated.
    with pytest.raises(LoaderError, match="which revision"):
        table_versions_from_document(parse_law_document(act_bytes, source="unknown.xml"))
