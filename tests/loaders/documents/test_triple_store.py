"""The document graph's store answers every pattern as rdflib's Memory store does, in order."""

from __future__ import annotations

import gc
import itertools
import random
import weakref

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from pia_kg.loaders.documents.triple_store import TripleGraph, TripleStore

NODES = [URIRef(f"urn:n{i}") for i in range(6)]
PREDICATES = [URIRef(f"urn:p{i}") for i in range(3)]
OBJECTS = [*NODES, *(Literal(i) for i in range(4))]


def _patterns():
    return itertools.product([None, *NODES], [None, *PREDICATES], [None, *OBJECTS])


@pytest.mark.parametrize("seed", range(5))
def test_same_answers_in_the_same_order_as_memory(seed):
    rng = random.Random(seed)
    ours, memory = Graph(store=TripleStore()), Graph()
    for _ in range(300):
        triple = (rng.choice(NODES), rng.choice(PREDICATES), rng.choice(OBJECTS))
        op = rng.random()
        for g in (ours, memory):
            if op < 0.5:
                g.add(triple)
            elif op < 0.7:
                g.set(triple)
            elif op < 0.85:
                if g is ours:
                    ours.store.put(triple)
                else:
                    g.set(triple)
            else:
                g.remove((triple[0], None, None) if op < 0.95 else triple)
        assert len(ours) == len(memory)
    assert set(ours) == set(memory)
    for pattern in _patterns():
        if pattern != (None, None, None):
            assert list(ours.triples(pattern)) == list(memory.triples(pattern)), pattern


@pytest.mark.parametrize("seed", range(5))
def test_same_answers_when_read_while_being_built(seed):
    """The predicate and object indexes, brought up to date when read, then changed again."""
    rng = random.Random(seed)
    ours, memory = Graph(store=TripleStore()), Graph()
    for step in range(400):
        triple = (rng.choice(NODES), rng.choice(PREDICATES), rng.choice(OBJECTS))
        op = rng.random()
        for g in (ours, memory):
            if op < 0.55:
                g.add(triple)
            elif op < 0.8:
                g.set(triple)
            else:
                g.remove((triple[0], None, None) if op < 0.9 else (None, triple[1], triple[2]))
        if step % rng.choice((7, 23, 61)) == 0:
            pattern = rng.choice([(None, triple[1], None), (None, None, triple[2]), (None, *triple[1:])])
            assert list(ours.triples(pattern)) == list(memory.triples(pattern)), (step, pattern)
    for pattern in _patterns():
        if pattern != (None, None, None):
            assert list(ours.triples(pattern)) == list(memory.triples(pattern)), pattern


def test_a_pattern_may_be_read_while_the_graph_changes():
    g = Graph(store=TripleStore())
    s, p = URIRef("urn:s"), URIRef("urn:p")
    g.add((s, p, Literal(1)))
    for _, _, o in g.triples((s, p, None)):
        g.add((s, p, Literal(int(o) + 1)))
    assert len(g) == 2


def test_ntriples_are_rdflibs():
    g = TripleGraph()
    s, p = URIRef("urn:s"), URIRef("urn:p")
    for o in (
        Literal('a "quoted"\\ line\nbreak\r'),
        Literal("部署", lang="ja"),
        Literal(3),
        Literal("2024-05-27", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
        URIRef("urn:o"),
        BNode("b1"),
    ):
        g.add((s, p, o))
        g.add((BNode("b2"), URIRef("urn:q"), o))
    g.remove((s, p, URIRef("urn:o")))
    assert g.serialize(format="nt") == Graph.serialize(g, format="nt")
    memory = Graph()
    for t in g:
        memory.add(t)
    assert sorted(g.serialize(format="nt").splitlines()) == sorted(
        memory.serialize(format="nt").splitlines()
    )
    assert g.serialize(format="turtle") == Graph.serialize(g, format="turtle")


def test_prefixes_bound_as_graph_bind_binds_them():
    prefixes = {"pia": "https://example.org/ontology#", "dcterms": "http://purl.org/dc/terms/"}
    bound = Graph()
    for prefix, ns in prefixes.items():
        bound.bind(prefix, ns)
    ours = TripleGraph(prefixes)
    assert list(ours.namespaces()) == list(bound.namespaces())
    assert sorted(ours.store.namespaces()) == sorted(bound.store.namespaces())


def test_a_graph_whose_prefixes_nobody_asked_for_is_freed_without_the_cyclic_gc():
    g = TripleGraph({"ex": "urn:ex:"})
    g.add((URIRef("urn:s"), URIRef("urn:p"), Literal("o")))
    g.serialize(format="nt")
    ref = weakref.ref(g)
    was = gc.isenabled()
    gc.disable()
    try:
        del g
        assert ref() is None
    finally:
        if was:
            gc.enable()


def test_a_dataset_over_the_store_sees_the_graph_held_alone():
    g = TripleGraph()
    t = (URIRef("urn:s"), URIRef("urn:p"), Literal("o"))
    g.add(t)
    ds = Dataset(store=g.store)  # as pyshacl wraps a data graph's store
    assert list(ds.triples((None, None, None))) == []  # its default graph is another graph
    assert list(ds.graph(g.identifier)) == [t]
    assert list(g.store.contexts()) == [g] and list(g.store.contexts(t)) == [g]
    with pytest.raises(ValueError):
        ds.default_graph.add(t)
    memory = Graph()
    memory.add(t)
    assert list(Dataset(store=memory.store).triples((None, None, None))) == []
