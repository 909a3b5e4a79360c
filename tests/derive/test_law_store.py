"""Law tables read back from the store equal the tables read from their files."""

from __future__ import annotations

import pytest

from pia_kg.derive.law_state import derive_correspondence_graphs, main_versions_from_store
from pia_kg.loaders.law.catalog import find_law_tables
from pia_kg.pipeline import load_law_dir
from pia_kg.store import open_store


@pytest.mark.parametrize("backend", ["oxigraph", "memory"])
def test_versions_round_trip_through_the_store(backend: str, law_dir) -> None:  # noqa: ANN001
    store = open_store(backend)
    load_law_dir(store, law_dir)
    from_files = [v for v in find_law_tables(law_dir) if v.table.kind in ("use", "provision")]
    from_store = main_versions_from_store(store)
    assert [(v.table.key, v.version_key) for v in from_store] == [
        (v.table.key, v.version_key) for v in from_files
    ]
    for a, b in zip(from_files, from_store, strict=True):
        assert (a.in_force_from, a.in_force_to, a.revision_id) == (b.in_force_from, b.in_force_to, b.revision_id)
        assert a.items == b.items, f"{a.table.label} {a.version_key}"


def test_correspondences_are_not_rederived_when_nothing_changed(law_dir) -> None:  # noqa: ANN001
    store = open_store("oxigraph")
    load_law_dir(store, law_dir)  # derives once
    assert derive_correspondence_graphs(store) == ({}, [])
