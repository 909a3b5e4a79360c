"""What each law item says on each run of dates, worked out once per law state
(pia_kg/derive/item_meanings.py), answers item-meaning exactly as the rule evaluated per
question in SPARQL did.

The reference is that SPARQL (tests/derive/item_meaning_reference.rq: the query item-meaning
ran before its answers were derived); it is compared with the derived answers on the real
law tables, for every table label, items old and new, items known only from a revision not
held, and dates on, before and after each date the law names.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from pia_kg.derive.derivation_format import FORMAT, store_format
from pia_kg.errors import OutdatedStoreError
from pia_kg.named_queries import _parse_header, bind_params, inject_values, run_query
from pia_kg.pipeline import load_law_dir, rederive
from pia_kg.store import open_store
from pia_kg.vocab import DERIVATION_FORMAT_GRAPH, ITEM_MEANINGS_GRAPH

REFERENCE = _parse_header("item_meaning", (Path(__file__).with_name("item_meaning_reference.rq")).read_text("utf-8"))
_P = """PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _rows(rows: list[dict]) -> list[tuple]:
    """Rows comparable across the two: every value as text, the providers as a set (the
    reference's GROUP_CONCAT has no order)."""
    out = []
    for r in rows:
        cells = {k: None if v is None else str(v) for k, v in r.items()}
        if cells.get("providers"):
            cells["providers"] = " / ".join(sorted(cells["providers"].split(" / ")))
        out.append(tuple(sorted(cells.items())))
    return out


def _reference(store, params: dict) -> list[tuple]:  # noqa: ANN001
    result = store.query(inject_values(REFERENCE.text, bind_params(REFERENCE, params)))
    return _rows([dict(zip(result.variables, row, strict=True)) for row in result.rows])


def _cases(store) -> list[dict]:  # noqa: ANN001
    """Every table label; for each, a few items and the items only facts name; dates around
    every date the law names, and no date."""
    rng = random.Random(11)
    days = sorted({str(d)[:10] for (d,) in store.query(
        _P + "SELECT DISTINCT ?d WHERE { ?x eli:first_date_entry_in_force|eli:date_no_longer_in_force ?d }").rows})
    dates = sorted({(dt.date.fromisoformat(d) + dt.timedelta(days=k)).isoformat() for d in days for k in (-1, 0, 1)})
    cases = []
    labels = store.query(_P + "SELECT DISTINCT ?t ?l WHERE { ?t a pia:LawTable ; rdfs:label ?l }").rows
    for table, label in labels:
        items = sorted({str(i) for (i,) in store.query(
            _P + f"SELECT DISTINCT ?i WHERE {{ ?x pia:inVersion/pia:versionOf <{table}> ; pia:itemLabel ?i }}").rows})
        facts = sorted({str(i) for (i,) in store.query(
            _P + f"SELECT DISTINCT ?i WHERE {{ ?f pia:factTable <{table}> ; pia:factItem ?i }}").rows})
        for item in rng.sample(items, min(3, len(items))) + facts[:2] + ["9999"]:
            for date in [*rng.sample(dates, 6), "2014-01-01", "2040-01-01", None]:
                cases.append({"table": str(label), "item": item, **({"as_of": date} if date else {})})
    return cases


def test_derived_meanings_answer_as_the_rule_in_sparql_did(loaded_store) -> None:  # noqa: ANN001
    cases = _cases(loaded_store)
    assert len(cases) > 500
    answered = 0
    for params in cases:
        derived = _rows(run_query(loaded_store, "item_meaning", params).dicts())
        assert derived == _reference(loaded_store, params), params
        answered += bool(derived)
    assert answered > len(cases) // 3  # not a comparison of empty answers


@pytest.mark.parametrize(
    ("table", "item", "as_of", "versions"),
    [
        # the day before the new table took effect, the old one was in force: nothing
        ("番号法別表", "81", "2024-05-26", []),
        ("番号法別表", "81", "2024-05-27", ["2024-05-27"]),
        # before the earliest held version of the old table: that version, law not held
        ("番号法別表第一", "81", "2015-10-05", ["2020-12-12"]),
        # the English label names the same table
        ("My Number Act, Appended Table (from 2024-05-27)", "81", "2025-01-01", ["2024-05-27"]),
        ("番号法別表", "81", None, ["2024-05-27"]),
    ],
)
def test_the_version_read_on_a_date(loaded_store, table, item, as_of, versions) -> None:  # noqa: ANN001
    params = {"table": table, "item": item, **({"as_of": as_of} if as_of else {})}
    rows = run_query(loaded_store, "item_meaning", params).dicts()
    assert [str(r["version"]) for r in rows] == versions
    assert all(str(r["table"]) == table and str(r["item"]) == item for r in rows)


def test_a_law_only_store_of_an_older_format_is_refused_until_rederived(law_dir: Path, tmp_path: Path) -> None:
    store = open_store("oxigraph", path=tmp_path / "store")
    load_law_dir(store, law_dir)
    params = {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}
    assert run_query(store, "item_meaning", params).rows
    # as a pia-kg before the derived meanings left it: format 2, no meanings
    store.drop_graphs([ITEM_MEANINGS_GRAPH])
    store.replace_graphs({DERIVATION_FORMAT_GRAPH: f"<{DERIVATION_FORMAT_GRAPH}> "
                          "<https://w3id.org/pia-kg/ontology#derivationFormat> 2 .\n"})
    with pytest.raises(OutdatedStoreError, match="pia-kg rederive"):
        run_query(store, "item_meaning", params)
    rederive(store)
    assert store_format(store) == FORMAT
    assert [str(r["version"]) for r in run_query(store, "item_meaning", params).dicts()] == ["2024-05-27"]
    store.close()
