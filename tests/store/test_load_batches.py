"""Loading in batches: each document with its derivations, work per document, and real
``kill -9`` of a running ``pia-kg load`` leaving the store whole."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import LAW_DIR
from rdflib import URIRef
from rdflib.compare import to_isomorphic

from pia_kg import pipeline
from pia_kg.backends.journal import read_journal
from pia_kg.backends.oxigraph_store import spool_folders
from pia_kg.corpus import write_corpus
from pia_kg.derive.documents import derived_graphs_of
from pia_kg.derive.first_records import FirstRecords, claim_key, first_of_each_claim, stored_claims
from pia_kg.derive.law_state import derive_correspondence_graphs
from pia_kg.errors import LoaderError, StoreError
from pia_kg.file_digests import digests_path
from pia_kg.pipeline import (
    load_documents,
    load_law_dir,
    rederive,
    remove_documents,
)
from pia_kg.search import index_for
from pia_kg.store import Store, open_store
from pia_kg.vocab import CORRESPONDENCE_GRAPH, FIRST_RECORDS_GRAPH, ID

PIA_KG = str(Path(sys.executable).with_name("pia-kg"))
DOCS = str(ID["graph/doc/"])

# Every document graph without its resolution or history graph (must be none).
_ORPHANS = f"""
SELECT ?doc WHERE {{
  GRAPH ?doc {{ ?a a <https://w3id.org/pia-kg/ontology#Assessment> }}
  FILTER(STRSTARTS(STR(?doc), "{DOCS}"))
  BIND(IRI(REPLACE(STR(?doc), "/graph/doc/", "/graph/derived/resolution/")) AS ?res)
  BIND(IRI(REPLACE(STR(?doc), "/graph/doc/", "/graph/derived/history/")) AS ?hist)
  FILTER(NOT EXISTS {{ GRAPH ?res {{ ?s ?p ?o }} }} || NOT EXISTS {{ GRAPH ?hist {{ ?s ?p ?o }} }})
}}
"""


def documents(store: Store) -> set[str]:
    return {str(g).rsplit("/", 1)[-1] for g in store.named_graphs() if str(g).startswith(DOCS)}


def assert_whole(store: Store) -> None:
    """Every document has its derivations, the first records kept are those of every history
    read whole, and the correspondence graphs were derived from exactly the renumberings the
    documents present record (nothing to derive again)."""
    assert store.query(_ORPHANS).rows == []
    stored = stored_claims(store)
    doc_of = {(claim_key(r), r.source, r.date): doc for doc, rs in stored.items() for r in rs}
    every = first_of_each_claim(r for rs in stored.values() for r in rs)
    expected = sorted((repr(r), doc_of[claim_key(r), r.source, r.date]) for r in every)
    kept = FirstRecords.read(store).first.values()
    assert sorted((repr(r), doc) for r, doc in kept) == expected
    assert store.graphs_held([FIRST_RECORDS_GRAPH]) == ({FIRST_RECORDS_GRAPH} if every else set())
    assert derive_correspondence_graphs(store) == ({}, [])


@pytest.fixture(scope="module")
def law_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder holding the law only (copied by each test that writes)."""
    path = tmp_path_factory.mktemp("law") / "store"
    store = open_store("oxigraph", path=path)
    load_law_dir(store, LAW_DIR)
    store.close()
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_corpus(tmp_path_factory.mktemp("corpus"), 12, seed=5)


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_batches_in_workers_give_every_document_its_derivations(law_store, corpus, tmp_path, monkeypatch, start) -> None:  # noqa: ANN001
    """Workers forked from the writer (what it read and prepared, shared) or started anew
    (each reading its own) derive what one process does alone."""
    shutil.copytree(law_store, tmp_path / "s")
    if start == "fork":  # in a process of its own, as `pia-kg load` runs: no other thread
        script = (
            "import gc, sys; from pia_kg import pipeline; from pia_kg.store import open_store\n"
            "store = open_store('oxigraph', path=sys.argv[1])\n"
            "assert pipeline._start_method() == 'fork'\n"
            "report = pipeline.load_documents(store, sys.argv[2:], batch_size=4, workers=2)\n"
            "assert gc.get_freeze_count() == 0  # what was set aside for the fork is back\n"
            "print(len(report.documents))\n"
        )
        run = [sys.executable, "-c", script, str(tmp_path / "s"), *map(str, corpus[:9])]
        assert subprocess.run(run, capture_output=True, text=True, check=True).stdout == "9\n"
        store = open_store("oxigraph", path=tmp_path / "s")
    else:
        monkeypatch.setattr(pipeline, "_start_method", lambda: "spawn")
        store = open_store("oxigraph", path=tmp_path / "s")
        assert len(load_documents(store, corpus[:9], batch_size=4, workers=2).documents) == 9
    assert documents(store) == {p.stem for p in corpus[:9]}
    assert_whole(store)
    # the same documents one at a time, in this process: the same graphs
    shutil.copytree(law_store, tmp_path / "t")
    alone = open_store("oxigraph", path=tmp_path / "t")
    for path in corpus[:9]:
        load_documents(alone, [path], workers=1)
    for g in sorted(store.named_graphs()):
        assert alone.triple_count(g) == store.triple_count(g), g
    store.close()
    alone.close()


def test_workers_are_forked_only_from_a_process_without_other_threads(tmp_path: Path) -> None:
    # a writer as `pia-kg load` runs it: a process of its own, the engine's threads running
    alone = (
        "import sys; from pia_kg import pipeline; from pia_kg.store import open_store; "
        "s = open_store('oxigraph', path=sys.argv[1]); print(pipeline._start_method())"
    )
    assert subprocess.run([sys.executable, "-c", alone, str(tmp_path / "s")], capture_output=True, text=True, check=True).stdout == "fork\n"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert pipeline._start_method() == "spawn"
    finally:
        stop.set()
        other.join()


def test_adding_and_removing_a_document_writes_only_its_graphs(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    load_documents(store, corpus[:5], workers=1)
    written: list[set[str]] = []
    replace = store.replace_graphs

    def spy(graphs, drops=()):  # noqa: ANN001, ANN202
        written.append({str(g) for g in list(graphs) + list(drops)})
        return replace(graphs, drops)

    store.replace_graphs = spy  # type: ignore[method-assign]
    new = corpus[5]
    load_documents(store, [new], workers=1)
    remove_documents(store, [corpus[0].stem])
    own = {str(g) for p in (new, corpus[0]) for g in (ID[f"graph/doc/{p.stem}"], *derived_graphs_of(ID[f"graph/doc/{p.stem}"]))}
    touched = set().union(*written)
    assert all(g.startswith(f"{CORRESPONDENCE_GRAPH}/") or g == str(FIRST_RECORDS_GRAPH) for g in touched - own)
    assert own <= touched
    assert documents(store) == {p.stem for p in corpus[1:6]}
    assert_whole(store)
    store.close()


def test_a_batch_rewrites_only_the_lines_that_changed(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    """A batch whose documents record new renumberings changes a few lines of each
    correspondence graph: the update deletes and inserts those lines, not the graphs whole,
    and the store holds what deriving them again gives."""
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    load_documents(store, corpus[:4], workers=1)
    engine = store._store  # type: ignore[attr-defined]
    updates: list[str] = []

    class Spy:
        def __getattr__(self, name: str):  # noqa: ANN204
            return getattr(engine, name)

        def update(self, text: str) -> None:
            updates.append(text)
            engine.update(text)

    store._store = Spy()  # type: ignore[attr-defined]
    load_documents(store, corpus[4:8], workers=1)
    store._store = engine  # type: ignore[attr-defined]
    rewritten = [u for u in updates if f"<{CORRESPONDENCE_GRAPH}/" in u]
    assert rewritten, "the batch changed no correspondence graph: the test proves nothing"
    assert not any(f"DROP SILENT GRAPH <{CORRESPONDENCE_GRAPH}/" in u for u in rewritten)
    assert max(u.count("\n") for u in rewritten) < 200  # lines, not graphs of 1,000-1,600
    assert_whole(store)
    store.close()


def test_the_first_records_follow_loads_replacements_and_removals(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    """Each load and removal keeps the first record of each claim without reading every
    document's history: a document replaced by another text or removed gives its first
    records up to the next source of the same claim, read back from the store."""
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    folder = tmp_path / "docs"
    folder.mkdir()
    names = [p.name for p in corpus[:5]]
    rng = random.Random(20261201)
    held: set[str] = set()
    for step in range(12):
        if held and rng.random() < 0.3:
            gone = rng.sample(sorted(held), rng.randint(1, len(held)))
            remove_documents(store, gone)
            held -= set(gone)
        else:  # new documents, or held ones replaced by another text
            files = []
            for i, name in enumerate(rng.sample(names, rng.randint(1, 3))):
                text = rng.choice(corpus).read_text(encoding="utf-8") + "\n" * (step * 3 + i + 1)
                (folder / name).write_text(text, encoding="utf-8")
                files.append(folder / name)
            load_documents(store, files, workers=1, batch_size=2)
            held |= {p.stem for p in files}
        assert documents(store) == held
        assert_whole(store)
    store.close()


def _load(store: Path, corpus_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PIA_KG, "--store", str(store), "load", str(corpus_dir), "--batch-size", "3", "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes the workers too
    )


def _whole_load(base: Path, corpus_dir: Path, tmp_path: Path) -> tuple[Path, float]:
    """One whole load of ``corpus_dir`` into a copy of ``base``: the store it makes, and how
    long it took here (the span the kills are drawn from)."""
    full = tmp_path / "full"
    shutil.copytree(base, full)
    started = time.monotonic()
    assert _load(full, corpus_dir).wait(timeout=600) == 0
    return full, time.monotonic() - started


def _killed_loads(base: Path, corpus_dir: Path, tmp_path: Path, duration: float, *, seed: int) -> Iterator[Store]:
    """The stores four loads of ``corpus_dir`` into copies of ``base`` leave when killed
    (``kill -9``, workers too) at random moments of ``duration``, each opened for writing
    (a killed batch rolled back) and closed after use."""
    rng = random.Random(seed)
    for trial in range(4):
        target = tmp_path / f"kill{trial}"
        shutil.copytree(base, target)
        proc = _load(target, corpus_dir)
        time.sleep(rng.uniform(0.3, duration))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        store = open_store("oxigraph", path=target)
        try:
            yield store
        finally:
            store.close()


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_whole_batches(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    for p in corpus[:3]:
        shutil.copy(p, old_dir)
    for p in corpus[3:]:
        shutil.copy(p, new_dir)
    base = tmp_path / "base"
    shutil.copytree(law_store, base)
    subprocess.run([PIA_KG, "--store", str(base), "load", str(old_dir)], check=True, capture_output=True)
    old = {p.stem for p in corpus[:3]}
    _, duration = _whole_load(base, new_dir, tmp_path)
    new_docs = sorted(p.stem for p in corpus[3:])
    states = set()
    for store in _killed_loads(base, new_dir, tmp_path, duration, seed=20261130):
        held = documents(store)
        added = held - old
        assert old <= held
        # whole batches only (here whole groups: the store gathers the batches of a load and
        # commits them together), in the order the files were given
        assert len(added) % 3 == 0 or added == set(new_docs), sorted(added)
        assert added == set(new_docs[: len(added)])
        assert_whole(store)
        states.add(len(added))
    print("kill -9 trials: documents added per trial", sorted(states), "of", len(new_docs), f"(a load takes {duration:.1f} s)")
    assert states, "no trial ran"


def test_a_batch_ends_at_its_text_budget_whatever_its_count(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    """Long documents make smaller batches (a writer's memory follows a batch's text), each
    still whole with its derivations."""
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    writes: list[int] = []
    replace = store.replace_graphs

    def counted(graphs, drops=()):  # noqa: ANN001, ANN202
        writes.append(sum(1 for g in graphs if str(g).startswith(DOCS)))
        return replace(graphs, drops)

    store.replace_graphs = counted  # type: ignore[method-assign]
    load_documents(store, corpus[:6], batch_size=4, workers=1)
    assert writes == [4, 2]
    writes.clear()
    load_documents(store, corpus[6:11], batch_size=4, workers=1, batch_text=1)  # every document over it
    assert writes == [1, 1, 1, 1, 1]
    assert documents(store) == {p.stem for p in corpus[:11]}
    assert_whole(store)
    store.close()


def test_rounds_in_processes_of_their_own_load_what_one_process_does(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    """More documents than a round are written by a process per round (the writer's memory
    stays that of one round): the same graphs and report as one process, a duplicate found
    across rounds, progress for every document, and the store handed back afterwards."""
    files = [*corpus[:7], tmp_path / "copy_of_first.txt"]
    shutil.copy(corpus[0], files[-1])  # the same content under another name, in the last round
    shutil.copytree(law_store, tmp_path / "one")
    one = open_store("oxigraph", path=tmp_path / "one")
    whole = load_documents(one, files, workers=1)
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    held_elsewhere: list[bool] = []

    def progress(name: str) -> None:  # while a round runs, its own process holds the store
        try:
            open_store("oxigraph", path=tmp_path / "s").close()
            held_elsewhere.append(False)
        except StoreError:
            held_elsewhere.append(True)

    report = load_documents(store, files, workers=1, round_size=3, progress=progress)
    assert held_elsewhere == [True] * len(files)
    assert [(d["document"], d["kind"]) for d in report.documents] == [(d["document"], d["kind"]) for d in whole.documents]
    assert report.documents[-1]["quality"]["duplicate_of"] == corpus[0].name
    assert report.triples_written == whole.triples_written
    assert sorted(store.named_graphs()) == sorted(one.named_graphs())
    for g in store.named_graphs():
        assert store.triple_count(g) == one.triple_count(g), g
    assert_whole(store)  # the handle this process holds reads the store again
    store.close()
    one.close()


def _not_an_assessment_and_a_store(law_store: Path, tmp_path: Path) -> tuple[Path, Store]:
    """A file that no form reads, and a store of the law (at ``tmp_path / "s"``)."""
    bad = tmp_path / "not_an_assessment.txt"
    bad.write_text("議事録\n本日の会議は以上です。\n", encoding="utf-8")
    shutil.copytree(law_store, tmp_path / "s")
    return bad, open_store("oxigraph", path=tmp_path / "s")


def test_a_failing_document_in_a_later_round_stops_after_the_rounds_before(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    bad, store = _not_an_assessment_and_a_store(law_store, tmp_path)
    with pytest.raises(LoaderError, match="not_an_assessment.txt"):
        load_documents(store, [*corpus[:3], bad, corpus[3]], workers=1, round_size=3)
    assert documents(store) == {p.stem for p in corpus[:3]}  # the first round, whole
    assert_whole(store)
    report = load_documents(store, [*corpus[:3], bad, corpus[3]], workers=1, round_size=3, keep_going=True)
    assert len(report.failed) == 1 and "not_an_assessment.txt" in report.failed[0]
    assert documents(store) == {p.stem for p in corpus[:4]}
    assert_whole(store)
    store.close()


def test_rederive_in_rounds_derives_what_one_process_does(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    """Deriving a national store again goes in rounds too: the first round starts the first
    records afresh, the next ones go on from what it wrote; the same graphs as one process."""
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    load_documents(store, corpus[:7], workers=1)
    store.close()
    shutil.copytree(tmp_path / "s", tmp_path / "one")
    store, one = open_store("oxigraph", path=tmp_path / "s"), open_store("oxigraph", path=tmp_path / "one")
    assert rederive(one, workers=1) == 7
    names: list[str] = []
    assert rederive(store, workers=1, round_size=3, progress=names.append) == 7
    assert len(names) == 7
    assert sorted(store.named_graphs()) == sorted(one.named_graphs())
    for g in store.named_graphs():
        assert set(store.get_graph(g)) == set(one.get_graph(g)), g
    assert len(store.get_graph(FIRST_RECORDS_GRAPH)) > 0  # the rounds carried renumberings on
    assert_whole(store)
    store.close()
    one.close()


def _rounds_of(pid: int) -> list[int]:
    """The round processes ``pid`` started (spawned Python processes, not multiprocessing's
    resource tracker) that are alive."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == pid and stat[0] != "Z" and b"spawn_main" in cmdline:
                out.append(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_kill_9_of_a_load_in_rounds_takes_its_round_and_leaves_whole_batches(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    """kill -9 of the command alone (not its group) while a round's process writes: that
    process dies with it (Linux is asked to kill it; failing that, its next message finds no
    one to read it), and the store holds whole batches."""
    new_dir = tmp_path / "new"
    new_dir.mkdir()
    for p in corpus[:9]:
        shutil.copy(p, new_dir)
    cmd = ["load", str(new_dir), "--batch-size", "2", "--workers", "1"]
    env = {**os.environ, "PIA_KG_ROUND": "3"}
    full = tmp_path / "full"
    shutil.copytree(law_store, full)
    started = time.monotonic()
    subprocess.run([PIA_KG, "--store", str(full), *cmd], env=env, check=True, capture_output=True)
    duration = time.monotonic() - started
    rng = random.Random(20261201)
    rounds_killed = 0
    for trial in range(3):
        target = tmp_path / f"kill{trial}"
        shutil.copytree(law_store, target)
        proc = subprocess.Popen([PIA_KG, "--store", str(target), *cmd], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4 * duration, 0.9 * duration))
        rounds = _rounds_of(proc.pid)
        proc.kill()
        proc.wait(timeout=60)
        time.sleep(0.5)
        assert not [pid for pid in rounds if _alive(pid)], "a round outlived the killed load"
        rounds_killed += bool(rounds)
        store = open_store("oxigraph", path=target)
        assert documents(store) <= {p.stem for p in corpus[:9]}
        assert_whole(store)
        store.close()
    assert rounds_killed, "no trial killed the load while a round ran"


def test_a_load_in_rounds_compacts_the_store_between_rounds_once_it_has_doubled(
    law_store, corpus, tmp_path, monkeypatch  # noqa: ANN001
) -> None:
    """A load of many documents compacts the store after a round that left it doubled since
    it was last compacted (thresholds lowered here so that every round does), in a process
    of its own: the rounds after it write into a compacted store, and the store holds what
    a load that does not compact writes. The report counts the compactions and gives the
    sizes before and after the last, which is kept as the store's."""
    from pia_kg.backends import oxigraph_store

    shutil.copytree(law_store, tmp_path / "one")
    one = open_store("oxigraph", path=tmp_path / "one")
    load_documents(one, corpus[:4], workers=1)
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    monkeypatch.setattr(oxigraph_store, "COMPACT_FROM", 1)
    monkeypatch.setattr(oxigraph_store, "COMPACT_GROWTH", 1)
    stages: list[str] = []
    report = load_documents(store, corpus[:4], workers=1, round_size=2, stage=stages.append)
    assert stages == ["compacting the store's files"] * 2  # after each of the two rounds
    assert report.compactions == 2
    assert report.compacted is not None and store.compacted_size() == report.compacted[1]  # the last
    assert sorted(store.named_graphs()) == sorted(one.named_graphs())
    for g in store.named_graphs():
        assert _graph(store, g) == _graph(one, g), g
    assert_whole(store)
    one.close()
    store.close()


def test_a_store_in_memory_loads_past_a_round_in_this_process(corpus) -> None:  # noqa: ANN001
    """A store with no folder cannot be handed to another process: more documents than a
    round are written from here, as before rounds."""
    store = open_store("oxigraph")
    load_law_dir(store, LAW_DIR)
    report = load_documents(store, corpus[:3], workers=1, round_size=2)
    assert len(report.documents) == 3
    assert documents(store) == {p.stem for p in corpus[:3]}
    assert_whole(store)


# --- write groups: batches gathered and committed together ---------------------------------


def _commits(store: Store) -> list[list[str]]:
    """The new document graphs of each commit of ``store`` from now on (a spy on its bulk writes)."""
    commits: list[list[str]] = []
    bulk = store._bulk_write  # type: ignore[attr-defined]

    def spy(added, chunks, replaced, dropped):  # noqa: ANN001, ANN202
        commits.append([g.rsplit("/", 1)[-1] for g in added if g.startswith(DOCS)])
        return bulk(added, chunks, replaced, dropped)

    store._bulk_write = spy  # type: ignore[attr-defined]
    return commits


def test_a_write_group_commits_its_batches_together_and_gives_what_batches_give(
    law_store, corpus, tmp_path, monkeypatch  # noqa: ANN001
) -> None:
    """Batches are gathered (spooled beside the store) and committed a group at a time, each
    group whole; the store then holds what batch-by-batch writes give, and the index finds
    every document, none left pending."""
    import pia_kg.backends.oxigraph_store as oxs

    monkeypatch.setattr(oxs, "GROUP_BYTES", 1)  # every batch a group of its own
    shutil.copytree(law_store, tmp_path / "one")
    alone = open_store("oxigraph", path=tmp_path / "one")
    per_batch = _commits(alone)
    load_documents(alone, corpus[:7], batch_size=2, workers=1)
    assert [len(c) for c in per_batch if c] == [2, 2, 2, 1]

    monkeypatch.setattr(oxs, "GROUP_BYTES", 512 << 20)
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    commits = _commits(store)
    load_documents(store, corpus[:7], batch_size=2, workers=1)
    # fewer commits than batches (a group also commits where a batch rewrites a graph new in
    # it: a correspondence graph the batch before made), each document in one of them
    assert sorted(d for c in commits for d in c) == sorted(p.stem for p in corpus[:7])
    assert len([c for c in commits if c]) < 4
    assert documents(store) == {p.stem for p in corpus[:7]}
    assert_whole(store)
    for g in sorted(alone.named_graphs()):
        assert store.triple_count(g) == alone.triple_count(g), g
    assert sorted(store.named_graphs()) == sorted(alone.named_graphs())
    index = index_for(store)
    assert not index._db.execute("SELECT doc_id FROM pending").fetchall()
    assert index.doc_ids() == {p.stem for p in corpus[:7]}
    assert spool_folders(tmp_path / "s") == []
    store.close()
    alone.close()


def test_a_failing_document_commits_the_batches_gathered_before_it(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    bad, store = _not_an_assessment_and_a_store(law_store, tmp_path)
    with pytest.raises(LoaderError, match="not_an_assessment.txt"):
        load_documents(store, [*corpus[:5], bad, corpus[5]], batch_size=2, workers=1)
    assert documents(store) == {p.stem for p in corpus[:4]}  # whole batches before the failing one
    assert_whole(store)
    index = index_for(store)
    assert index.doc_ids() == {p.stem for p in corpus[:4]}  # the failing batch's entries went
    assert not index._db.execute("SELECT doc_id FROM pending").fetchall()
    assert spool_folders(tmp_path / "s") == []
    store.close()


def test_an_interrupted_write_group_leaves_nothing_of_itself(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    """Ctrl-C in a group: what it gathered is not written, its spool is gone; a spool a killed
    writer left is removed by the next writer."""
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    before = sorted(store.named_graphs())
    g = ID["graph/doc/interrupted"]
    with pytest.raises(KeyboardInterrupt), store.write_group() as group:
        store.replace_graphs({g: "<urn:s> <urn:p> <urn:o> .\n"})
        assert group.gathered and group.holds([g])
        assert not store.graphs_held([g])  # gathered, not committed: reads see the store
        raise KeyboardInterrupt
    assert sorted(store.named_graphs()) == before
    assert spool_folders(tmp_path / "s") == []
    # a graph written twice in one group: the first write is committed before the second
    with store.write_group():
        store.replace_graphs({g: "<urn:s> <urn:p> <urn:o> .\n"})
        store.replace_graphs({g: "<urn:s> <urn:p> <urn:o2> .\n"})
    assert [str(t[2]) for t in store.get_graph(g)] == ["urn:o2"]
    store.close()
    left = tmp_path / ".s.batch-left"
    left.mkdir()
    assert spool_folders(tmp_path / "s") == [left]
    (left / "000000.trig").write_text("<urn:g> { <urn:s> <urn:p> <urn:o> . }\n", encoding="utf-8")
    open_store("oxigraph", path=tmp_path / "s").close()
    assert not left.exists()


def _rotated(corpus: list[Path], folder: Path) -> Path:
    """The same file names, each with the next one's text: every document loaded again
    changed whole."""
    folder.mkdir()
    for path, other in zip(corpus, [*corpus[1:], corpus[0]], strict=True):
        shutil.copy(other, folder / path.name)
    return folder


def _graph(store: Store, g: URIRef) -> object:
    return to_isomorphic(store.get_graph(g))


def test_documents_loaded_again_changed_give_what_a_fresh_load_gives(law_store, corpus, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Each document replaced by another text (the whole graph changes: dropped and
    bulk-loaded again under the journal, no SPARQL update of its lines), and loaded again
    unchanged (no line changes): the store holds what loading that text once gives."""
    from pia_kg.backends.common import SparqlUpdateStore

    def no_swap(*_a: object, **_k: object) -> None:
        raise AssertionError("a batch of documents loaded again went through one SPARQL update")

    monkeypatch.setattr(SparqlUpdateStore, "replace_graphs", no_swap)
    changed = _rotated(corpus[:4], tmp_path / "changed")
    shutil.copytree(law_store, tmp_path / "s")
    store = open_store("oxigraph", path=tmp_path / "s")
    load_documents(store, corpus[:4], workers=1, batch_size=2)
    load_documents(store, [changed], workers=1, batch_size=2)
    load_documents(store, [changed], workers=1, batch_size=2, again=True)  # read, though held as it is
    shutil.copytree(law_store, tmp_path / "t")
    fresh = open_store("oxigraph", path=tmp_path / "t")
    load_documents(fresh, [changed], workers=1, batch_size=2)
    assert store.named_graphs() == fresh.named_graphs()
    for g in store.named_graphs():
        assert _graph(store, g) == _graph(fresh, g), g
    assert_whole(store)
    assert read_journal(tmp_path / "s") is None
    store.close()
    fresh.close()


def test_first_records_follow_documents_loaded_again_in_one_group(law_store, corpus, tmp_path) -> None:  # noqa: ANN001
    """A batch that only replaces documents (all of them held) is gathered, not committed, like
    one that adds: the next batch, whose document holds a first record, must find it in the
    store. It did not (the group counted only new graphs as gathered), and the first record
    of a claim stayed with a document that no longer made it."""
    docs = corpus[:6]
    folder, store = _folder_and_store(docs, law_store, tmp_path)
    load_documents(store, [folder], workers=1, batch_size=3)
    holders: dict[object, set[URIRef]] = {}
    for doc, records in stored_claims(store).items():
        for r in records:
            holders.setdefault(claim_key(r), set()).add(doc)
    assert any(len(h) > 1 for h in holders.values())  # a claim two documents make
    load_documents(store, [_rotated(docs, tmp_path / "rotated")], workers=1, batch_size=3)
    assert_whole(store)
    store.close()


@pytest.mark.slow
def test_kill_9_while_documents_are_loaded_again_leaves_each_old_or_new_with_its_derivations(
    law_store, corpus, tmp_path  # noqa: ANN001
) -> None:
    docs = corpus[:6]
    old_dir, new_dir = tmp_path / "old", _rotated(docs, tmp_path / "new")
    old_dir.mkdir()
    for p in docs:
        shutil.copy(p, old_dir)
    base = tmp_path / "base"
    shutil.copytree(law_store, base)
    subprocess.run([PIA_KG, "--store", str(base), "load", str(old_dir)], check=True, capture_output=True)
    full, duration = _whole_load(base, new_dir, tmp_path)
    before, after = open_store("oxigraph", path=base, read_only=True), open_store("oxigraph", path=full, read_only=True)
    for store in _killed_loads(base, new_dir, tmp_path, duration, seed=20261206):
        new = []
        for p in docs:
            doc = ID[f"graph/doc/{p.stem}"]
            state = [_graph(store, g) for g in (doc, *derived_graphs_of(doc))]
            if state == [_graph(after, g) for g in (doc, *derived_graphs_of(doc))]:
                new.append(p.stem)
            else:
                assert state == [_graph(before, g) for g in (doc, *derived_graphs_of(doc))], p.stem
        assert new == [p.stem for p in docs[: len(new)]] and (len(new) % 3 == 0 or len(new) == len(docs)), new
        assert_whole(store)
    before.close()
    after.close()


def _folder_and_store(files: list[Path], law_store: Path, tmp_path: Path) -> tuple[Path, Store]:
    """A folder ``docs`` holding copies of ``files``, and a copy of the law store, opened."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for p in files:
        shutil.copy(p, folder)
    shutil.copytree(law_store, tmp_path / "s")
    return folder, open_store("oxigraph", path=tmp_path / "s")


def test_a_file_the_store_holds_as_it_is_is_not_read_again(law_store, corpus, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Loading a folder again reads only what changed: a file whose bytes the store holds,
    derived by this pia-kg against this law, is reported unchanged; a changed file, a new
    pia-kg (its files' digest), or ``again`` read it again."""
    from pia_kg.derive import documents as derive_documents

    folder, store = _folder_and_store(corpus[:4], law_store, tmp_path)
    assert "unchanged" not in {d["kind"] for d in load_documents(store, [folder], workers=1).documents}
    before = {g: _graph(store, g) for g in store.named_graphs()}

    def kinds(report) -> dict[str, str]:  # noqa: ANN001
        return {str(d["document"]): str(d["kind"]) for d in report.documents}

    same = load_documents(store, [folder], workers=1)
    assert set(kinds(same).values()) == {"unchanged"} and same.triples_written == 0
    assert {g: _graph(store, g) for g in store.named_graphs()} == before

    changed = sorted(folder.iterdir())[1]
    shutil.copy(corpus[5], changed)  # another text under the same name
    shutil.copy(corpus[6], folder)  # and a new file
    report = load_documents(store, [folder], workers=1)
    read = {name for name, kind in kinds(report).items() if kind != "unchanged"}
    assert read == {changed.name, corpus[6].name}
    assert_whole(store)

    assert "unchanged" not in kinds(load_documents(store, [folder], workers=1, again=True)).values()
    monkeypatch.setattr(derive_documents, "_code_digest", lambda: "another pia-kg")
    assert "unchanged" not in kinds(load_documents(store, [folder], workers=1)).values()
    assert set(kinds(load_documents(store, [folder], workers=1)).values()) == {"unchanged"}
    store.close()


def test_loading_a_folder_again_reads_no_file_the_store_holds_as_it_is(law_store, corpus, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Once a held file's digest is kept (pia_kg/file_digests.py), loading its folder again
    after a file was added to it reads the new file alone."""
    from pia_kg import file_digests

    monkeypatch.setattr(file_digests, "SETTLED_NS", 20_000_000)  # not 2 s: no test waits so long
    reads: list[Path] = []
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda p: reads.append(p) or read_bytes(p))
    folder, store = _folder_and_store(corpus[:3], law_store, tmp_path)
    time.sleep(0.05)
    load_documents(store, [folder], workers=1)
    load_documents(store, [folder], workers=1)  # reads each file once more, and keeps its digest
    assert digests_path(tmp_path / "s") == tmp_path / "s-files.sqlite"
    assert (tmp_path / "s-files.sqlite").exists()
    reads.clear()
    shutil.copy(corpus[3], folder)
    report = load_documents(store, [folder], workers=1)
    kinds = {str(d["document"]): d["kind"] for d in report.documents}
    assert [k for k in kinds.values() if k == "unchanged"] == ["unchanged"] * 3
    assert {p.name for p in reads if p.parent == folder} <= {corpus[3].name}
    store.close()
