"""best_matches keeps its answers per held version (pia_kg/derive/purpose_agreement.py): a kept
answer must be the answer, and no caller can change it."""

from __future__ import annotations

import datetime as dt

from rdflib import URIRef

from pia_kg.derive import purpose_agreement as pa
from pia_kg.derive.resolution_inputs import LawItem, LawVersion
from pia_kg.text.legal import table_by_label


def _version(jimu: list[str]) -> LawVersion:
    v = LawVersion(URIRef("urn:v"), table_by_label("番号法別表第一"), "k", dt.date(2020, 1, 1), None)  # type: ignore[arg-type]
    for n, text in enumerate(jimu, start=1):
        v.items[str(n)] = LawItem(URIRef(f"urn:i{n}"), str(n), n, "市町村長", text, False)
    return v


def test_kept_answers_are_the_computed_ones_and_stay_unchanged() -> None:
    v = _version(["児童手当法による児童手当の支給に関する事務", "児童扶養手当法による児童扶養手当の支給に関する事務"])
    purpose = "児童手当の支給に関する事務"
    first = pa.best_matches(purpose, v)
    assert first == pa._best_matches(purpose, v, None, 2)
    assert first[0].item.label == "1"
    first.clear()
    assert pa.best_matches(purpose, v) == pa._best_matches(purpose, v, None, 2)


def test_another_version_is_never_answered_from_a_kept_answer() -> None:
    purpose = "児童手当の支給に関する事務"
    a = _version(["児童手当法による児童手当の支給に関する事務", "予防接種法による予防接種の実施に関する事務"])
    b = _version(["予防接種法による予防接種の実施に関する事務", "児童手当法による児童手当の支給に関する事務"])
    assert pa.best_matches(purpose, a)[0].item.label == "1"
    assert pa.best_matches(purpose, b)[0].item.label == "2"
