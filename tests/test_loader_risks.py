"""III リスク対策: risks, measures and ratings read from the seeds.

Counts were taken on the text of section III (lines 611-1049 of seed 000: 63 lines
"リスクN： …" and 17 "…におけるその他のリスク及びそのリスクに対する措置" rows).
"""

from __future__ import annotations

import pytest
from conftest import SEED_000, SEED_001, SEED_002, SEED_003, SEED_004
from rdflib import Literal

from pia_kg.loaders.assessment import load_assessment
from pia_kg.loaders.risks import read_risks
from pia_kg.loaders.source import SourceText
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
