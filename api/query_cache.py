"""Answers of named queries, computed once per store state.

A named query's answer depends only on its parameters and on what the store holds; the
store's state token (see :meth:`pia_kg.store.Store.state_token`) changes on every write,
so an answer cached under one token is exactly what the query would return again. Requests
that miss at the same moment share one computation (a crowd arriving after a load does not
run the same query sixteen times), and a computation runs to its end even when the request
that started it stopped waiting (504), so the next request finds it. A store that cannot
tell its state (a remote endpoint) gets no caching.

:class:`ResponseCache` keeps whole HTTP answers of the headline routes and pages the same
way, so a repeated request costs a dictionary lookup and the bytes on the wire.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from pia_kg.errors import QueryTimeoutError
from pia_kg.store import QueryResult

__all__ = ["ResultCache", "ResponseCache", "Warmer", "WARM_PATHS"]


class ResultCache:
    """A bounded LRU of query results for the current store state (older states dropped).

    >>> cache = ResultCache(size=2)
    >>> calls = []
    >>> def compute():
    ...     calls.append(1)
    ...     return QueryResult("ask", boolean=True)
    >>> cache.get("state-1", ("q", ()), compute).boolean, cache.get("state-1", ("q", ()), compute).boolean
    (True, True)
    >>> len(calls), cache.get("state-2", ("q", ()), compute) is not None, len(calls)
    (1, True, 2)
    """

    def __init__(self, size: int = 1024, *, workers: int = 4):
        self.size = size
        self._token: str | None = None
        self._entries: OrderedDict[Hashable, QueryResult] = OrderedDict()
        self._running: dict[Hashable, concurrent.futures.Future[QueryResult]] = {}
        self._lock = threading.Lock()
        self._executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="pia-kg-named")

    def get(
        self,
        token: str | None,
        key: Hashable,
        compute: Callable[[], QueryResult],
        *,
        timeout: float | None = None,
    ) -> QueryResult:
        """The result for ``key`` in store state ``token``: cached, being computed (waited
        for), or computed now. QueryTimeoutError after ``timeout`` seconds of waiting."""
        if token is None:
            return compute()
        with self._lock:
            if token != self._token:
                self._entries.clear()
                self._running.clear()
                self._token = token
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
            future = self._running.get(key)
            if future is None:
                future = self._executor.submit(self._fill, token, key, compute)
                self._running[key] = future
        try:
            return future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise QueryTimeoutError(
                f"the query ran longer than the {timeout:g} s timeout; it goes on in the "
                "background and its answer will be ready for the next request"
            ) from None

    def _fill(self, token: str, key: Hashable, compute: Callable[[], QueryResult]) -> QueryResult:
        try:
            result = compute()
        except BaseException:
            with self._lock:
                if token == self._token:
                    self._running.pop(key, None)
            raise
        with self._lock:
            if token == self._token:
                self._entries[key] = result
                self._running.pop(key, None)
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return result


Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Paths whose GET answers depend only on the request and the store: the headline routes,
#: the named queries and the pages (not /sparql: a client's text may ask for NOW() or RAND()).
CACHED_PREFIXES = ("/assessments", "/items/", "/impact", "/queries", "/ui/", "/static/")
CACHED_EXACT = ("/",)


class ResponseCache:
    """ASGI middleware: a GET answer (200) to a headline route or page is kept for the
    store state it was computed in and sent again as it was, until the next write.

    Bounded by ``max_bytes`` in all (least recently used first out); answers over
    ``max_entry`` bytes are not kept.
    """

    def __init__(self, app: Any, state_token: Callable[[], str | None], *,
                 on_new_state: Callable[[], None] | None = None,
                 max_bytes: int = 64_000_000, max_entry: int = 4_000_000):
        self.app = app
        self.state_token = state_token
        self.on_new_state = on_new_state
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self._token: str | None = None
        self._entries: OrderedDict[tuple[str, bytes, bytes], list[Message]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def _cacheable(scope: Message) -> bool:
        path = scope.get("path", "")
        return scope["type"] == "http" and scope.get("method") == "GET" and (
            path in CACHED_EXACT or path.startswith(CACHED_PREFIXES)
        )

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        token = self.state_token()  # a stat of a few files: cheaper inline than in a thread
        headers = dict(scope.get("headers") or [])
        key = (scope["path"], scope.get("query_string", b""), headers.get(b"accept", b""))
        with self._lock:
            changed = token != self._token
            if changed:
                self._entries.clear()
                self._size = 0
                self._token = token
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
        if changed and self.on_new_state is not None:
            self.on_new_state()
        if hit is not None:
            for message in hit:
                await send(message)
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)
            await send(message)

        await self.app(scope, receive, keep)
        self._store(token, key, messages)

    def _store(self, token: str | None, key: tuple[str, bytes, bytes], messages: list[Message]) -> None:
        if token is None or not messages or messages[0].get("status") != 200:
            return
        size = sum(len(m.get("body", b"")) for m in messages)
        if size > self.max_entry:
            return
        with self._lock:
            if token != self._token or key in self._entries:
                return
            self._entries[key] = messages
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, old = self._entries.popitem(last=False)
                self._size -= sum(len(m.get("body", b"")) for m in old)


#: What the home page and the headline questions ask first: answered before anyone asks,
#: at start and again after every write.
#: The corpus-wide JSON answers of the impact and of every wrong citation are not among them:
#: past a few hundred documents they are over the row cap (413), and computing answers the
#: cap refuses took two thirds of a warm's memory (5,000 documents: a peak of 1.5 GB, 507 MB
#: without them; 40 s, 31 without); their pages, which persons open, are.
WARM_PATHS = (
    "/assessments",
    "/items/番号法別表/81?as_of=2025-01-01",
    "/items/番号法別表第一/81?as_of=2023-01-01",
    "/",
    "/ui/impact",  # the pages' 改正の影響 (its report is the slowest page)
    "/ui/problems",  # every wrong citation of the corpus, sorted: 7 s at 5,000 documents
)


#: Seconds the store's state must stay the same before the answers are computed again after
#: a write. A load commits a batch every few seconds for as long as it runs (an hour for a
#: national corpus): answers computed between its batches would be stale at once, and the
#: impact report alone costs a core for a minute at 5,000 documents.
QUIET_S = 15.0


class Warmer:
    """Asks ``paths`` of an app in a background thread, so their answers are cached for the
    current store state before the first visitor comes. One run at a time; a request for
    another while one runs is remembered and done after it.

    With ``state_token`` (the store's), a run after a write waits until the state has stayed
    the same for ``quiet`` seconds, and a run stops before its next path when the state
    changes (its answers would be for a state gone); it starts again once the store is quiet.
    A path answered 413 (over the row cap: the corpus has grown past it, which a growing
    corpus does not come back from) is not asked again: it would be computed whole after
    every load to be refused.
    """

    def __init__(
        self,
        app: Any,
        paths: tuple[str, ...] = WARM_PATHS,
        *,
        state_token: Callable[[], str | None] | None = None,
        quiet: float = QUIET_S,
    ):
        self.app = app
        self.paths = paths
        self.state_token = state_token
        self.quiet = quiet
        self._lock = threading.Lock()
        self._running = False
        self._again = False
        self._over_cap: set[str] = set()

    def trigger(self, *, settle: bool = True) -> None:
        """Warm for the current state; ``settle=False`` (at start) asks at once."""
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._loop, args=(settle,), name="pia-kg-warm", daemon=True).start()

    def _loop(self, settle: bool) -> None:
        import asyncio

        while True:
            try:  # the token too: a remote store's is asked of its endpoint
                token = self._settled() if settle else self._token()
                done = asyncio.run(self._ask_all(token))
            except Exception:  # noqa: BLE001 (warming is a courtesy: a failure costs nothing)
                done = True
            settle = True
            with self._lock:
                if done and not self._again:
                    self._running = False
                    return
                self._again = False

    def _token(self) -> str | None:
        return self.state_token() if self.state_token is not None else None

    def _settled(self) -> str | None:
        """The state token once it has stayed the same for ``quiet`` seconds."""
        import time

        token = self._token()
        if self.state_token is None:
            return token
        while True:
            time.sleep(self.quiet)
            now = self._token()
            if now == token:
                return token
            token = now

    async def _ask_all(self, token: str | None) -> bool:
        """Ask every path; False if the state changed before the last one was asked."""
        import httpx

        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://warm", timeout=600) as client:
            for path in self.paths:
                if path in self._over_cap:
                    continue
                if self._token() != token:
                    return False
                if (await client.get(path)).status_code == 413:
                    self._over_cap.add(path)
        return True
