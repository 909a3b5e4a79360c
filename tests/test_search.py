"""The search index beside the store follows loads and removals, and keeps each document's text."""

from __future__ import annotations

from conftest import SEED_001, SEED_002

from pia_kg.pipeline import load_documents, remove_documents
from pia_kg.search import index_for
from pia_kg.store import open_store


def test_index_follows_loads_and_removals(tmp_path) -> None:  # noqa: ANN001
    store = open_store("oxigraph", path=tmp_path / "store")
    try:
        load_documents(store, [SEED_001])
        assert (tmp_path / "store-search.sqlite").is_file()  # beside the store folder
        hits = index_for(store).search("富士通ｊａｐａｎ", kinds=("contractor",))
        assert {(h.name, h.source) for h in hits} == {("富士通Japan株式会社", "001_57af33314b6a26f0.txt#L134-L140")}
        file_name, sha256, text = index_for(store).text("001_57af33314b6a26f0")
        assert file_name == SEED_001.name and len(sha256) == 64
        assert text.split("\n")[136].startswith("③委託先名")  # line 137, as the source says

        load_documents(store, [SEED_002])
        names = {h.name for h in index_for(store).search("富士通", kinds=("contractor",))}
        assert names == {"富士通Japan株式会社", "富士通JAPAN株式会社"}

        remove_documents(store, ["001_57af33314b6a26f0"])
        index = index_for(store)
        assert index.text("001_57af33314b6a26f0") is None
        assert {h.doc_id for h in index.search("富士通")} == {"002_aa3841ff71230e60"}
        titles = index.titles(["002_aa3841ff71230e60", "001_57af33314b6a26f0"])
        assert list(titles) == ["002_aa3841ff71230e60"] and "評価書" in titles["002_aa3841ff71230e60"]
    finally:
        store.close()


def test_index_of_a_memory_store_lives_in_memory() -> None:
    store = open_store("memory")
    load_documents(store, [SEED_001])
    bodies = index_for(store).search("金 沢", kinds=("body",))
    assert [h.name for h in bodies] == ["金沢市"]
    lines = index_for(store).search("児童手当情報ファイル", kinds=("text",))
    assert lines and all(h.source.startswith("001_57af33314b6a26f0.txt#L") for h in lines)


def test_entries_made_in_workers_are_those_read_back_from_the_store(tmp_path) -> None:  # noqa: ANN001
    from pia_kg.loaders.documents.assessment import load_assessment
    from pia_kg.search import index_entry
    from pia_kg.vocab import document_graph

    store = open_store("oxigraph", path=tmp_path / "store")
    try:
        load_documents(store, [SEED_001], workers=1)
        src = load_assessment(SEED_001)
        made = index_entry(SEED_001.stem, SEED_001.name, src.source.sha256, src.source.text, src.graph)
        stored = store.get_graph(document_graph(SEED_001.stem))
        again = index_entry(SEED_001.stem, SEED_001.name, src.source.sha256, src.source.text, stored)
        assert sorted(made.rows) == sorted(again.rows)  # the first place naming it, in any order
        load_documents(store, [SEED_001], workers=1)  # loading again replaces its entries
        hits = index_for(store).search("富士通ｊａｐａｎ", kinds=("contractor",))
        assert len(hits) == 1
    finally:
        store.close()


def test_a_batch_the_store_refused_leaves_no_entries(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    import pytest

    from pia_kg import pipeline
    from pia_kg.errors import StoreError

    store = open_store("oxigraph", path=tmp_path / "store")
    try:
        load_documents(store, [SEED_001], workers=1)

        def refuse(*_args: object, **_kw: object) -> None:
            raise StoreError("disk full")

        monkeypatch.setattr(pipeline._Writer, "write", refuse)
        with pytest.raises(StoreError):
            load_documents(store, [SEED_002], workers=1)
        index = index_for(store)
        assert index.doc_ids() == {"001_57af33314b6a26f0"}  # the entries written first are gone
    finally:
        store.close()


def test_a_reader_keeps_entries_written_ahead_of_their_batch(tmp_path) -> None:  # noqa: ANN001
    from pia_kg.search import IndexEntry

    path = tmp_path / "store"
    writer = open_store("oxigraph", path=path)
    load_documents(writer, [SEED_001], workers=1)
    writer.close()
    reader = open_store("oxigraph", path=path, read_only=True)
    try:
        index = index_for(reader)
        # a load's next batch: its entries are in, its graphs not yet
        index.add([IndexEntry("zz_next", "zz_next.txt", "0" * 64, "x", (), ((1, "x", "x"),))])
        assert "zz_next" in index_for(reader).doc_ids()  # a reader never prunes them
    finally:
        reader.close()


def test_wildcards_in_a_query_are_themselves(tmp_path) -> None:  # noqa: ANN001
    from pia_kg.search import IndexEntry, SearchIndex

    index = SearchIndex(tmp_path / "s.sqlite")
    rows = [(name, name, "contractor", "d", "d.txt#L1-L1", "") for name in ("abcxdef", "abc_def", "100%株式会社")]
    index.add([IndexEntry("d", "d.txt", "0" * 64, "", tuple(rows))])
    assert [h.name for h in index.search("abc_def")] == ["abc_def"]
    assert [h.name for h in index.search("100%株式")] == ["100%株式会社"]
    assert [h.name for h in index.search("cxd")] == ["abcxdef"]  # through the trigram index
    assert {h.name for h in index.search("de")} == {"abcxdef", "abc_def"}  # shorter than a trigram
    index.close()


def test_lines_shared_by_documents_are_stored_once(tmp_path) -> None:  # noqa: ANN001
    """A form's lines repeat in every document of it: each distinct line is stored and indexed
    once, each document keeps where its lines are, and a removal leaves no hit behind."""
    import sqlite3

    from rdflib import Graph

    from pia_kg.search import SearchIndex, index_entry

    index = SearchIndex(tmp_path / "s.sqlite")
    common = "Ⅱ 特定個人情報ファイルの概要\n委託の有無"
    index.add([index_entry("a", "a.txt", "0" * 64, common + "\n甲市の固有の行", Graph())])
    index.add([index_entry("b", "b.txt", "1" * 64, "前置き\n" + common, Graph())])
    hits = index.search("ファイルの概要")
    assert [(h.doc_id, h.source) for h in hits] == [("a", "a.txt#L1-L1"), ("b", "b.txt#L2-L2")]
    assert [h.name for h in hits] == ["Ⅱ 特定個人情報ファイルの概要"] * 2
    assert [h.source for h in index.search("委託", kinds=("text",), limit=1)] == ["a.txt#L2-L2"]
    index.remove(["a"])
    assert [h.doc_id for h in index.search("ファイルの概要")] == ["b"]
    assert index.search("固有の行") == []
    db = sqlite3.connect(tmp_path / "s.sqlite")
    # the line only "a" held is gone from the lines and from their index; the shared ones stay
    assert sorted(r[0] for r in db.execute("SELECT name FROM lines")) == sorted(["前置き", *common.split("\n")])
    assert db.execute("SELECT name, docs FROM lines WHERE name = '前置き'").fetchone() == ("前置き", 1)
    assert db.execute("SELECT docs FROM lines WHERE name = '委託の有無'").fetchone() == (1,)
    db.execute("INSERT INTO line_index (line_index) VALUES ('integrity-check')")  # raises if out of step
    db.execute("INSERT INTO doc_lines (doc_lines) VALUES ('integrity-check')")
    db.close()
    # the document comes back whole (its unique line indexed again under a new id)
    index.add([index_entry("a", "a.txt", "0" * 64, common + "\n甲市の固有の行", Graph())])
    assert [h.source for h in index.search("固有の行")] == ["a.txt#L3-L3"]
    assert [h.doc_id for h in index.search("ファイルの概要")] == ["a", "b"]
    index.close()


def test_an_index_of_the_first_layout_is_brought_up_to_date(tmp_path) -> None:  # noqa: ANN001
    """An index written before lines were stored once (one FTS5 row per line of every
    document) opens as the current layout, rebuilt from the texts it holds, with the same hits."""
    import sqlite3

    from pia_kg.search import LAYOUT, SearchIndex

    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE documents (doc_id TEXT PRIMARY KEY, file_name TEXT, sha256 TEXT, text TEXT);
        CREATE VIRTUAL TABLE entries USING fts5(folded, name UNINDEXED, kind UNINDEXED,
          doc_id UNINDEXED, source UNINDEXED, key UNINDEXED, tokenize = 'trigram');
        INSERT INTO documents VALUES ('d', 'd.txt', 'x', '委託先名\n\n富士通Ｊａｐａｎ株式会社');
        INSERT INTO entries VALUES ('富士通japan株式会社', '富士通Japan株式会社', 'contractor', 'd', 'd.txt#L3-L3', 'k');
        INSERT INTO entries VALUES ('委託先名', '委託先名', 'text', 'd', 'd.txt#L1-L1', '');
        INSERT INTO entries VALUES ('甲市評価書', '甲市評価書', 'assessment', 'd', 'd.txt#L1-L3', 'a');
        INSERT INTO entries VALUES ('富士通japan株式会社', '富士通Ｊａｐａｎ株式会社', 'text', 'd', 'd.txt#L3-L3', '');
        """
    )
    db.close()
    index = SearchIndex(path)
    assert [(h.kind, h.name, h.source) for h in index.search("富士通ｊａｐａｎ")] == [
        ("contractor", "富士通Japan株式会社", "d.txt#L3-L3"),
        ("text", "富士通Ｊａｐａｎ株式会社", "d.txt#L3-L3"),
    ]
    assert index.text("d") == ("d.txt", "x", "委託先名\n\n富士通Ｊａｐａｎ株式会社")
    assert index.titles(["d", "e"]) == {"d": "甲市評価書"}
    index.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LAYOUT
    assert db.execute("SELECT count(*) FROM entries WHERE kind = 'text'").fetchone()[0] == 0
    db.close()


def test_an_index_of_the_third_layout_is_brought_up_to_date(tmp_path) -> None:  # noqa: ANN001
    """An index that kept a row per line of every document (``places``, indexed by line)
    opens with each document's lines packed and the same hits; removals go on working."""
    import sqlite3

    from pia_kg.search import LAYOUT, SearchIndex

    path = tmp_path / "s.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE documents (num INTEGER PRIMARY KEY, doc_id TEXT UNIQUE NOT NULL, file_name TEXT,
          sha256 TEXT, text TEXT, title TEXT);
        CREATE VIRTUAL TABLE entries USING fts5(folded, name UNINDEXED, kind UNINDEXED,
          doc_id UNINDEXED, source UNINDEXED, key UNINDEXED, tokenize = 'trigram');
        CREATE TABLE lines (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, folded TEXT NOT NULL);
        CREATE VIRTUAL TABLE line_index USING fts5(folded, content = 'lines', content_rowid = 'id',
          tokenize = 'trigram', detail = none);
        CREATE TABLE places (doc INTEGER NOT NULL, n INTEGER NOT NULL, line INTEGER NOT NULL,
          PRIMARY KEY (doc, n)) WITHOUT ROWID;
        CREATE INDEX places_of_line ON places (line, doc, n);
        CREATE TABLE pending (doc_id TEXT PRIMARY KEY) WITHOUT ROWID;
        INSERT INTO documents (num, doc_id, file_name, sha256) VALUES (1, 'a', 'a.txt', 'x'), (2, 'b', 'b.txt', 'y');
        INSERT INTO lines VALUES (1, '委託の有無', '委託の有無'), (2, '甲市の行', '甲市の行'), (3, '前置き', '前置き');
        INSERT INTO line_index (rowid, folded) SELECT id, folded FROM lines;
        INSERT INTO places VALUES (1, 1, 1), (1, 3, 2), (2, 1, 3), (2, 2, 1);
        PRAGMA user_version = 3;
        """
    )
    db.close()
    index = SearchIndex(path)
    # the pages ``places`` took are given back (VACUUM), not left free in the file
    assert sqlite3.connect(path).execute("PRAGMA freelist_count").fetchone()[0] == 0
    assert [(h.doc_id, h.source) for h in index.search("委託の有無")] == [("a", "a.txt#L1-L1"), ("b", "b.txt#L2-L2")]
    assert [h.source for h in index.search("甲市")] == ["a.txt#L3-L3"]
    index.remove(["a"])
    assert [h.doc_id for h in index.search("委託の有無")] == ["b"]
    assert index.search("甲市") == []
    index.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == LAYOUT
    assert not db.execute("SELECT 1 FROM sqlite_master WHERE name LIKE 'places%'").fetchall()
    assert dict(db.execute("SELECT name, docs FROM lines")) == {"委託の有無": 1, "前置き": 1}
    assert db.execute("SELECT count(*) FROM pending").fetchone()[0] == 0  # layout 3 kept its notes
    db.execute("INSERT INTO doc_lines (doc_lines) VALUES ('integrity-check')")
    db.execute("INSERT INTO line_index (line_index) VALUES ('integrity-check')")
    db.close()


def test_a_common_word_reads_the_documents_in_order(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """A query matching more lines than an OR of their ids could carry finds the same places
    by reading the documents in order until it has enough."""
    from rdflib import Graph

    import pia_kg.search as search

    index = search.SearchIndex(tmp_path / "s.sqlite")
    index.add([search.index_entry(d, f"{d}.txt", "0" * 64, f"{d}の一行目\n\n{d}の委託先", Graph()) for d in "cab"])
    expected = [(h.doc_id, h.source) for h in index.search("の委託", kinds=("text",))]
    assert expected == [("a", "a.txt#L3-L3"), ("b", "b.txt#L3-L3"), ("c", "c.txt#L3-L3")]
    monkeypatch.setattr(search, "_MATCH_CHUNK", 1)  # one statement per line
    assert [(h.doc_id, h.source) for h in index.search("の委託", kinds=("text",))] == expected
    monkeypatch.setattr(search, "_MANY_LINES", 1)  # documents read in order
    assert [(h.doc_id, h.source) for h in index.search("の委託", kinds=("text",))] == expected
    assert [h.source for h in index.search("の", kinds=("text",), limit=3)] == ["a.txt#L1-L1", "a.txt#L3-L3", "b.txt#L1-L1"]
    index.close()


def test_entries_written_ahead_stay_pending_until_the_store_holds_them(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """A writer checks only the entries written ahead of a batch (each by its graph), never
    the list of every graph in the store: a national store holds a hundred thousand."""
    import sqlite3

    from pia_kg.backends.oxigraph_store import OxigraphStore
    from pia_kg.search import IndexEntry

    path = tmp_path / "store"
    store = open_store("oxigraph", path=path)
    try:
        load_documents(store, [SEED_001], workers=1)
        index = index_for(store)
        pending = lambda: {r[0] for r in index._db.execute("SELECT doc_id FROM pending")}  # noqa: E731
        assert pending() == set()  # the batch is in the store: confirmed
        # what a load killed between its entries and its batch leaves, beside an entry whose
        # batch did land before the kill
        index.add([IndexEntry("zz_lost", "zz_lost.txt", "0" * 64, "x", (), ((1, "x", "x"),))])
        index._db.execute("INSERT INTO pending VALUES ('001_57af33314b6a26f0')")
        index._db.commit()

        def no_listing(self: object) -> list:
            raise AssertionError("a load listed every graph of the store")

        monkeypatch.setattr(OxigraphStore, "named_graphs", no_listing)
        load_documents(store, [SEED_002], workers=1)
        assert index.doc_ids() == {"001_57af33314b6a26f0", "002_aa3841ff71230e60"}
        assert pending() == set()
        assert remove_documents(store, ["002_aa3841ff71230e60"]) == ["002_aa3841ff71230e60"]
        assert index.doc_ids() == {"001_57af33314b6a26f0"}
    finally:
        store.close()
    # an index of the layout before: every document pending once, for the next writer to check
    db = sqlite3.connect(tmp_path / "store-search.sqlite")
    db.execute("DROP TABLE pending")
    db.execute("PRAGMA user_version = 2")
    db.execute("INSERT INTO documents (doc_id, file_name, sha256, text) VALUES ('zz_gone', 'zz_gone.txt', '', '')")
    db.commit()
    db.close()
    store = open_store("oxigraph", path=path)
    try:
        index = index_for(store, prune=True)
        assert index.doc_ids() == {"001_57af33314b6a26f0"}
        assert {r[0] for r in index._db.execute("SELECT doc_id FROM pending")} == set()
        index._db.execute("INSERT INTO doc_lines (doc_lines) VALUES ('integrity-check')")  # still whole
    finally:
        store.close()


def test_a_memory_store_tells_which_graphs_it_holds() -> None:
    from pia_kg.vocab import document_graph

    store = open_store("memory")
    load_documents(store, [SEED_001], workers=1)
    held = store.graphs_held([document_graph("001_57af33314b6a26f0"), document_graph("nothing")])
    assert held == {document_graph("001_57af33314b6a26f0")}


def test_a_document_named_in_japanese_keeps_its_text_until_removed(tmp_path) -> None:  # noqa: ANN001
    """Real documents are named as their bodies name them: the index knows them by that
    stem, the store by its slug (percent-escaped, spaces removed)."""
    import shutil

    named = tmp_path / "静岡市 住民基本台帳 評価書.txt"
    shutil.copy(SEED_001, named)
    store = open_store("oxigraph", path=tmp_path / "store")
    try:
        load_documents(store, [named], workers=1)
        load_documents(store, [SEED_002], workers=1)  # a later load keeps it
        assert index_for(store).text("静岡市 住民基本台帳 評価書") is not None
        remove_documents(store, ["静岡市住民基本台帳評価書"])  # as spelled without its spaces
        assert index_for(store).doc_ids() == {"002_aa3841ff71230e60"}
    finally:
        store.close()
