"""What one running app serves: its store and the limits every query runs under.

Kept on ``app.state.settings`` by :func:`pia_kg.api.app.create_app`, so several apps (tests,
a server per store) can live in one process without module-level globals.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from pia_kg.store import Store

__all__ = ["Settings", "settings_of", "DEFAULT_TIMEOUT", "DEFAULT_MAX_ROWS"]

#: Seconds a query may run before the API answers 504. Long enough for the headline
#: queries on a city's documents, short enough that a runaway SPARQL text cannot hold a
#: worker for long.
DEFAULT_TIMEOUT = 10.0
#: Rows a query may return before the API answers 413 (a whole 別紙 is a few hundred rows).
DEFAULT_MAX_ROWS = 10_000


@dataclass(frozen=True)
class Settings:
    store: Store
    timeout: float | None = DEFAULT_TIMEOUT
    max_rows: int | None = DEFAULT_MAX_ROWS


def settings_of(request: Request) -> Settings:
    """The settings of the app that is serving ``request``."""
    settings: Settings = request.app.state.settings
    return settings
