"""The correspondence graphs, one per version pair: the same triples as the single graph they
replace, and written only for the pairs whose law or recorded renumberings changed."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SEED_000, SEED_001
from rdflib import Graph, Literal, URIRef

from pia_kg.derive.correspondence import (
    Correspondence,
    _node,
    correspondence_triples,
    derive_all,
    derive_correspondences,
    law_terms,
    successive_pairs,
)
from pia_kg.derive.correspondence_graphs import CorrespondenceGraphs, claims_of_pair, pair_graph
from pia_kg.derive.first_records import FirstRecords, first_of_each_claim, stored_claims
from pia_kg.derive.law_state import derive_correspondence_graphs, main_versions_from_store
from pia_kg.derive.renumbering_records import RecordedRenumbering, recorded_from_graph
from pia_kg.loaders.law.model import TableVersion
from pia_kg.pipeline import _Writer, load_documents, load_law_dir, remove_documents
from pia_kg.store import GraphData, Store, open_store
from pia_kg.vocab import (
    CORRESPONDENCE_GRAPH,
    PIA,
    RDF,
    XSD,
    correspondence_graph_iri,
    document_graph,
    table_item_iri,
    table_version_iri,
)

B1 = "番号法別表第一"
B2 = "番号法別表第二"
B1_2021 = correspondence_graph_iri("bango-beppyo1", "2020-12-12", "bango-beppyo1", "2024-05-18")
B1_2024 = correspondence_graph_iri("bango-beppyo1", "2024-05-18", "bango-beppyo", "2024-05-27")
B2_2024 = correspondence_graph_iri("bango-beppyo2", "2024-05-18", "shumu-shorei-art2", "2024-05-27")
PAIR_GRAPHS = {
    B1_2021,
    B1_2024,
    B2_2024,
    correspondence_graph_iri("bango-beppyo2", "2020-12-12", "bango-beppyo2", "2024-05-18"),
}


def _graph_as_before(pairs: list[Correspondence], old: TableVersion, new: TableVersion) -> Graph:
    """The rdflib builder the single correspondence graph was made with (the oracle)."""
    g = Graph()
    old_v = table_version_iri(old.table.key, old.version_key)
    new_v = table_version_iri(new.table.key, new.version_key)
    for c in pairs:
        node = _node(old, new, c)
        g.add((node, RDF.type, PIA.Correspondence))
        g.add((node, PIA.fromVersion, old_v))
        g.add((node, PIA.toVersion, new_v))
        from_item = table_item_iri(old.table.key, old.version_key, c.from_label) if c.from_label else None
        to_item = table_item_iri(new.table.key, new.version_key, c.to_label) if c.to_label else None
        if from_item is not None:
            g.add((node, PIA.fromItem, from_item))
        if to_item is not None:
            g.add((node, PIA.toItem, to_item))
        g.add((node, PIA.relation, c.relation.iri))
        g.add((node, PIA.confidence, Literal(Decimal(f"{c.confidence:.2f}"), datatype=XSD.decimal)))
        g.add((node, PIA.evidence, Literal(c.evidence)))
        mapping = c.relation.skos
        if mapping is not None and from_item is not None and to_item is not None:
            g.add((from_item, mapping, to_item))
    return g


def _claims() -> list[RecordedRenumbering]:
    """What the seeds record, and claims of every shape: about each pair, undated, older than
    the pair, a correction reverting an earlier record, the same claim from two sources."""
    from pia_kg.loaders.documents.assessment import load_assessment

    seeds = [r for p in (SEED_000, SEED_001) for r in recorded_from_graph(load_assessment(p).graph)]
    day = dt.date
    made = [
        RecordedRenumbering(B1, "26", B1, "37", "x.txt#L10", day(2021, 6, 28)),
        RecordedRenumbering(B1, "37", B1, "26", "x.txt#L12", day(2023, 7, 7)),
        RecordedRenumbering(B1, "56", "番号法別表", "81", "y.txt#L5", day(2024, 6, 1)),
        RecordedRenumbering(B1, "56", "番号法別表", "81", "a.txt#L5", day(2024, 7, 1)),
        RecordedRenumbering(B2, "87", "主務省令第2条の表", "106", "y.txt#L8", None),
        RecordedRenumbering(B2, "120", B2, "119", "z.txt#L1", day(2018, 5, 30)),
    ]
    return seeds + made


@pytest.fixture(scope="module")
def law_store(tmp_path_factory: pytest.TempPathFactory, law_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("law") / "store"
    store = open_store("oxigraph", path=path)
    load_law_dir(store, law_dir)
    store.close()
    return path


@pytest.fixture
def store(law_store: Path, tmp_path: Path):  # noqa: ANN201
    shutil.copytree(law_store, tmp_path / "s")
    s = open_store("oxigraph", path=tmp_path / "s")
    yield s
    s.close()


def _spy(store: Store) -> list[tuple[dict[URIRef, GraphData], list[URIRef]]]:
    calls: list[tuple[dict[URIRef, GraphData], list[URIRef]]] = []
    replace = store.replace_graphs

    def spy(graphs, drops=()):  # noqa: ANN001, ANN202
        calls.append((dict(graphs), list(drops)))
        return replace(graphs, drops)

    store.replace_graphs = spy  # type: ignore[method-assign]
    return calls


def _correspondence_graphs(graphs: dict[URIRef, GraphData] | list[URIRef]) -> set[str]:
    return {str(g) for g in graphs if str(g).startswith(str(CORRESPONDENCE_GRAPH))}


def test_the_pair_graphs_hold_the_single_graph_they_replace(store: Store) -> None:
    versions = main_versions_from_store(store)
    every = first_of_each_claim(_claims())
    before = Graph()
    for old, new, pairs in derive_all(versions, every):
        before += _graph_as_before(pairs, old, new)
    graphs, drops = CorrespondenceGraphs(store, "fingerprint").update(every)
    assert set(graphs) == PAIR_GRAPHS and drops == []
    text = "".join(graphs.values())
    digests = [line for line in text.splitlines() if f"<{PIA.inputsDigest}>" in line]
    assert len(digests) == 4
    lines = sorted(line for line in text.splitlines() if line not in digests)
    assert lines == sorted(before.serialize(format="nt").strip().splitlines())  # byte for byte
    assert any("recorded in a.txt#L5" in line for line in lines)  # the claims were applied


def test_a_pair_reads_only_its_claims_and_gives_what_all_claims_give(store: Store) -> None:
    versions = main_versions_from_store(store)
    every = first_of_each_claim(_claims())
    for old, new, pairs in derive_all(versions, every):
        used = claims_of_pair(every, old, new)
        assert len(used) < len(every)
        assert derive_correspondences(old, new, used, law_terms(versions, old), law_terms(versions, new)) == pairs
        expected = _graph_as_before(pairs, old, new).serialize(format="nt").strip().splitlines()
        assert sorted(correspondence_triples(pairs, old, new).text().splitlines()) == sorted(expected)


def test_a_batch_whose_claims_touch_one_pair_rewrites_that_pair_only(store: Store) -> None:
    writer = _Writer(store)
    calls = _spy(store)
    claim = RecordedRenumbering(B1, "56", "番号法別表", "81", "b.txt#L5", dt.date(2024, 6, 1))
    writer.write({}, {document_graph("b"): [claim]})
    (graphs, drops), = calls
    assert _correspondence_graphs(graphs) == {str(B1_2024)} and not _correspondence_graphs(drops)
    assert "recorded in b.txt#L5" in str(graphs[B1_2024])
    # an earlier source of the same claim names it instead: that pair again, alone
    writer.write({}, {document_graph("a"): [RecordedRenumbering(B1, "56", "番号法別表", "81", "a.txt#L9")]})
    assert _correspondence_graphs(calls[1][0]) == {str(B1_2024)}
    # a claim about the 別表第二 reform: its pair alone
    writer.write({}, {document_graph("c"): [RecordedRenumbering(B2, "87", "主務省令第2条の表", "106", "c.txt#L1")]})
    assert _correspondence_graphs(calls[2][0]) == {str(B2_2024)}
    # what was written is what every claim gives (the claims of no stored document: passed),
    # and the next writer reads the first records back from their graph
    every = writer.first_records.records()
    assert len(every) == 2
    assert CorrespondenceGraphs(store).update(every) == ({}, [])
    assert sorted(map(repr, FirstRecords.read(store).records())) == sorted(map(repr, every))


def test_a_batch_without_a_new_claim_writes_no_correspondence_graph(store: Store) -> None:
    writer = _Writer(store)
    first = RecordedRenumbering(B1, "56", "番号法別表", "81", "b.txt#L5", dt.date(2024, 6, 1))
    writer.write({}, {document_graph("b"): [first]})
    calls = _spy(store)
    later = RecordedRenumbering(B1, "56", "番号法別表", "81", "c.txt#L5", dt.date(2024, 6, 1))
    doc = "<urn:s> <urn:p> <urn:o> .\n"
    writer.write({document_graph("c"): doc, document_graph("d"): doc}, {document_graph("c"): [later], document_graph("d"): []})
    writer.write({document_graph("e"): doc}, {document_graph("e"): [later, first]})
    assert [set(graphs) for graphs, _ in calls] == [{document_graph("c"), document_graph("d")}, {document_graph("e")}]
    assert not any(drops for _, drops in calls)


def test_a_store_of_the_single_graph_layout_is_upgraded_on_the_next_write(store: Store) -> None:
    versions = main_versions_from_store(store)
    single = Graph()
    for old, new, pairs in derive_all(versions):
        single += _graph_as_before(pairs, old, new)
    single.add((CORRESPONDENCE_GRAPH, PIA.inputsDigest, Literal("an older digest")))
    store.replace_graphs({CORRESPONDENCE_GRAPH: single}, list(PAIR_GRAPHS))
    single = store.get_graph(CORRESPONDENCE_GRAPH)  # as the store spells its terms
    calls = _spy(store)
    _Writer(store).write({}, {document_graph("b"): []})
    (graphs, drops), = calls
    assert _correspondence_graphs(graphs) == {str(g) for g in PAIR_GRAPHS}
    assert _correspondence_graphs(drops) == {str(CORRESPONDENCE_GRAPH)}
    assert CORRESPONDENCE_GRAPH not in store.named_graphs()
    union = Graph()
    for g in PAIR_GRAPHS:
        union += store.get_graph(g)
    digest = {(s, p, o) for s, p, o in union if p == PIA.inputsDigest}
    assert len(digest) == 4
    assert set(union) - digest == set(single) - {(CORRESPONDENCE_GRAPH, PIA.inputsDigest, Literal("an older digest"))}


def test_the_graph_of_a_pair_no_longer_held_is_dropped(store: Store) -> None:
    gone = correspondence_graph_iri("bango-beppyo1", "2019-01-01", "bango-beppyo1", "2020-12-12")
    store.replace_graphs({gone: f'<{gone}> <{PIA.inputsDigest}> "d" .\n'})
    assert derive_correspondence_graphs(store) == ({}, [gone])


def test_another_law_derives_every_pair_again(store: Store) -> None:
    assert derive_correspondence_graphs(store) == ({}, [])
    graphs, drops = CorrespondenceGraphs(store, "the fingerprint of another law").update([])
    assert set(graphs) == PAIR_GRAPHS and drops == []


def test_removing_the_only_document_recording_a_claim_derives_its_pair_back(store: Store) -> None:
    held = {g: set(store.get_graph(g)) for g in PAIR_GRAPHS}
    load_documents(store, [SEED_001], workers=1)
    claims = [c for cs in stored_claims(store).values() for c in cs]
    assert claims, "seed 001 records renumberings"
    changed = {g for g in PAIR_GRAPHS if set(store.get_graph(g)) != held[g]}
    assert changed, "its claims changed some pair"
    assert {pair_graph(*p) for p in _pairs(store) if claims_of_pair(claims, *p)} == changed
    calls = _spy(store)
    remove_documents(store, [SEED_001.stem])
    (graphs, _drops), = calls
    assert set(_correspondence_graphs(graphs)) == {str(g) for g in changed}
    for g in PAIR_GRAPHS:
        assert set(store.get_graph(g)) == held[g], g
    assert derive_correspondence_graphs(store) == ({}, [])


def _pairs(store: Store) -> list[tuple[TableVersion, TableVersion]]:
    return successive_pairs(main_versions_from_store(store))


def test_a_document_repeating_known_claims_writes_no_correspondence_graph(store: Store, tmp_path: Path) -> None:
    load_documents(store, [SEED_001], workers=1)
    copy = tmp_path / "zzz_copy_of_001.txt"  # the same claims, from a source sorting after 001's
    copy.write_text(SEED_001.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    calls = _spy(store)
    load_documents(store, [copy], workers=1)
    assert calls and not any(_correspondence_graphs(g) or _correspondence_graphs(d) for g, d in calls)
    assert derive_correspondence_graphs(store) == ({}, [])


def test_the_claims_read_back_belong_to_documents_named_in_japanese(store: Store, tmp_path: Path) -> None:
    """A document's graphs spell its file stem slugged (percent-escaped): the claims read
    back from its history graph are keyed by that very document graph, not slugged again."""
    from pia_kg.corpus import write_corpus

    docs = [p.rename(p.with_name(f"静岡市 {p.name}")) for p in write_corpus(tmp_path / "corpus", 12)]
    load_documents(store, docs, workers=1)
    stored = stored_claims(store)
    assert stored  # generated documents record renumberings
    assert store.graphs_held(list(stored)) == set(stored)
    assert all("%E9%9D%99" in str(g) for g in stored)


def test_a_store_without_the_first_records_graph_gets_it_from_every_history_once(store: Store, tmp_path: Path) -> None:
    """A store written before the first records had a graph: the next writer reads every
    history once, writes the graph with its batch, and derives no correspondence again."""
    from pia_kg.vocab import FIRST_RECORDS_GRAPH

    load_documents(store, [SEED_001], workers=1)
    kept = sorted(map(repr, FirstRecords.read(store).records()))
    assert kept and store.graphs_held([FIRST_RECORDS_GRAPH])
    store.drop_graphs([FIRST_RECORDS_GRAPH])
    assert not store.graphs_held([FIRST_RECORDS_GRAPH])
    assert sorted(map(repr, FirstRecords.read(store).records())) == kept  # read from the histories
    calls = _spy(store)
    other = tmp_path / "zzz_copy_of_001.txt"  # the same claims, from a source sorting after 001's
    other.write_text(SEED_001.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    load_documents(store, [other], workers=1)
    (graphs, drops), = calls
    assert FIRST_RECORDS_GRAPH in graphs and not _correspondence_graphs(graphs) and not _correspondence_graphs(drops)
    assert sorted(map(repr, FirstRecords.read(store).records())) == kept
    assert store.graphs_held([FIRST_RECORDS_GRAPH])
