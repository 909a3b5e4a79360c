"""The law stage of the item questions (pia_kg/law_stage.py), evaluated apart and joined, gives
the rows of the whole query as any SPARQL endpoint evaluates it, on the seeds and the law,
and is read again once the store changes."""

from __future__ import annotations

import pytest

from pia_kg.errors import ResultLimitError
from pia_kg.law_stage import run_staged, split_law_stage
from pia_kg.named_queries import (
    bind_params,
    get_query,
    inject_values,
    order_key,
    run_query,
    without_order,
)
from pia_kg.store import Store, open_store
from pia_kg.vocab import PREFIXES

CASES = [
    ("departments_under_item", {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}),
    ("departments_under_item", {"table": "番号法別表第一", "item": "81", "as_of": "2023-01-01"}),
    ("departments_under_item", {"table": "番号法別表第一", "item": "81"}),
    ("departments_under_item", {"table": "番号法別表第一", "item": "56", "as_of": "2019-01-01"}),
    ("departments_under_item", {"table": "番号法別表", "item": "81", "as_of": "2023-01-01"}),
    ("departments_under_item", {"table": "番号法別表", "item": "999", "as_of": "2025-01-01"}),
    ("recipients_under_item", {"table": "主務省令第2条の表", "item": "106", "as_of": "2025-01-01"}),
    ("recipients_under_item", {"table": "番号法別表第二", "item": "74"}),
    ("recipients_under_item", {"table": "番号法別表第二", "item": "74", "as_of": "2040-01-01"}),
]


@pytest.fixture(scope="module")
def store(loaded_on_each_backend: Store) -> Store:
    return loaded_on_each_backend


def _staged_and_whole(store: Store, name: str, params: dict[str, str]) -> tuple[list, list]:
    query = get_query(name)
    assert query.law_stage and query.packed
    bindings = bind_params(query, params)
    text = without_order(query.text)
    whole = store.query(inject_values(text, bindings))
    staged = run_staged(store, split_law_stage(text, query.packed, query.law_stage), bindings)
    assert staged.variables == whole.variables
    # (the staged rows' packed column is a plain text, all run_query reads of it)
    assert all(isinstance(row[0], str) for row in staged.rows)
    texts = [[tuple(None if v is None else str(v) for v in row) for row in r.rows] for r in (staged, whole)]
    return sorted(texts[0], key=order_key), sorted(texts[1], key=order_key)


@pytest.mark.parametrize(("name", "params"), CASES)
def test_the_stage_joined_gives_the_whole_querys_rows(store: Store, name: str, params: dict[str, str]) -> None:
    staged, whole = _staged_and_whole(store, name, params)
    assert staged == whole
    again, _ = _staged_and_whole(store, name, params)  # the second from the store state's cache
    assert again == whole


def test_the_cases_have_rows(loaded_store: Store) -> None:
    """The comparison above is not of empty answers: most cases have rows, some of several
    readings or meanings."""
    counts = [len(_staged_and_whole(loaded_store, name, params)[1]) for name, params in CASES]
    assert sum(1 for c in counts if c) >= 6
    assert counts[-1] == 0 or counts[-1] == counts[-2]


def test_the_stage_is_read_again_once_the_store_changed(loaded_store: Store) -> None:
    """Without the correspondences, 別表 81 no longer means what 別表第一 56 did: the 静岡市
    rows citing 56 leave the answer, so the stage kept for the old state was not used."""
    store = open_store("memory")
    store.replace_graphs({g: loaded_store.get_graph(g) for g in loaded_store.named_graphs()})
    params = {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"}
    before = run_query(store, "departments-under-item", params).values()
    assert any(r["cited_item"] == "56" for r in before)
    found = store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?a <{PREFIXES['skos']}exactMatch>|<{PREFIXES['skos']}closeMatch> ?b }} }}"
    )
    store.drop_graphs([row[0] for row in found.rows])  # type: ignore[misc]
    after = run_query(store, "departments-under-item", params).values()
    assert not any(r["cited_item"] == "56" for r in after)
    assert any(r["cited_item"] == "81" for r in after)


def test_the_row_cap_holds_for_all_the_items_together(loaded_store: Store) -> None:
    """The rest of the query is asked once an item, each capped alone: an answer over the cap
    is refused even when no item alone goes over it (別表 81 on 2025-01-01 means what 別表第一
    56 did: the seeds cite both)."""
    query = get_query("departments_under_item")
    assert query.law_stage and query.packed
    bindings = bind_params(query, {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"})
    stage = split_law_stage(without_order(query.text), query.packed, query.law_stage)
    items = {row[0] for row in loaded_store.query(inject_values(stage.stage, bindings)).rows}
    per_item = [len(loaded_store.query(stage.scan_of(item)).rows) for item in items]
    rows = run_staged(loaded_store, stage, bindings).rows
    assert len(rows) == len(loaded_store.query(inject_values(without_order(query.text), bindings)).rows)
    assert sum(1 for n in per_item if n) >= 2 and max(per_item) < len(rows)
    assert len(run_staged(loaded_store, stage, bindings, limit=len(rows)).rows) == len(rows)
    with pytest.raises(ResultLimitError):
        run_staged(loaded_store, stage, bindings, limit=len(rows) - 1)
