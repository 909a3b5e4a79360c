"""What one running app serves: its store and the limits every query runs under.

Kept on ``app.state.settings`` by :func:`pia_kg.api.app.create_app`, so several apps (tests,
a server per store) can live in one process without module-level globals.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from starlette.requests import Request

from pia_kg.admission import QueryLimits, admit
from pia_kg.named_queries import run_sparql
from pia_kg.store import QueryResult, Store

from .query_cache import ResultCache

if TYPE_CHECKING:
    from .query_worker import QueryPool

__all__ = [
    "Settings",
    "settings_of",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_BODY_BYTES",
    "DOWNLOADS",
]

#: Seconds a query may run before the API answers 504. Long enough for the headline
#: queries on a city's documents, short enough that a runaway SPARQL text cannot hold a
#: worker for long.
DEFAULT_TIMEOUT = 10.0
#: Rows (or triples, for CONSTRUCT/DESCRIBE) a query may return before the API answers 413
#: (a whole 別紙 is a few hundred rows).
DEFAULT_MAX_ROWS = 10_000
#: Bytes a request body may carry before the API answers 413.
DEFAULT_MAX_BODY_BYTES = 1_000_000
#: Downloads of every row of an answer written at once (api/downloads.py: each a thread
#: reading the store, without the row cap); 503 past them.
DOWNLOADS = 2


@dataclass(frozen=True)
class Settings:
    store: Store
    timeout: float | None = DEFAULT_TIMEOUT
    max_rows: int | None = DEFAULT_MAX_ROWS
    query_limits: QueryLimits = field(default_factory=QueryLimits)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: Worker processes for SPARQL from clients (None: run in this process, under threads).
    pool: QueryPool | None = None
    cache: ResultCache = field(default_factory=ResultCache)
    #: The downloads being written (api/downloads.py), at most DOWNLOADS at once.
    downloads: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(DOWNLOADS))

    def run_client_sparql(self, text: str) -> QueryResult:
        """A SPARQL text from a client: admitted first (size, nesting, SERVICE), then run
        under the timeout and row cap, in a killable worker when the app has a pool."""
        admit(text, self.query_limits)
        if self.pool is not None:
            return self.pool.run(text, timeout=self.timeout, limit=self.max_rows)
        return run_sparql(self.store, text, timeout=self.timeout, limit=self.max_rows)


def settings_of(request: Request) -> Settings:
    """The settings of the app that is serving ``request``."""
    settings: Settings = request.app.state.settings
    return settings
