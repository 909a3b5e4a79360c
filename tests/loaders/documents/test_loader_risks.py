"""III リスク対策: risks, measures and ratings read from the seeds.

Counts were taken on the text of section III (lines 611-1049 of seed 000: 63 lines
"リスクN： …" and 17 "…におけるその他のリスク及びそのリスクに対する措置" rows).
"""

from __future__ import annotations

import pytest
from conftest import SEED_000, SEED_001, SEED_002, SEED_003, SEED_004
from rdflib import Literal

from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.loaders.documents.risks import read_risks
from pia_kg.loaders.documents.source import SourceText
from pia_kg.vocab import PIA, RDF, RDFS


@pytest.fixture(scope="module")
def risks():
    return {p.name[:3]: read_risks(SourceText.read(p)) for p in (SEED_000, SEED_001, SEED_002, SEED_004)}


def _at(rows, line):
    hits = [r for r in rows if r.start == line]
    assert hits, f"no risk at line {line}"
    return hits[0]


def test_000_counts_and_first_risk(risks):
    rows = risks["000"]
    assert len(rows) == 80
    assert sum(1 for r in rows if not r.label.endswith("その他のリスク及びそのリスクに対する措置")) == 63
    r = _at(rows, 616)
    assert r.label == "目的外の入手が行われるリスク"
    assert r.category == "特定個人情報の入手(情報提供ネットワークシステムを通じた入手を除く。)"
    assert r.ratings == ["十分である"]
    assert r.measures[0].startswith("対象者以外の情報の入手を防止するための措置の内容：・届出の窓口において届出内容")
    assert all(not m.startswith("その他の措置の内容：—") for m in r.measures)


def test_000_leak_risk_has_measure_ratings(risks):
    r = _at(risks["000"], 739)  # 7. 特定個人情報の保管・消去, file 1
    assert r.label == "特定個人情報の漏えい・滅失・毀損リスク"
    assert r.category == "特定個人情報の保管・消去"
    assert "十分に行っている" in r.ratings  # ⑤物理的対策 [十分に行っている], line 744
    assert any(m.startswith("⑤物理的対策") or m.startswith("5物理的対策") for m in r.measures)


def test_001_risks(risks):
    rows = risks["001"]
    r = _at(rows, 262)
    assert r.label == "権限のない者(元職員、アクセス権限のない職員等)によって不正に使用されるリスク"
    assert r.ratings == ["十分である"]  # written as <input> 十分である, line 267
    assert _at(rows, 253).label == "目的外の入手が行われるリスク"
    assert _at(rows, 285).category == "特定個人情報ファイルの取扱いの委託"


def test_plain_layout_risks(risks):
    r = _at(risks["004"], 1160)
    assert (r.label, r.ratings) == ("不適切な方法で入手が行われるリスク", ["十分である"])
    assert "本人確認情報の入手元を市町村CSに限定する。" in " ".join(r.measures)
    r = _at(risks["002"], 3232)
    assert r.label == "入手の際に特定個人情報が漏えい・紛失するリスク"
    assert r.ratings == ["特に力を入れている"]  # line 3248


def test_graph_links_and_change_list_has_none():
    doc = load_assessment(SEED_001)
    g = doc.graph
    nodes = list(g.subjects(RDF.type, PIA.Risk))
    assert len(nodes) == 14  # section III, lines 248-333: 8 "リスクN：" lines, 6 "その他のリスク…" rows
    node = next(n for n in nodes if g.value(n, PIA.lineStart) == Literal(262))
    assert str(g.value(node, RDFS.label)) == "権限のない者(元職員、アクセス権限のない職員等)によって不正に使用されるリスク"
    assert str(g.value(node, PIA.rating)) == "十分である"
    assert str(g.value(node, PIA.source)) == "001_57af33314b6a26f0.txt#L262-L267"
    assert len(set(g.objects(None, PIA.risk))) == 14
    change_list = load_assessment(SEED_003).graph
    assert list(change_list.subjects(RDF.type, PIA.Risk)) == []


_ANSWER_RATINGS = {"特に力を入れている", "十分である", "課題が残されている"}


def test_004_each_risk_gets_its_own_answer(risks):
    """Seed 004 prints labels and values apart; every "リスクへの対策は十分か" answer of stages
    2, 3, 5 and 7 reads [ 十分である (lines 1114 — printed above the Ⅲ heading of line 1116 —, 1164,
    1174, 1208, 1212, 1283, 1287, 1315, 1507, 1542, 1551, 1581, 1813, 1834, 1873: 15 answers for
    the 4+4+3+3 numbered risks of those stages),
    and the 7 answers of 6. 情報提供ネットワークシステムとの接続 are blank (lines 1621-1699)."""
    numbered = [r for r in risks["004"] if r.number is not None]
    assert len(numbered) == 21  # "リスクN：" lines 1120-1886
    network = [r for r in numbered if r.category == "情報提供ネットワークシステムとの接続"]
    assert sorted(r.start for r in network) == [1617, 1630, 1636, 1664, 1673, 1689, 1695]
    assert all(not set(r.ratings) & _ANSWER_RATINGS for r in network)
    others = [r for r in numbered if r not in network]
    assert len(others) == 14
    assert all(r.ratings[0] == "十分である" for r in others)
    # リスク２ 権限のない者 (line 1214) is printed before the heading "３．特定個人情報の使用" (line 1294)
    assert _at(risks["004"], 1214).category == "特定個人情報の使用"
    # 5. 提供・移転 risks (lines 1531-1605) are printed before their heading (line 1610)
    assert _at(risks["004"], 1544).category.startswith("特定個人情報の提供・移転")


def test_002_ratings_stay_with_their_risk(risks):
    rows = risks["002"]
    # リスク３ of 5. 提供・移転, file 2 (line 4366): its answer is "[ 十分である ]" (line 4384)
    r = _at(rows, 4366)
    assert r.ratings == ["十分である"]
    # 7. リスク３ (line 4614) answered "[ 十分である ]" right under 消去手順 (line 4619)
    assert _at(rows, 4614).ratings == ["十分である"]
    # リスク３ of file 1 is printed above the section's heading (line 3146, heading line 3205)
    r = _at(rows, 3146)
    assert r.label == "入手した特定個人情報が不正確であるリスク"
    assert r.category.startswith("特定個人情報の入手")
    assert r.ratings == ["特に力を入れている"]  # lines 3140/3184/3203 all answer 特に力を入れている
    # No risk holds two answers to "リスクへの対策は十分か".
    assert all(len(set(r.ratings) & _ANSWER_RATINGS) <= 1 for r in rows)
    # The 6 blank answers of 6. 情報提供ネットワークシステムとの接続 in file 2 (lines 4446-4498) rate nothing
    net = [r for r in rows if 4440 < r.start < 4500]
    assert len(net) == 7 and all(not r.ratings for r in net)
