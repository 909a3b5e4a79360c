"""One document derived in a worker (pia_kg/derive/documents.py): from its rdflib Graph, from
that graph with its N-Triples text (what a load does), or from the text alone (what
``rederive`` does), the derived graphs and the renumberings it records are the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED_001, SEED_003

from pia_kg.derive.documents import derive_graph, derive_text, init_worker


@pytest.fixture(scope="module")
def worker(law_dir: Path) -> None:
    from pia_kg import pipeline
    from pia_kg.backends.oxigraph_store import OxigraphStore

    store = OxigraphStore()
    pipeline.load_law_dir(store, law_dir)
    init_worker(pipeline._Writer(store).law_nquads)


def _lines(graphs: dict) -> dict[str, list[str]]:  # type: ignore[type-arg]
    return {str(g): sorted(text.splitlines()) for g, text in graphs.items()}


@pytest.mark.parametrize("seed", [SEED_001, SEED_003])
def test_derived_alike_from_graph_text_or_both(worker: None, seed: Path) -> None:
    from pia_kg.loaders.documents.assessment import load_assessment

    loaded = load_assessment(seed)
    text = loaded.graph.serialize(format="nt")
    from_graph, claims_graph = derive_graph(loaded.graph_iri, loaded.graph)
    from_both, claims_both = derive_graph(loaded.graph_iri, loaded.graph, text)
    rederived = derive_text((loaded.graph_iri, text))
    assert _lines(from_graph) == _lines(from_both) == _lines(rederived.graphs)
    assert claims_graph == claims_both == rederived.claims
    assert any(len(lines) > 1 for lines in _lines(from_both).values())  # more than provenance


def test_scratch_store_renewed_with_the_same_law(worker: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Oxigraph's in-memory store keeps the quads of a dropped graph, so a worker's scratch
    store is made anew from the law every ``RENEW_AFTER`` documents: it then holds the law
    alone again, and derives the same graphs as before."""
    from pia_kg.derive import documents
    from pia_kg.loaders.documents.assessment import load_assessment

    monkeypatch.setattr(documents, "RENEW_AFTER", 2)
    monkeypatch.setattr(documents, "_HELD", 0)
    loaded = load_assessment(SEED_003)
    text = loaded.graph.serialize(format="nt")
    law_quads = len(documents._scratch()._store)
    first = documents._scratch()
    derived = [derive_graph(loaded.graph_iri, text)[0] for _ in range(2)]
    renewed = documents._scratch()
    assert renewed is not first and documents._HELD == 0
    assert len(renewed._store) == law_quads  # the law, and nothing a document left
    again, _ = derive_graph(loaded.graph_iri, text)
    assert _lines(derived[0]) == _lines(derived[1]) == _lines(again)
    assert documents._scratch() is renewed and documents._HELD == 1
