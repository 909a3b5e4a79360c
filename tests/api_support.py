"""The seeded store the API tests share: law tables + seed documents, loaded once per run.

Built on disk with the real pipeline, closed, then reopened read-only: the in-process tests
read it, and the server-process test can open the same folder from ``pia-kg serve`` without
a second load (RocksDB's read-only mode takes no lock).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from conftest import LAW_DIR, SEEDS_DIR

from pia_kg.named_queries import named_queries
from pia_kg.pipeline import load_documents, load_law_dir
from pia_kg.store import Store, open_store


@cache
def seeded_store_dir() -> Path:
    """A folder holding an Oxigraph store with every law table and every seed document."""
    folder = Path(tempfile.mkdtemp(prefix="pia-kg-api-test-"))
    atexit.register(shutil.rmtree, folder, True)
    store = open_store("oxigraph", path=folder / "store")
    try:
        load_law_dir(store, LAW_DIR)
        load_documents(store, [SEEDS_DIR])
    finally:
        store.close()
    return folder / "store"


@cache
def seeded_store() -> Store:
    """The seeded store, read-only (one instance per test process)."""
    return open_store("oxigraph", path=seeded_store_dir(), read_only=True)


def missing_queries(*names: str) -> str | None:
    """Why a test must wait, if a named query it needs is not installed yet, else None."""
    missing = [n for n in names if n not in named_queries()]
    if missing:
        return f"named query {', '.join(missing)} not installed yet"
    return None
