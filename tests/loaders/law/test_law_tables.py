"""The law table TSVs in ../shared/law read into TableVersions, checked against SOURCES.md.

Every count and fact asserted here is taken from ``../shared/law/SOURCES.md`` (its files
table and "Facts worth knowing"), not from the reader's output.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from kanjize import number2kanji

from pia_kg.errors import LawDataError, LoaderError
from pia_kg.loaders.law.catalog import (
    CATALOGUE,
    HOW_TO_GET_LAW_TABLES,
    discover_law_dir,
    find_law_tables,
    version_in_force,
)
from pia_kg.loaders.law.model import TableVersion
from pia_kg.loaders.law.tsv import DetailItem, read_law_tsv, tsv_line_span


@pytest.fixture(scope="module")
def versions(law_dir: Path) -> dict[tuple[str, str], TableVersion]:
    return {(v.table.key, v.version_key): v for v in find_law_tables(law_dir)}


def _lines(version: TableVersion) -> int:
    return sum(max(len(i.providers), 1) for i in version.items)


def _deleted(version: TableVersion) -> list[str]:
    return [i.label for i in version.items if i.deleted]


# (table key, version key, items, lines, deleted labels) from SOURCES.md's files table.
COUNTS = [
    ("bango-beppyo", "2024-05-27", 176, 176, []),
    ("bango-beppyo1", "2024-05-18", 113, 113, ["13", "25", "79", "82", "89"]),
    ("bango-beppyo2", "2024-05-18", 133, 370, ["21", "36"]),
    ("shumu-shorei-art2", "2024-05-27", 173, 443, []),
    ("bango-beppyo1", "2020-12-12", 108, 108, ["25", "79", "89"]),
    ("bango-beppyo2", "2020-12-12", 126, 299, ["36"]),
]


@pytest.mark.parametrize(("table", "version", "items", "lines", "deleted"), COUNTS)
def test_item_counts_match_sources(versions, table, version, items, lines, deleted):
    v = versions[(table, version)]
    assert len(v.items) == items
    assert _lines(v) == lines
    assert _deleted(v) == deleted
    deleted_items = [i for i in v.items if i.deleted]
    assert all(i.agency == "" and i.jimu == "" and not i.providers for i in deleted_items)


def test_labels_are_contiguous_and_ordered(versions):
    # "1–136 plus 40 の-items" (new 別表), "1–121 plus 12 の-items" (old 別表第二 2024).
    new = versions[("bango-beppyo", "2024-05-27")]
    mains = [i.label for i in new.items if "の" not in i.label]
    assert mains == [str(n) for n in range(1, 137)]
    assert len(new.items) - len(mains) == 40
    old2 = versions[("bango-beppyo2", "2024-05-18")]
    assert [i.label for i in old2.items if "の" not in i.label] == [str(n) for n in range(1, 122)]
    for v in versions.values():
        if not v.table.kind.endswith("detail"):
            assert [i.sort_key for i in v.items] == sorted(i.sort_key for i in v.items)


@pytest.mark.parametrize(
    ("table", "version", "label", "agency", "jimu_word"),
    [
        ("bango-beppyo", "2024-05-27", "56", "都道府県知事等", "児童扶養手当"),
        ("bango-beppyo", "2024-05-27", "81", "市町村長", "児童手当"),
        ("bango-beppyo", "2024-05-27", "106", None, "確定給付企業年金"),
        ("bango-beppyo1", "2024-05-18", "56", None, "児童手当"),
        ("bango-beppyo1", "2024-05-18", "37", None, "児童扶養手当"),
        ("bango-beppyo1", "2024-05-18", "81", "独立行政法人日本学生支援機構", "学資"),
        ("bango-beppyo2", "2024-05-18", "74", "市町村長", "児童手当"),
        ("bango-beppyo2", "2024-05-18", "57", "都道府県知事等", "児童扶養手当"),
        ("bango-beppyo2", "2024-05-18", "106", "独立行政法人日本学生支援機構", None),
        ("shumu-shorei-art2", "2024-05-27", "81", "都道府県知事等", "児童扶養手当"),
        ("shumu-shorei-art2", "2024-05-27", "106", "市町村長", "児童手当"),
    ],
)
def test_facts_worth_knowing(versions, table, version, label, agency, jimu_word):
    item = versions[(table, version)].item(label)
    assert item is not None and not item.deleted
    if agency is not None:  # e.g. 市町村長（児童手当法…の表の下欄に掲げる者を含む。）
        assert item.agency == agency or item.agency.startswith(agency + "（")
    if jimu_word is not None:
        assert jimu_word in item.jimu
    if jimu_word == "児童手当":
        assert "児童扶養手当" not in item.jimu


def test_shumu_shorei_rows_cite_article_item_plus_two(versions):
    # SOURCES.md: every row's 事務 and 特定個人情報 cites 第N条 with N = item + 2
    # (the first item says 次条, i.e. 第三条).
    v = versions[("shumu-shorei-art2", "2024-05-27")]
    cited = 0
    for item in v.items[1:]:
        if f"第{number2kanji(int(item.label) + 2)}条" in item.jimu:
            cited += 1
    assert "次条" in v.items[0].jimu
    # SOURCES.md: the rest say 次条/同条 (inspected by hand there); nearly all cite N.
    assert cited >= len(v.items) - 10


def test_provision_items_keep_every_provider(versions):
    item = versions[("bango-beppyo2", "2020-12-12")].item("1")
    assert [p.provider for p in item.providers][:2] == [
        item.providers[0].provider,
        "市町村長",
    ]
    assert len(item.providers) == 4  # four 提供者 lines for item 1 in the TSV
    assert item.providers[0].provider.startswith("医療保険者")
    assert tsv_line_span(item) == (2, 5)


def test_intervals_chain_without_gaps(versions):
    for key in ("bango-beppyo1", "bango-beppyo2"):
        old, last = versions[(key, "2020-12-12")], versions[(key, "2024-05-18")]
        assert old.in_force_to == last.in_force_from == dt.date(2024, 5, 18)
        assert last.in_force_to == dt.date(2024, 5, 27)
    assert versions[("bango-beppyo", "2024-05-27")].in_force_from == dt.date(2024, 5, 27)
    assert versions[("bango-beppyo", "2024-05-27")].in_force_to is None
    assert versions[("bango-beppyo1", "2020-12-12")].revision_id == (
        "425AC0000000027_20201212_502AC0000000044"
    )
    assert "not held" in versions[("bango-beppyo1", "2020-12-12")].note


def test_version_in_force_by_date(versions):
    held = list(versions.values())
    on = version_in_force(held, "bango-beppyo1", dt.date(2022, 4, 1))
    assert on and on.version.version_key == "2020-12-12" and not on.approximate
    on = version_in_force(held, "bango-beppyo1", dt.date(2024, 5, 26))
    assert on and on.version.version_key == "2024-05-18"
    # An assessment of 2016 cites 別表第一: the earliest held version, flagged.
    early = version_in_force(held, "bango-beppyo2", dt.date(2016, 1, 1))
    assert early and early.version.version_key == "2020-12-12" and early.approximate
    assert "precedes" in early.reason
    # Old 別表第一 was not in force after 2024-05-26; the new 別表 was.
    assert version_in_force(held, "bango-beppyo1", dt.date(2024, 5, 27)) is None
    new = version_in_force(held, "bango-beppyo", dt.date(2025, 1, 14))
    assert new and new.version.version_key == "2024-05-27"


def test_ordinance_rows_detail_beppyo_items(versions):
    # SOURCES.md: H26-5 has 471 rows over 92 distinct 別表第一 items; H26-7 519 rows, 98 items.
    for key, rows, distinct, detailed in (
        ("h26-ordinance-5", 471, 92, ("bango-beppyo1", "2020-12-12")),
        ("h26-ordinance-7", 519, 98, ("bango-beppyo2", "2020-12-12")),
    ):
        v = next(v for (k, _), v in versions.items() if k == key)
        assert len(v.items) == rows
        assert all(isinstance(i, DetailItem) for i in v.items)
        labels = {i.details_label for i in v.items if i.details_label}
        assert len(labels) == distinct
        held = {i.label for i in versions[detailed].items}
        later = {i.label for i in versions[(detailed[0], "2024-05-18")].items}
        # The H26-7 snapshot (amended 2021-05-19) is newer than the 別表第二 snapshot: it
        # already details item 121 (預貯金口座), which only the 2024 version holds.
        assert labels - held <= ({"121"} if key == "h26-ordinance-7" else set())
        assert labels <= held | later
    ord5 = next(v for (k, _), v in versions.items() if k == "h26-ordinance-5")
    first = ord5.items[0]
    assert first.label == "第1条第1項第1号" and first.details_label == "1"
    assert first.jimu.startswith("健康保険法（大正十一年法律第七十号）第三条第二項ただし書")
    # 第六条の二 details 別表第一 item 6の2 (its label keeps the 条の枝番).
    six2 = next(i for i in ord5.items if i.label.startswith("第6条の2"))
    assert six2.details_label == "6の2"
    # A paragraph without 号 states its 事務 in its lead sentence.
    art16 = next(i for i in ord5.items if i.label == "第16条第1項")
    assert art16.details_label == "16" and art16.jimu.startswith("法別表第一の十六の項")
    ord7 = next(v for (k, _), v in versions.items() if k == "h26-ordinance-7")
    assert ord7.items[0].providers[0].information.startswith("当該届出に係る被保険者")
    assert ord7.items[0].providers[0].provider == ""


def test_unknown_file_is_refused(tmp_path):
    odd = tmp_path / "something.tsv"
    odd.write_text("item\tx\n1\ty\n", encoding="utf-8")
    with pytest.raises(LawDataError, match="not a known law table file"):
        read_law_tsv(odd)


def _copy(law_dir: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(law_dir / name, target)
    target.chmod(0o644)
    return target


def test_malformed_rows_name_file_and_line(law_dir, tmp_path):
    name = "bango_beppyo2_old_egov2021snapshot.tsv"
    path = _copy(law_dir, tmp_path, name)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace(
        "厚生労働大臣", "総務大臣", 1
    )  # line 4: item 1 disagrees with line 2
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(LoaderError) as err:
        read_law_tsv(path)
    assert err.value.line == 4 and name in str(err.value)

    lines = (law_dir / name).read_text(encoding="utf-8").split("\n")
    lines[6] = re.sub(r"^\d+", "三", lines[6])  # 漢数字 label: not the table form
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(LoaderError, match="not in the table form") as err:
        read_law_tsv(path)
    assert err.value.line == 7


def test_wrong_header_is_refused(law_dir, tmp_path):
    path = _copy(law_dir, tmp_path, "bango_beppyo_new_20240527_505AC0000000048.tsv")
    text = path.read_text(encoding="utf-8").split("\n", 1)[1]
    path.write_text("a\tb\tc\n" + text, encoding="utf-8")
    with pytest.raises(LoaderError, match="header") as err:
        read_law_tsv(path)
    assert err.value.line == 1


def test_discover_law_dir_order(law_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("PIA_KG_LAW_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    nowhere = tmp_path / "repo"
    nowhere.mkdir()
    # Nothing anywhere: None, and the caller has a one-line hint to print.
    assert discover_law_dir(cwd=nowhere, repo_root=nowhere) is None
    assert "\n" not in HOW_TO_GET_LAW_TABLES and "--law-dir" in HOW_TO_GET_LAW_TABLES
    # ../shared/law beside the checkout.
    assert discover_law_dir(cwd=nowhere, repo_root=law_dir.parents[1] / "main") == law_dir
    # The fetch cache comes before ../shared/law.
    cache = tmp_path / "cache" / "pia-kg" / "law"
    cache.mkdir(parents=True)
    (cache / "425AC0000000027_2024-05-18.xml").write_text("<Law/>", encoding="utf-8")
    assert discover_law_dir(cwd=nowhere, repo_root=law_dir.parents[1] / "main") == cache
    # $PIA_KG_LAW_DIR before the cache; an explicit option before both.
    monkeypatch.setenv("PIA_KG_LAW_DIR", str(law_dir))
    assert discover_law_dir(cwd=nowhere, repo_root=nowhere) == law_dir
    assert discover_law_dir(cache, cwd=nowhere, repo_root=nowhere) == cache
    # An explicit folder without tables is an error, not a silent fallback.
    with pytest.raises(LawDataError, match="no law tables there"):
        discover_law_dir(nowhere)


def test_find_law_tables_needs_a_folder_with_tables(tmp_path):
    with pytest.raises(LawDataError, match="not a folder"):
        find_law_tables(tmp_path / "missing")
    with pytest.raises(LawDataError, match="no law table file"):
        find_law_tables(tmp_path)


def test_catalogue_names_every_file_in_sources(law_dir):
    sources = (law_dir / "SOURCES.md").read_text("utf-8")
    # The table files are the rows of the "Files" section; revision and status data follow it.
    files_section = sources.split("## Files", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([\w.]+\.tsv)`", files_section, flags=re.M))
    assert listed == {e.file_name for e in CATALOGUE}


# --- RDF (docs/model.md, section "Law") ---------------------------------------------------


@pytest.fixture(scope="module")
def law_union(versions):
    from rdflib import Graph

    from pia_kg.loaders.law.rdf import version_graph

    union = Graph()
    graphs = {}
    for key, v in versions.items():
        graphs[key] = version_graph(v)
        union += graphs[key]
    return union, graphs


def test_version_graph_uses_eli_dates_and_named_graph(law_union):
    from rdflib import Literal

    from pia_kg.vocab import ELI, PIA, XSD, law_graph, table_item_iri, table_version_iri

    _, graphs = law_union
    g = graphs[("bango-beppyo1", "2024-05-18")]
    assert g.identifier == law_graph("bango-beppyo1", "2024-05-18")
    v = table_version_iri("bango-beppyo1", "2024-05-18")
    assert g.value(v, ELI.first_date_entry_in_force) == Literal("2024-05-18", datatype=XSD.date)
    assert g.value(v, ELI.date_no_longer_in_force) == Literal("2024-05-27", datatype=XSD.date)
    assert str(g.value(v, ELI.id_local)) == "425AC0000000027_20240518_503AC0000000039"
    item = table_item_iri("bango-beppyo1", "2024-05-18", "81")
    assert str(g.value(item, PIA.agency)) == "独立行政法人日本学生支援機構"
    assert g.value(item, PIA.inVersion) == v and g.value(item, ELI.is_part_of) == v
    assert g.value(item, PIA.deleted).toPython() is False
    deleted = table_item_iri("bango-beppyo1", "2024-05-18", "13")
    assert g.value(deleted, PIA.deleted).toPython() is True
    assert g.value(deleted, PIA.jimu) is None
    new = graphs[("bango-beppyo", "2024-05-27")]
    assert (
        new.value(table_version_iri("bango-beppyo", "2024-05-27"), ELI.date_no_longer_in_force)
        is None
    )


def test_items_carry_tsv_line_provenance_and_providers(law_union):
    from pia_kg.vocab import PIA, table_item_iri

    _, graphs = law_union
    g = graphs[("bango-beppyo2", "2020-12-12")]
    item = table_item_iri("bango-beppyo2", "2020-12-12", "1")
    assert str(g.value(item, PIA.source)) == "bango_beppyo2_old_egov2021snapshot.tsv#L2-L5"
    entries = sorted(
        g.objects(item, PIA.providerEntry), key=lambda e: g.value(e, PIA.order).toPython()
    )
    assert len(entries) == 4
    assert str(g.value(entries[1], PIA.provider)) == "市町村長"


def test_details_items_point_at_existing_beppyo_items(law_union):
    from pia_kg.vocab import PIA, RDF, table_item_iri

    union, _ = law_union
    links = list(union.subject_objects(PIA.detailsItem))
    assert len(links) > 900  # 471 + 519 rows, less deleted and general articles
    for _, target in links:
        assert (target, RDF.type, PIA.TableItem) in union, target
    first = table_item_iri("h26-ordinance-5", "2020-08-31", "第1条第1項第1号")
    assert union.value(first, PIA.detailsItem) == table_item_iri("bango-beppyo1", "2020-12-12", "1")
    # H26-7 already details 別表第二 item 121, held only by the 2024-05-18 version.
    last = table_item_iri("h26-ordinance-7", "2021-05-19", "第59条の4第1項")
    assert union.value(last, PIA.detailsItem) == table_item_iri(
        "bango-beppyo2", "2024-05-18", "121"
    )


def test_law_graphs_conform_to_the_shapes(law_union):
    from pathlib import Path as _Path

    import pyshacl
    from rdflib import Graph

    union, _ = law_union
    shapes = Graph().parse(_Path(__file__).resolve().parents[3] / "ontology" / "shapes.ttl")
    conforms, _, text = pyshacl.validate(union, shacl_graph=shapes)
    assert conforms, text[:2000]


def test_read_law_path_takes_a_folder_a_tsv_or_an_xml(law_dir, tmp_path):
    from pia_kg.loaders.law.catalog import read_law_path

    assert len(read_law_path(law_dir)) == len(CATALOGUE)
    (one,) = read_law_path(law_dir / "bango_beppyo_new_20240527_505AC0000000048.tsv")
    assert (one.table.key, len(one.items)) == ("bango-beppyo", 176)
    xml = read_law_path(law_dir / "raw" / "kuboon-elaws-xml_3d297823_docs_xml_425AC0000000027.xml")
    assert [(v.table.key, len(v.items)) for v in xml] == [
        ("bango-beppyo1", 108),
        ("bango-beppyo2", 126),
    ]
    with pytest.raises(LawDataError, match="no such file"):
        read_law_path(tmp_path / "missing.tsv")
    with pytest.raises(LawDataError, match="not a law table"):
        read_law_path(law_dir / "SOURCES.md")
