"""Helpers for the API tests: a seeded store folder a server process can open.

In-process tests use conftest's ``loaded_store``; that store stays open (and locked) in the
test process, so ``pia-kg serve`` in a child process needs a folder of its own, built here
with the real pipeline and closed before the server opens it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from conftest import LAW_DIR, SEEDS_DIR

from pia_kg.pipeline import load_documents, load_law_dir
from pia_kg.store import open_store


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
