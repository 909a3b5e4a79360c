"""The undo journal of bulk loads into the embedded store (pia_kg/backends/journal.py): a
batch mixing new and present graphs commits whole, and one a writer left half-done is rolled
back by the next writer to open the store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from pia_kg.backends import journal as journal_module
from pia_kg.backends.journal import journal_path, read_journal, write_journal
from pia_kg.errors import StoreError
from pia_kg.store import open_store

G_OLD, G_NEW, G_GONE = (URIRef(f"http://example.org/{n}") for n in ("old", "new", "gone"))


def _nt(*objects: str) -> str:
    return "".join(f'<http://example.org/s> <http://example.org/p> "{o}" .\n' for o in objects)


def _content(path: Path) -> dict[str, set[str]]:
    s = open_store("oxigraph", path=path)
    try:
        return {str(g): {str(o) for o in s.get_graph(g).objects()} for g in s.named_graphs()}
    finally:
        s.close()


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    s = open_store("oxigraph", path=path)
    s.replace_graphs({G_OLD: _nt("a", "b"), G_GONE: _nt("g")})
    s.close()
    return path


def test_a_batch_of_new_and_present_graphs_commits_whole(store_dir: Path) -> None:
    s = open_store("oxigraph", path=store_dir)
    s.replace_graphs({G_NEW: _nt("n"), G_OLD: _nt("c")}, drops=[G_GONE])
    s.close()
    assert _content(store_dir) == {str(G_NEW): {"n"}, str(G_OLD): {"c"}}
    assert not journal_path(store_dir).exists()


def test_a_writer_killed_mid_batch_is_rolled_back_on_the_next_open(store_dir: Path) -> None:
    # What a writer killed between the bulk load and the commit leaves: the journal, the new
    # graph half there, a present graph already changed.
    s = open_store("oxigraph", path=store_dir)
    write_journal(store_dir, [str(G_NEW)], {str(G_OLD): _nt("a", "b"), str(G_GONE): _nt("g")})
    raw = s._store  # type: ignore[attr-defined]
    raw.bulk_load(_nt("n1").encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(G_NEW)))
    raw.update(f"DROP GRAPH <{G_OLD}> ; INSERT DATA {{ GRAPH <{G_OLD}> {{ {_nt('c')} }} }}")
    del raw
    s.close()
    assert _content(store_dir) == {str(G_OLD): {"a", "b"}, str(G_GONE): {"g"}}
    assert read_journal(store_dir) is None


def test_a_rollback_cut_short_is_done_again(store_dir: Path) -> None:
    # A killed rollback leaves its journal: the next open undoes again, to the same state.
    write_journal(store_dir, [str(G_NEW)], {str(G_OLD): _nt("a", "b")})
    assert _content(store_dir)[str(G_OLD)] == {"a", "b"}
    write_journal(store_dir, [str(G_NEW)], {str(G_OLD): _nt("a", "b")})
    assert _content(store_dir) == {str(G_OLD): {"a", "b"}, str(G_GONE): {"g"}}


def test_a_reader_rolls_back_what_a_killed_writer_left(store_dir: Path) -> None:
    # `serve` started after a load was killed mid-batch: no writer holds the store, so the
    # reader undoes the half-written batch before reading, rather than serve it.
    s = open_store("oxigraph", path=store_dir)
    write_journal(store_dir, [str(G_NEW)], {str(G_OLD): _nt("a", "b")})
    raw = s._store  # type: ignore[attr-defined]
    raw.bulk_load(_nt("n1").encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(G_NEW)))
    raw.update(f"DROP GRAPH <{G_OLD}> ; INSERT DATA {{ GRAPH <{G_OLD}> {{ {_nt('c')} }} }}")
    del raw
    s.close()
    reader = open_store("oxigraph", path=store_dir, read_only=True)
    try:
        assert {str(g) for g in reader.named_graphs()} == {str(G_OLD), str(G_GONE)}
        assert {str(o) for o in reader.get_graph(G_OLD).objects()} == {"a", "b"}
    finally:
        reader.close()
    assert read_journal(store_dir) is None


def test_a_reader_leaves_a_live_writers_journal_alone(store_dir: Path) -> None:
    writer = open_store("oxigraph", path=store_dir)  # holds the store: its batch is in progress
    try:
        write_journal(store_dir, [str(G_NEW)], {})
        reader = open_store("oxigraph", path=store_dir, read_only=True)
        reader.close()
        assert read_journal(store_dir) is not None
    finally:
        writer.close()


def test_an_unreadable_journal_is_a_store_error(store_dir: Path) -> None:
    journal_path(store_dir).write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="journal of an unfinished load"):
        open_store("oxigraph", path=store_dir)


def test_too_much_to_undo_is_written_in_one_transaction(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pia_kg.backends.oxigraph_store.MAX_UNDO_BYTES", 4)
    written: list[list[str]] = []
    monkeypatch.setattr(
        "pia_kg.backends.oxigraph_store.write_journal", lambda _d, added, _o: written.append(list(added))
    )
    s = open_store("oxigraph", path=store_dir)
    s.replace_graphs({G_NEW: _nt("n"), G_OLD: _nt("c")})
    s.close()
    assert written == []  # no journal: the plain transactional swap wrote it
    assert _content(store_dir) == {str(G_NEW): {"n"}, str(G_OLD): {"c"}, str(G_GONE): {"g"}}


def test_a_failed_bulk_load_rolls_back_at_once(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = open_store("oxigraph", path=store_dir)
    bad = {G_NEW: _nt("n"), URIRef("http://example.org/bad"): "<http://example.org/s> <broken\n"}
    with pytest.raises(StoreError, match="store unchanged"):
        s.replace_graphs({**bad, G_OLD: _nt("c")})
    s.close()
    assert _content(store_dir) == {str(G_OLD): {"a", "b"}, str(G_GONE): {"g"}}
    assert journal_module.read_journal(store_dir) is None


def test_a_reader_opens_the_store_again_only_after_a_write(store_dir: Path) -> None:
    """Reopening is the cost of a read-only handle (what `pia-kg serve` holds): once per
    committed write, never per query."""
    from pia_kg.backends.oxigraph_store import OxigraphStore

    reader = OxigraphStore(store_dir, read_only=True)
    first = reader._current()  # noqa: SLF001
    assert reader._current() is first  # noqa: SLF001  nothing written: the same handle
    writer = open_store("oxigraph", path=store_dir)
    writer.replace_graphs({G_NEW: _nt("n")})
    writer.close()
    assert reader._current() is not first  # noqa: SLF001
    assert str(G_NEW) in {str(g) for g in reader.named_graphs()}
    again = reader._current()  # noqa: SLF001
    assert reader._current() is again  # noqa: SLF001
