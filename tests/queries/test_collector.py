"""The cycle collector is held off while a packed answer's rows are built, and always back on
after, whatever the question did (pia_kg/collector.py)."""

from __future__ import annotations

import gc
import threading

import pytest

from pia_kg import named_queries
from pia_kg.collector import collector_paused
from pia_kg.errors import QueryError, ResultLimitError
from pia_kg.named_queries import run_query


def test_a_packed_question_builds_its_rows_without_the_collector(loaded_store, monkeypatch) -> None:  # noqa: ANN001
    seen: list[bool] = []
    unpacked = named_queries.unpacked

    def watching(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(gc.isenabled())
        return unpacked(*args, **kwargs)

    monkeypatch.setattr(named_queries, "unpacked", watching)
    rows = run_query(loaded_store, "renumbering_impact", {"amendment": "2024-05-27"}).rows
    assert rows and seen == [False]
    assert gc.isenabled()


def test_the_collector_is_back_on_after_a_question_that_failed(loaded_store, monkeypatch) -> None:  # noqa: ANN001
    with pytest.raises(ResultLimitError):
        run_query(loaded_store, "renumbering_impact", {"amendment": "2024-05-27"}, limit=1)
    assert gc.isenabled()

    def failing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise QueryError("a packed answer row has 3 cells where its query declares 8 members")

    monkeypatch.setattr(named_queries, "unpacked", failing)
    with pytest.raises(QueryError):
        run_query(loaded_store, "departments_under_item", {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"})
    assert gc.isenabled()


def test_the_collector_stays_off_until_the_last_thread_is_done() -> None:
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    other = threading.Thread(target=hold)
    other.start()
    assert inside.wait(10)
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's block is still running
    release.set()
    other.join(10)
    assert gc.isenabled()


def test_a_program_that_runs_without_the_collector_keeps_it_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
