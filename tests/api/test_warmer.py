"""The warmer of `pia-kg serve`: the headline answers computed before anyone asks, once the
store is quiet, never for a state a load has already moved past."""

from __future__ import annotations

import threading
import time
from typing import Any

from pia_kg.api.query_cache import Warmer


class _App:
    """An ASGI app that notes each path asked, with the store state it was asked in."""

    def __init__(self, state: list[int], on_ask: Any = None):
        self.state = state
        self.asked: list[tuple[str, int, float]] = []
        self.on_ask = on_ask
        self.over_cap: set[str] = set()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.asked.append((scope["path"], self.state[0], time.monotonic()))
        if self.on_ask is not None:
            self.on_ask(scope["path"])
        status = 413 if scope["path"] in self.over_cap else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _wait_for(condition: Any, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_after_writes_it_waits_until_the_store_is_quiet() -> None:
    state = [0]
    app = _App(state)
    # quiet far longer than the time between writes, so that a busy machine's late wake-up
    # between two writes does not pass for a quiet store
    warmer = Warmer(app, ("/a", "/b"), state_token=lambda: str(state[0]), quiet=1.0)
    warmer.trigger()
    last_write = time.monotonic()
    for _ in range(6):  # a load committing a batch every 0.05 s
        time.sleep(0.05)
        state[0] += 1
        last_write = time.monotonic()
    _wait_for(lambda: len(app.asked) == 2)
    time.sleep(0.5)
    assert [(p, s) for p, s, _ in app.asked] == [("/a", 6), ("/b", 6)]  # once, for the last state
    assert all(t >= last_write + 1.0 for _, _, t in app.asked)


def test_at_start_it_asks_at_once() -> None:
    state = [0]
    app = _App(state)
    started = time.monotonic()
    Warmer(app, ("/a",), state_token=lambda: str(state[0]), quiet=5).trigger(settle=False)
    _wait_for(lambda: len(app.asked) == 1)
    assert app.asked[0][2] - started < 2


def test_a_write_during_a_run_stops_it_and_it_starts_again_once_quiet() -> None:
    state = [0]
    written = threading.Event()

    def write_once(path: str) -> None:  # a batch lands while the first path is computed
        if not written.is_set():
            written.set()
            state[0] += 1

    app = _App(state, write_once)
    Warmer(app, ("/a", "/b", "/c"), state_token=lambda: str(state[0]), quiet=0.2).trigger(settle=False)
    _wait_for(lambda: len(app.asked) == 4)
    time.sleep(0.5)
    assert [(p, s) for p, s, _ in app.asked] == [("/a", 0), ("/a", 1), ("/b", 1), ("/c", 1)]


def test_a_failing_state_token_does_not_stop_warming_for_good() -> None:
    """A remote store's token is asked of its endpoint, which may fail: that run is dropped,
    and the next trigger warms again."""
    state = [0]
    app = _App(state)
    failing = [True]

    def token() -> str:
        if failing[0]:
            raise OSError("endpoint down")
        return str(state[0])

    warmer = Warmer(app, ("/a",), state_token=token, quiet=0.05)
    warmer.trigger()
    time.sleep(0.3)
    assert app.asked == []
    failing[0] = False
    warmer.trigger()
    _wait_for(lambda: len(app.asked) == 1)


def test_a_path_over_the_row_cap_is_not_asked_again() -> None:
    """An answer the cap refused (the corpus grew past it) would be computed whole after every
    load to be refused again: the warmer leaves it to whoever asks."""
    state = [0]
    app = _App(state)
    app.over_cap.add("/big")
    warmer = Warmer(app, ("/big", "/small"), state_token=lambda: str(state[0]), quiet=0.05)
    warmer.trigger(settle=False)
    _wait_for(lambda: len(app.asked) == 2)
    state[0] += 1  # a write
    warmer.trigger()
    _wait_for(lambda: len(app.asked) == 3)
    time.sleep(0.3)
    assert [(p, s) for p, s, _ in app.asked] == [("/big", 0), ("/small", 0), ("/small", 1)]
