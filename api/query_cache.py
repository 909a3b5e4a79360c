"""Answers of named queries, computed once per store state.

A named query's answer depends only on its parameters and on what the store holds; the
store's state token (see :meth:`pia_kg.store.Store.state_token`) changes on every write,
so an answer cached under one token is exactly what the query would return again. A store
that cannot tell its state (a remote endpoint) gets no caching.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from pia_kg.store import QueryResult

__all__ = ["ResultCache"]


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

    def __init__(self, size: int = 1024):
        self.size = size
        self._token: str | None = None
        self._entries: OrderedDict[Hashable, QueryResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str | None, key: Hashable, compute: Callable[[], QueryResult]) -> QueryResult:
        """The cached result for ``key`` in store state ``token``, computed on a miss."""
        if token is None:
            return compute()
        with self._lock:
            if token != self._token:
                self._entries.clear()
                self._token = token
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
        result = compute()
        with self._lock:
            if token == self._token:
                self._entries[key] = result
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return result
