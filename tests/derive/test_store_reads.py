"""The derivations read Oxigraph's own terms (pia_kg/derive/store_reads.py): every value must
behave as the rdflib term the same query gives on any store (``str()``, its Python value, an
IRI compared with a minted one), and a CONSTRUCT must come out as the same N-Triples lines."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from pia_kg.backends.memory_store import MemoryStore
from pia_kg.backends.oxigraph_store import OxigraphStore
from pia_kg.derive.law_state import change_records_from_store
from pia_kg.derive.renumbering_records import recorded_from_changes, recorded_from_graph
from pia_kg.derive.store_reads import construct_lines, select, select_rows
from pia_kg.vocab import DCTERMS, PIA, RDF, RDFS

G = URIRef("https://w3id.org/pia-kg/id/graph/doc/x")
R1, R2, R3 = (URIRef(f"https://w3id.org/pia-kg/id/doc/x/change/{n}") for n in (1, 2, 3))

OBJECTS = [
    Literal("児童手当"),
    Literal("子育て支援課", lang="ja"),
    Literal('quote " and \\ and\nline'),
    Literal("2024-05-27", datatype=XSD.date),
    Literal("2021-06-28T00:00:00", datatype=XSD.dateTime),
    Literal("007", datatype=XSD.integer),
    Literal("1", datatype=XSD.boolean),
    Literal("0.800", datatype=XSD.decimal),
    Literal("令和3年6月28日"),
    URIRef("https://w3id.org/pia-kg/id/org/%E9%87%91%E6%B2%A2%E5%B8%82"),
]


def _graph() -> Graph:
    g = Graph(identifier=G)
    s = URIRef("https://w3id.org/pia-kg/id/doc/x/s")
    for n, o in enumerate(OBJECTS):
        g.add((s, PIA[f"p{n}"], o))
    # change records: one complete, one without date, one with its date written in 和暦
    rows = [(R1, "別表第1の56の項", "別表第1の80の項", Literal(dt.date(2021, 6, 28))),
            (R2, "別表第2の87", "主務省令第2の表 第106項", None),
            (R3, "別表第1の80の項", "別表第1の81の項", Literal("令和4年6月27日"))]
    for node, before, after, date in rows:
        g.add((node, RDF.type, PIA.ChangeRecord))
        g.add((node, PIA.before, Literal(before)))
        g.add((node, PIA.after, Literal(after)))
        if date is not None:
            g.add((node, DCTERMS.date, date))
    g.add((R1, PIA.source, Literal("x.txt#L1-L1")))
    g.add((URIRef("urn:x:unit"), RDFS.label, Literal("子育て支援課", lang="ja")))
    return g


@pytest.fixture(scope="module")
def stores() -> tuple[OxigraphStore, MemoryStore]:
    ox_store, memory = OxigraphStore(), MemoryStore()
    for store in (ox_store, memory):
        store.replace_graphs({G: _graph()})
    return ox_store, memory


def _behaviour(v: object) -> tuple[object, ...]:
    python = v.toPython() if isinstance(v, Literal) else v
    return (str(v), type(v) if isinstance(v, URIRef | BNode) else None, python if not isinstance(python, str) else str(python))


def test_select_values_behave_as_rdflib_terms(stores) -> None:  # noqa: ANN001
    store = stores[0]
    q = "SELECT ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o"
    fast, slow = select(store, q), store.query(q).dicts()
    assert len(fast) == len(slow) > len(OBJECTS)
    for a, b in zip(fast, slow, strict=True):
        assert {k: _behaviour(v) for k, v in a.items()} == {k: _behaviour(v) for k, v in b.items()}
    assert [tuple(map(_behaviour, r)) for r in select_rows(store, q)] == [
        tuple(map(_behaviour, r)) for r in store.query(q).rows
    ]
    # another store answers in rdflib terms, as they are
    assert select(stores[1], q) == stores[1].query(q).dicts()


def test_construct_lines_are_rdflib_s_spelling_of_the_converted_terms(stores) -> None:  # noqa: ANN001
    store = stores[0]
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    expected = store.query(q).graph.serialize(format="nt")  # type: ignore[union-attr]
    fast = construct_lines(store, q)
    assert sorted(fast) == sorted(line + "\n" for line in expected.split("\n") if line)
    assert len(fast) > len(OBJECTS)
    memory = stores[1]
    expected = memory.query(q).graph.serialize(format="nt")  # type: ignore[union-attr]
    assert sorted(construct_lines(memory, q)) == sorted(line + "\n" for line in expected.split("\n") if line)


def test_change_records_read_as_the_graph_reads_them(stores) -> None:  # noqa: ANN001
    expected = recorded_from_graph(_graph())
    assert expected  # the 56 → 80 and 80 → 81 claims
    for store in stores:
        assert recorded_from_changes(change_records_from_store(store)) == expected
