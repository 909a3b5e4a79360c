"""A store says which derivation its documents hold; the questions that read the answer rows
refuse a store an older pia-kg derived, and `rederive` brings it up to date
(pia_kg/derive/derivation_format.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED_000, SEED_001

from pia_kg.derive.derivation_format import FORMAT, check_current, store_format
from pia_kg.errors import OutdatedStoreError
from pia_kg.named_queries import run_query
from pia_kg.pipeline import OUTDATED_WARNING, load_documents, load_law_dir, rederive
from pia_kg.store import open_store
from pia_kg.vocab import DERIVATION_FORMAT_GRAPH, PIA

PIA_KG = str(Path(sys.executable).with_name("pia-kg"))
ITEM = {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}


def _as_an_older_pia_kg_left_it(store) -> None:  # noqa: ANN001
    """The store as a pia-kg before the answer rows left it: no format, no rows."""
    store.drop_graphs([DERIVATION_FORMAT_GRAPH])
    store.update(f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                 f"FILTER(?p IN (<{PIA.departmentAnswerRow}>, <{PIA.recipientAnswerRow}>, <{PIA.problemAnswerRow}>)) }}")


def test_a_store_loaded_fresh_says_its_format_and_answers(law_dir: Path, tmp_path: Path) -> None:
    store = open_store("oxigraph", path=tmp_path / "store")
    assert store_format(store) is None
    load_law_dir(store, law_dir)
    report = load_documents(store, [SEED_000], workers=1)
    assert store_format(store) == FORMAT and OUTDATED_WARNING not in report.notices
    assert run_query(store, "departments_under_item", ITEM).rows
    store.close()


def test_an_older_store_is_refused_then_rederived(law_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = open_store("oxigraph", path=path)
    load_law_dir(store, law_dir)
    load_documents(store, [SEED_000], workers=1)
    rows = run_query(store, "departments_under_item", ITEM).rows
    assert rows
    _as_an_older_pia_kg_left_it(store)
    for name, params in (("departments_under_item", ITEM), ("citation_problems", {})):
        with pytest.raises(OutdatedStoreError, match="pia-kg rederive"):
            run_query(store, name, params)
    store.close()
    # a load into it keeps the older format, and says so to the person loading
    proc = subprocess.run([PIA_KG, "--store", str(path), "load", str(SEED_001), "--workers", "1"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert f"Warning: {OUTDATED_WARNING}" in " ".join(proc.stderr.split()), proc.stderr
    store = open_store("oxigraph", path=path)
    assert OUTDATED_WARNING in load_documents(store, [SEED_001], workers=1, again=True).notices
    assert store_format(store) is None
    with pytest.raises(OutdatedStoreError):
        check_current(store, "a question")
    store.close()
    # the command line: one line naming the way out, no traceback
    proc = subprocess.run([PIA_KG, "--store", str(path), "query", "departments-under-item", "-p", "table=番号法別表",
                           "-p", "item=81"], capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "pia-kg rederive" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    store = open_store("oxigraph", path=path)
    rederive(store, workers=1)
    assert store_format(store) == FORMAT
    again = run_query(store, "departments_under_item", ITEM).rows
    assert set(rows) <= set(again)
    store.close()
