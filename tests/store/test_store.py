"""Every store backend: atomic graph swaps, idempotent loads, no half-loaded documents."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SEED_000, SEED_001
from rdflib import Dataset, Graph, Literal, URIRef
from servers import oxigraph_server

from pia_kg.errors import LoaderError, QueryError, ResultLimitError, StoreError, UnknownStoreError
from pia_kg.pipeline import load_documents, remove_documents
from pia_kg.store import ExportFormat, Store, open_store
from pia_kg.vocab import document_graph


@pytest.fixture(scope="module")
def remote_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph-server")) as base:
        yield base


@pytest.fixture(params=["memory", "oxigraph", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        s = open_store("memory")
    elif request.param == "oxigraph":
        s = open_store("oxigraph", path=tmp_path / "store")
    else:
        base = request.getfixturevalue("remote_base")
        s = open_store("remote", endpoint=base + "/query", update_endpoint=base + "/update")
        s.drop_graphs(s.named_graphs())  # the server is shared by the module's tests
    yield s
    s.close()


# The predicate of the tests' triples: their patterns name it, since a store behind an
# endpoint also holds the statement of its state (pia_kg/backends/remote_store.py).
_P = "http://example.org/p"


def _graph(*objects: str) -> Graph:
    g = Graph()
    for i, o in enumerate(objects):
        g.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(o)))
    return g


def test_replace_graph_swaps_content(store: Store) -> None:
    g = URIRef("http://example.org/graph/a")
    store.replace_graph(g, _graph("one", "two"))
    store.replace_graph(g, _graph("三"))
    assert store.triple_count(g) == 1
    rows = store.query(f"SELECT ?o WHERE {{ ?s <{_P}> ?o }}").values()
    assert rows == [{"o": "三"}]


def test_default_graph_is_union_of_named_graphs(store: Store) -> None:
    store.replace_graphs(
        {URIRef("http://example.org/g1"): _graph("a"), URIRef("http://example.org/g2"): _graph("b", "c")}
    )
    count = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{_P}> ?o }}").rows[0][0]
    assert int(count) == 3
    assert store.named_graphs() == [URIRef("http://example.org/g1"), URIRef("http://example.org/g2")]


def test_literals_with_quotes_and_braces_survive(store: Store) -> None:
    tricky = 'x" } ; DROP ALL # \n\\ 改行'
    store.replace_graph(URIRef("http://example.org/g"), _graph(tricky))
    assert store.query(f"SELECT ?o WHERE {{ ?s <{_P}> ?o }}").rows[0][0] == Literal(tricky)


def test_a_batch_changes_lines_of_a_graph_whose_literals_hold_line_separators(tmp_path: Path) -> None:
    """A batch that adds graphs and changes one already there (the embedded store's bulk path,
    which sends only the changed lines) keeps a literal holding U+2028 or U+0085 whole."""
    store = open_store("oxigraph", path=tmp_path / "store")
    kept = URIRef("http://example.org/kept")
    store.replace_graph(kept, _graph("a\u2028b", "c\x85d"))
    store.replace_graphs({URIRef("http://example.org/new"): _graph("n"), kept: _graph("a\u2028b", "e\u2028f")})
    rows = store.query(f"SELECT ?o WHERE {{ GRAPH <{kept}> {{ ?s <{_P}> ?o }} }} ORDER BY ?o").values()
    assert rows == [{"o": "a\u2028b"}, {"o": "e\u2028f"}]
    store.close()


def test_query_texts_gives_the_named_columns_as_plain_texts(store: Store) -> None:
    """Packed answer rows are read as Python strings, the other columns as rdflib terms, alike
    on every backend (Oxigraph's own path skips the rdflib term of each text)."""
    tricky = '{"a":"x\\" } 改行\n"}'
    store.replace_graph(URIRef("http://example.org/g"), _graph(tricky, "二"))
    sparql = f"SELECT ?s ?o ?none WHERE {{ ?s <{_P}> ?o }} ORDER BY ?o"
    result = store.query_texts(sparql, ("o", "none", "absent"))
    assert result.variables == ["s", "o", "none"]
    assert [type(row[1]) for row in result.rows] == [str, str]
    assert [row[1] for row in result.rows] == [tricky, "二"]
    assert result.rows[0][0] == URIRef("http://example.org/s0") and result.rows[0][2] is None
    every = store.query_texts(sparql)
    assert [tuple(map(type, row)) for row in every.rows] == [(str, str, type(None))] * 2
    with pytest.raises(ResultLimitError):
        store.query_texts(sparql, ("o",), limit=1)


def test_select_rows_are_the_query_rows_handed_out_as_they_come(store: Store) -> None:
    """What `query -o FILE` writes from: the same variables and rows as ``query``, one at a
    time; anything but a SELECT refused."""
    store.replace_graph(URIRef("http://example.org/g"), _graph("一", "二", "三"))
    sparql = f"SELECT ?s ?o ?none WHERE {{ ?s <{_P}> ?o OPTIONAL {{ ?s <urn:none> ?none }} }} ORDER BY DESC(?o)"
    variables, rows = store.select_rows(sparql)
    assert not isinstance(rows, list | tuple)
    whole = store.query(sparql)
    assert variables == whole.variables and list(rows) == whole.rows and len(whole.rows) == 3
    with pytest.raises(QueryError):
        store.select_rows(f"ASK {{ ?s <{_P}> ?o }}")
    with pytest.raises(QueryError):
        store.select_rows("SELEKT nothing")


def test_bad_query_is_a_query_error(store: Store) -> None:
    with pytest.raises(QueryError):
        store.query("SELEKT nothing")


def test_export_keeps_named_graphs(store: Store) -> None:
    """Every format gives back what the store holds, written a graph at a time: the quads
    (N-Quads, TriG, JSON-LD), or their union (Turtle: a triple two graphs hold read once)."""
    import pyoxigraph as ox

    store.replace_graph(URIRef("http://example.org/g"), _graph("x"))
    store.replace_graph(URIRef("http://example.org/h"), _graph("x", "静\"\n"))
    nq = store.export(ExportFormat.nquads).decode()
    assert "<http://example.org/g>" in nq
    held = {(str(s), str(p), str(o), str(g)) for s, p, o, g in Dataset().parse(data=nq, format="nquads").quads()}
    assert len(held) == 3 and {q[3] for q in held} == {"http://example.org/g", "http://example.org/h"}
    formats = {ExportFormat.nquads: ox.RdfFormat.N_QUADS, ExportFormat.trig: ox.RdfFormat.TRIG,
               ExportFormat.jsonld: ox.RdfFormat.JSON_LD, ExportFormat.turtle: ox.RdfFormat.TURTLE}
    for fmt, syntax in formats.items():
        out = io.BytesIO()
        store.export_to(fmt, out)
        assert out.getvalue() == store.export(fmt)
        read = {(q.subject.value, q.predicate.value, q.object.value, getattr(q.graph_name, "value", ""))
                for q in ox.parse(out.getvalue(), format=syntax)}
        if fmt is ExportFormat.turtle:
            assert read == {(s, p, o, "") for s, p, o, _g in held} and len(read) == 2, fmt
        else:
            assert read == held, fmt
    union = Graph().parse(data=store.export(ExportFormat.turtle), format="turtle")
    assert (URIRef("http://example.org/s0"), URIRef("http://example.org/p"), Literal("x")) in union


def test_loading_seeds_twice_changes_nothing(store: Store) -> None:
    load_documents(store, [SEED_000, SEED_001])
    first = store.triple_count()
    graphs = store.named_graphs()
    load_documents(store, [SEED_001, SEED_000])
    assert store.triple_count() == first > 1000
    assert store.named_graphs() == graphs


def test_document_failing_midway_leaves_store_as_it_was(store: Store, tmp_path: Path) -> None:
    load_documents(store, [SEED_000])
    before = store.export(ExportFormat.nquads)
    # The same document, undecodable from the middle of section II on (a truncated one loads
    # as a partial document): it must not replace the good one.
    broken = tmp_path / SEED_000.name
    data = SEED_000.read_bytes()
    broken.write_bytes(data[: len(data) // 3] + b"\xff\xfe\x81" * 50 + data[len(data) // 3 :])
    good_other = tmp_path / SEED_001.name
    shutil.copy(SEED_001, good_other)
    with pytest.raises(LoaderError) as caught:
        load_documents(store, [good_other, broken])
    assert SEED_000.name in str(caught.value)
    assert store.export(ExportFormat.nquads) == before  # nor was the good one half-added


def test_remove_drops_the_document_graph(store: Store) -> None:
    load_documents(store, [SEED_000, SEED_001])
    remove_documents(store, [SEED_000.stem])
    assert document_graph(SEED_000.stem) not in store.named_graphs()
    assert document_graph(SEED_001.stem) in store.named_graphs()


def test_unknown_store_lists_known_ones() -> None:
    with pytest.raises(UnknownStoreError, match="memory, oxigraph, remote"):
        open_store("postgres")


def test_unreachable_endpoint_is_a_store_error() -> None:
    from servers import free_port

    s = open_store("remote", endpoint=f"http://127.0.0.1:{free_port()}/query")
    with pytest.raises(StoreError, match="cannot reach"):
        s.query("ASK {}")


def test_remote_without_update_endpoint_is_read_only(remote_base: str) -> None:
    s = open_store("remote", endpoint=remote_base + "/query")
    with pytest.raises(StoreError, match="--update-endpoint"):
        s.replace_graph(URIRef("http://example.org/g"), _graph("x"))


def test_ask_answers_a_boolean(store: Store) -> None:
    store.replace_graph(URIRef("http://example.org/g"), _graph("x"))
    assert store.query("ASK { ?s ?p \"x\" }").boolean is True
    assert store.query("ASK { ?s ?p \"y\" }").boolean is False


def test_oxigraph_loads_new_graphs_and_swaps_present_ones_alike(tmp_path: Path) -> None:
    """New graphs go in through Oxigraph's loader, present ones through a SPARQL swap: the
    same triples either way, blank-node-free text or rdflib graphs."""
    s = open_store("oxigraph", path=tmp_path / "store")
    g1, g2 = URIRef("http://example.org/g1"), URIRef("http://example.org/g2")
    text = '<http://example.org/s> <http://example.org/p> "a .\u2028b" .\n'  # a raw U+2028
    s.replace_graphs({g1: text, g2: _graph("x", "y")})  # neither there: loaded
    assert s.triple_count(g1) == 1 and s.triple_count(g2) == 2
    assert {str(o) for o in s.get_graph(g1).objects()} == {"a .\u2028b"}
    s.replace_graphs({g1: _graph("z")}, drops=[g2])  # g1 there: swapped
    assert s.triple_count(g1) == 1 and g2 not in s.named_graphs()
    s.replace_graphs({g2: text})  # dropped before: new again, loaded
    assert s.triple_count(g2) == 1
    s.close()


def test_a_readers_state_token_follows_every_commit_of_a_writer(tmp_path: Path) -> None:
    """The token a reader keeps between two questions (read again only when the writer's
    marker is another file) changes with each commit, however quick, and its answers with it."""
    writer = open_store("oxigraph", path=tmp_path / "s")
    reader = open_store("oxigraph", path=tmp_path / "s", read_only=True)
    asked = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    seen = [reader.state_token()]
    for n in range(5):
        writer.replace_graphs({URIRef(f"http://example.org/g{n}"): _graph("x")})
        seen.append(reader.state_token())
        assert seen[-1] == reader.state_token() == writer.state_token()
        assert int(reader.query(asked).rows[0][0]) == n + 1
    assert len(set(seen)) == 6, seen
    reader.close()
    writer.close()


def test_compacting_keeps_every_quad_and_readers_go_on(tmp_path: Path) -> None:
    """`pia-kg compact` merges the engine's files and drops what replaced graphs left; the
    content is the same, and a reader that had the old files open reads the new ones."""
    writer = open_store("oxigraph", path=tmp_path / "s")
    load_documents(writer, [SEED_000, SEED_001], workers=1)
    load_documents(writer, [SEED_001], workers=1)  # replaced: its old quads wait for a merge
    reader = open_store("oxigraph", path=tmp_path / "s", read_only=True)
    asked = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = (int(reader.query(asked).rows[0][0]), writer.export(ExportFormat.nquads))
    before_bytes, after_bytes = writer.compact()
    assert before_bytes > 0 and after_bytes > 0
    assert (int(reader.query(asked).rows[0][0]), writer.export(ExportFormat.nquads)) == before
    assert reader.compact() is None and open_store("memory").compact() is None
    reader.close()
    writer.close()


def test_a_load_that_doubles_a_big_enough_store_compacts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load compacts the store at its end when the store has doubled since it was last
    compacted (never: since it was empty) and takes ``COMPACT_FROM`` bytes or more (lowered
    here to a seed's size): the store then holds what a load that does not compact writes.
    A load that does not double the store since, or leaves it smaller than that, does not
    compact it."""
    from pia_kg.backends import oxigraph_store

    plain = open_store("oxigraph", path=tmp_path / "plain")
    assert load_documents(plain, [SEED_000], workers=1).compacted is None  # 3 GB: far from it
    assert plain.compacted_size() == 0  # never compacted
    writer = open_store("oxigraph", path=tmp_path / "s")
    monkeypatch.setattr(oxigraph_store, "COMPACT_FROM", 1)
    compactions: list[tuple[int, int] | None] = []
    real = writer.compact
    monkeypatch.setattr(writer, "compact", lambda: compactions.append(real()) or compactions[-1])
    report = load_documents(writer, [SEED_000], workers=1)
    assert report.compacted is not None and compactions == [report.compacted] and report.compactions == 1
    assert writer.compacted_size() == report.compacted[1]  # kept beside the store
    assert _quads(writer) == _quads(plain)
    assert load_documents(writer, [SEED_000], workers=1, again=True).compacted is None  # replaced, not doubled
    assert compactions == [report.compacted]
    # twice what it took when compacted: the next load compacts it
    size = report.compacted[1]
    monkeypatch.setattr(writer, "bytes_on_disk", lambda: 2 * size - 1)
    assert not writer.worth_compacting()
    monkeypatch.setattr(writer, "bytes_on_disk", lambda: 2 * size)
    assert writer.worth_compacting()
    assert open_store("memory").worth_compacting() is False
    plain.close()
    writer.close()


def test_the_size_a_store_was_compacted_to_is_its_own(tmp_path: Path) -> None:
    """What a store took when last compacted is kept beside its folder with the engine's
    identity of the store: a copy of the folder (with the record) keeps it; a store made
    again in the same folder starts from none, and so does one whose record is unreadable."""
    store = open_store("oxigraph", path=tmp_path / "s")
    load_documents(store, [SEED_000], workers=1)
    _, after = store.compact()
    assert store.compacted_size() == after > 0
    store.close()
    shutil.copytree(tmp_path / "s", tmp_path / "copy")
    shutil.copy(tmp_path / "s.compacted", tmp_path / "copy.compacted")
    copy = open_store("oxigraph", path=tmp_path / "copy", read_only=True)
    assert copy.compacted_size() == after
    copy.close()
    shutil.rmtree(tmp_path / "s")
    again = open_store("oxigraph", path=tmp_path / "s")
    assert again.compacted_size() == 0  # another store in the same folder
    again.close()
    (tmp_path / "copy.compacted").write_text("not a record", encoding="ascii")
    assert open_store("oxigraph", path=tmp_path / "copy", read_only=True).compacted_size() == 0


def test_the_bytes_of_a_store_count_no_file_the_engine_deleted_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine's background merges delete files while a load measures the store (seen in
    CI: a load raised FileNotFoundError on a file listed a moment before): such a file counts
    for nothing."""
    import os

    store = open_store("oxigraph", path=tmp_path / "s")
    size = store.bytes_on_disk()
    victim = max((tmp_path / "s").iterdir(), key=lambda f: f.stat().st_size)
    gone = victim.stat().st_size
    assert size and gone > 0
    real_stat = os.stat
    looks = [0]  # the victim's stats that find it: after them, it is gone

    def stat(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if os.fspath(path) == str(victim):
            looks[0] -= 1
            if looks[0] < 0:
                raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    looks[0] = 1  # deleted right after it was first looked at
    assert store.bytes_on_disk() == size  # it was there when looked at: counted, no error
    looks[0] = 0  # deleted before
    assert store.bytes_on_disk() == size - gone
    monkeypatch.undo()
    store.close()


def test_a_compaction_without_room_on_disk_leaves_the_loaded_store_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine writes the merged files before deleting the old ones: without that much
    room on the disk, `pia-kg compact` is refused in one line, and a load that would compact
    keeps its documents and tells the person loading why it did not."""
    from collections import namedtuple

    from pia_kg.backends import oxigraph_store

    writer = open_store("oxigraph", path=tmp_path / "s")
    monkeypatch.setattr(oxigraph_store, "COMPACT_FROM", 1)
    usage = namedtuple("usage", "total used free")
    real_usage = oxigraph_store.shutil.disk_usage
    monkeypatch.setattr(oxigraph_store.shutil, "disk_usage", lambda path: usage(1 << 40, 1 << 40, 1000))
    report = load_documents(writer, [SEED_000], workers=1)
    assert report.compacted is None and not report.failed and len(report.documents) == 1
    [notice] = report.notices
    assert "the documents are loaded" in notice and "MB free" in notice and "pia-kg compact" in notice
    assert writer.graphs_held([document_graph(SEED_000.stem)])
    with pytest.raises(StoreError, match="MB free; the store is unchanged"):
        writer.compact()
    monkeypatch.setattr(oxigraph_store.shutil, "disk_usage", real_usage)
    assert writer.compact() is not None
    writer.close()


def _quads(store: Store) -> list[bytes]:
    """A store's quads, sorted, blank nodes all alike (the ontology's lists get new ones each load)."""
    return sorted(re.sub(rb"_:\w+", b"_:b", line) for line in store.export(ExportFormat.nquads).splitlines())


def test_a_reader_opening_while_a_merge_deletes_a_file_tries_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine says a file of its list is gone when a writer's merge deleted it during the
    open (it happened to a reader opened right after a load): the open is tried again; a
    store that stays unreadable is one line, never the engine's RuntimeError."""
    import pyoxigraph

    from pia_kg.backends import oxigraph_store

    writer = open_store("oxigraph", path=tmp_path / "s")
    load_documents(writer, [SEED_001], workers=1)
    writer.close()
    failures = [2]
    real = pyoxigraph.Store

    class Racing:
        @staticmethod
        def read_only(path: str) -> pyoxigraph.Store:
            if failures[0]:
                failures[0] -= 1
                raise RuntimeError(f"Corruption: IO error: No such file or directory: {path}/000009.sst")
            return real.read_only(path)

    monkeypatch.setattr(oxigraph_store.ox, "Store", Racing)
    reader = open_store("oxigraph", path=tmp_path / "s", read_only=True)
    assert failures == [0] and reader.triple_count() > 0
    reader.close()
    failures[0] = oxigraph_store.READ_ONLY_TRIES
    with pytest.raises(StoreError, match="cannot open the store at .*No such file"):
        open_store("oxigraph", path=tmp_path / "s", read_only=True)


def test_remote_requests_keep_blank_nodes_whole_and_under_the_bound() -> None:
    """Virtuoso refuses a request whose SQL passes 10,000 lines (the ontology's 1,458 triples
    with blank nodes, in one INSERT … WHERE {}, did): a graph with blank nodes is cut
    between the groups of triples its blank nodes link, never inside one, and its triples
    count double against the bound."""
    import re

    from pia_kg.backends.remote_store import RemoteStore

    store = RemoteStore("http://127.0.0.1:9/sparql", "http://127.0.0.1:9/update", max_request_triples=2_000)
    plain = "".join(f"<urn:s{i}> <urn:p> <urn:o> .\n" for i in range(1_600))
    # 700 lists of three linked blank nodes, and plain triples in the same graph
    blank = "".join(f"<urn:x{i}> <urn:p> _:a{i} .\n_:a{i} <urn:first> _:b{i} .\n_:b{i} <urn:rest> \"_:not{i}\" .\n"
                    for i in range(700)) + "<urn:y> <urn:p> <urn:z> .\n"
    graphs = {URIRef("urn:g1"): plain, URIRef("urn:g2"): blank, URIRef("urn:g3"): "<urn:a> <urn:b> <urn:c> .\n"}
    requests = list(store._requests(graphs))
    seen: dict[str, int] = {}
    for n, request in enumerate(requests):
        ops = request.split(" ;\n")
        weight = sum(op.count(" .\n") * (2 if op.endswith("WHERE {}") else 1) for op in ops)
        assert weight <= 2_000
        for label in set(re.findall(r"(?<!\")_:[ab]\d+", request)):
            assert seen.setdefault(label, n) == n, f"{label} cut across requests"
    assert len(seen) == 1_400
    triples = sum(r.count(" .\n") for r in requests)
    assert triples == 1_600 + 2_101 + 1
