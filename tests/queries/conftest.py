"""Fixtures of the query tests."""

from __future__ import annotations

import pytest

from pia_kg.store import Store, open_store


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def store(request: pytest.FixtureRequest, loaded_store: Store) -> Store:
    """The law and the seeds on Oxigraph and on rdflib (a copy in memory of the loaded store)."""
    if request.param == "oxigraph":
        return loaded_store
    copy = open_store("memory")
    copy.replace_graphs({g: loaded_store.get_graph(g) for g in loaded_store.named_graphs()})
    return copy
