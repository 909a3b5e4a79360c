"""The law as the derivations read it, kept beside an on-disk store for the next command
(pia_kg/derive/law_cache.py): taken while the law is the same, never when it changed or when
the file is not one to trust."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import LAW_DIR, SEED_000, SEED_001
from rdflib import URIRef

from pia_kg import pipeline
from pia_kg.derive import law_cache
from pia_kg.derive.documents import derived_graphs_of, read_law
from pia_kg.derive.law_cache import law_cache_path, law_signature
from pia_kg.derive.law_state import law_graphs
from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.store import Store, open_store


@pytest.fixture(scope="module")
def law_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder holding the law only (copied, without the files beside it, by each test)."""
    path = tmp_path_factory.mktemp("law") / "store"
    store = open_store("oxigraph", path=path)
    pipeline.load_law_dir(store, LAW_DIR)
    store.close()
    return path


@pytest.fixture
def store(law_store: Path, tmp_path: Path) -> Store:
    shutil.copytree(law_store, tmp_path / "s")
    opened = open_store("oxigraph", path=tmp_path / "s")
    yield opened
    opened.close()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the writer read the law from the store's graphs."""
    count: list[int] = []

    def counted(nquads: bytes) -> bytes:
        count.append(len(nquads))
        return read_law(nquads)

    monkeypatch.setattr(pipeline, "read_law", counted)
    return count


def _meant_items(store: Store, doc: Path) -> list[str]:
    """The lines of the document's resolution graph that say which item a citation meant."""
    graph = load_assessment(doc).graph_iri
    resolution, _ = derived_graphs_of(graph)
    return sorted(line for line in store.graphs_nquads([resolution]).decode().splitlines() if "meantItem" in line)


def test_the_next_command_takes_the_law_read_before(store: Store, reads: list[int]) -> None:
    """The first load reads the law and keeps what it read (this user's alone); the next one
    takes it, and derives what reading the law again derives."""
    path = law_cache_path(store.path)
    pipeline.load_documents(store, [SEED_000])
    assert len(reads) == 1 and reads[0] > 1_000_000  # the law's N-Quads, read once
    assert path.exists() and path.stat().st_mode & 0o777 == 0o600
    pipeline.load_documents(store, [SEED_001])
    assert len(reads) == 1  # taken from the file
    taken = _meant_items(store, SEED_001)
    assert taken  # resolved against the law

    path.unlink()
    pipeline.load_documents(store, [SEED_001], again=True)
    assert len(reads) == 2
    assert _meant_items(store, SEED_001) == taken


@pytest.mark.parametrize("spoil", ["others may write", "truncated", "another law", "another pia-kg"])
def test_a_law_read_that_is_not_this_one_or_not_to_trust_is_not_taken(
    store: Store, reads: list[int], monkeypatch: pytest.MonkeyPatch, spoil: str
) -> None:
    """A kept law read made with no law at all, in a file anyone may write, cut short, for
    other law graphs or by another pia-kg: each is read again from the store's law (the
    document's citations do mean items), and the file written anew."""
    path = law_cache_path(store.path)
    graphs = law_graphs(store)
    signature = law_signature(store, graphs)
    law_cache._write(path, signature, read_law(b""))  # the law as read from no law
    if spoil == "others may write":
        os.chmod(path, 0o666)
    elif spoil == "truncated":
        path.write_bytes(path.read_bytes()[:-10])
    elif spoil == "another law":
        law_cache._write(path, law_signature(store, graphs[1:]), read_law(b""))
    else:
        with monkeypatch.context() as m:
            m.setattr("pia_kg.derive.documents._code_digest", lambda: "another pia-kg")
            law_cache._write(path, law_signature(store, graphs), read_law(b""))
    pipeline.load_documents(store, [SEED_001])
    assert len(reads) == 1
    assert _meant_items(store, SEED_001)
    assert path.stat().st_mode & 0o777 == 0o600
    assert pickle.loads(law_cache._read(path, signature))[1]  # the law's table versions


def test_a_law_load_forgets_the_law_read_kept(store: Store, reads: list[int]) -> None:
    """`pia-kg law load` deletes the law read kept before it writes the law: a file kept
    for the same graphs of the same sizes (an edit that keeps them is the signature's blind
    spot) is not taken after it."""
    path = law_cache_path(store.path)
    law_cache._write(path, law_signature(store, law_graphs(store)), read_law(b""))
    pipeline.load_law_dir(store, LAW_DIR)  # derives again what the store holds: the law read
    pipeline.load_documents(store, [SEED_001])
    assert len(reads) == 1
    assert _meant_items(store, SEED_001)


def test_a_store_in_memory_keeps_no_law_read(reads: list[int]) -> None:
    store = open_store("memory")
    pipeline.load_law_dir(store, LAW_DIR)
    before = len(reads)
    pipeline.load_documents(store, [SEED_001])
    pipeline.load_documents(store, [SEED_000])
    assert len(reads) == before + 2
    assert law_cache_path(getattr(store, "path", None)) is None


def test_a_file_that_cannot_be_written_is_done_without(store: Store, reads: list[int]) -> None:
    """A folder where the file would go: the law is read each time, nothing fails."""
    path = law_cache_path(store.path)
    path.mkdir()
    pipeline.load_documents(store, [SEED_001])
    pipeline.load_documents(store, [SEED_000])
    assert len(reads) == 2
    assert path.is_dir()
    assert not list(path.parent.glob(f".{path.name}.*"))  # nothing left aside


def test_signature_names_each_law_graph_and_its_size(store: Store) -> None:
    graphs = law_graphs(store)
    assert len(graphs) > 1
    assert law_signature(store, graphs) == law_signature(store, list(reversed(graphs)))
    assert law_signature(store, graphs) != law_signature(store, graphs[:-1])
    assert law_signature(store, graphs) != law_signature(store, [*graphs[:-1], URIRef(str(graphs[-1]) + "x")])
