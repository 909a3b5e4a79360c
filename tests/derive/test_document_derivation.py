"""One document derived in a worker (pia_kg/derive/documents.py): from its rdflib Graph, from
that graph with its N-Triples text (what a load does), or from the text alone (what
``rederive`` does), the derived graphs and the renumberings it records are the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEED_001, SEED_003

from pia_kg.backends.common import ntriples
from pia_kg.derive.documents import derive_graph, derive_text, init_worker


@pytest.fixture(scope="module")
def worker(law_dir: Path) -> bytes:
    """This process made a worker deriving against the law of ``law_dir``; the law as its writer read it."""
    from pia_kg import pipeline
    from pia_kg.backends.oxigraph_store import OxigraphStore

    store = OxigraphStore()
    pipeline.load_law_dir(store, law_dir)
    law = pipeline._Writer(store).law
    init_worker(law)
    return law


def _lines(graphs: dict) -> dict[str, list[str]]:  # type: ignore[type-arg]
    """Each graph's lines, sorted: the text a derivation returns, or the UTF-8 a worker sends."""
    return {str(g): sorted(ntriples(text).splitlines()) for g, text in graphs.items()}


@pytest.mark.parametrize("seed", [SEED_001, SEED_003])
def test_derived_alike_from_graph_text_or_both(worker: bytes, seed: Path) -> None:
    from pia_kg.loaders.documents.assessment import load_assessment

    loaded = load_assessment(seed)
    text = loaded.graph.serialize(format="nt")
    from_graph, claims_graph = derive_graph(loaded.graph_iri, loaded.graph)
    from_both, claims_both = derive_graph(loaded.graph_iri, loaded.graph, text)
    rederived = derive_text((loaded.graph_iri, text))
    assert _lines(from_graph) == _lines(from_both) == _lines(rederived.graphs)
    assert claims_graph == claims_both == rederived.claims
    assert any(len(lines) > 1 for lines in _lines(from_both).values())  # more than provenance


def test_each_document_derived_alone_against_the_law_read_once(worker: bytes) -> None:
    """A worker reads the law once (the same law again is not read again) and derives each
    document in a store of its own: a document derived after another gives what it gives
    first, and its resolution does resolve against the law (items meant)."""
    from pia_kg.derive import documents
    from pia_kg.loaders.documents.assessment import load_assessment

    law = documents._LAW
    documents.init_worker(worker)
    assert documents._LAW is law  # the same law: not read again
    one, other = load_assessment(SEED_003), load_assessment(SEED_001)
    first, _ = derive_graph(one.graph_iri, one.graph)
    derive_graph(other.graph_iri, other.graph)
    again, _ = derive_graph(one.graph_iri, one.graph)
    assert _lines(first) == _lines(again)
    assert any("meantItem" in line for lines in _lines(first).values() for line in lines)
