"""The undo journal that makes a bulk load into the embedded store all-or-nothing.

Oxigraph's bulk loader writes sorted files straight into the store: six times less work
than a transactional load of the same quads (it does not read the store back to write),
and files as compact as a compaction makes them. But it is not a transaction: a process
killed in the middle leaves part of the quads written. So a batch is written like this:

1. the journal is written beside the store (``STORE.pending``, atomically: a temporary
   file renamed): the graphs the batch adds, and the old content of each graph it
   replaces or drops;
2. one SPARQL update deletes and inserts the lines that differ in the graphs that existed
   (the law's correspondences, the ontology: a few lines each; documents loaded again: none
   if they did not change) and drops those that changed much, and the new graphs and those
   are bulk-loaded (pia_kg/backends/common.py, ``delta_plan``);
3. the journal is removed: the batch is committed.

Whoever next opens the store for writing finds a journal left by a killed writer and
rolls the store back with it (:func:`roll_back`): the graphs the batch added are dropped,
the old content of the others put back, in one transaction; then the journal goes. Until
then the journal stays, so a rollback that is itself killed is simply done again. Readers
(``pia-kg serve`` opens read-only) move to a new state only when a commit's generation
marker changes, which happens after step 3. A reader that opens the store and finds a
journal while no writer holds the store rolls it back itself first: it would otherwise
serve the half-written batch of a killed writer until the next writer came.

The journal holds the old content of the graphs that existed before: a few thousand lines,
or a batch's documents when they are loaded again (a batch carries at most
``pipeline.BATCH_TEXT`` characters). A batch whose old content would pass
:data:`MAX_UNDO_BYTES` is written transactionally instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pia_kg.store import beside_store, replace_file, sync_folder

__all__ = ["MAX_UNDO_BYTES", "Journal", "journal_path", "write_journal", "read_journal", "remove_journal"]

#: Largest old content (N-Triples characters) a journal keeps; above it, write
#: transactionally: one SPARQL update, which took 6 CPU s and 900 MB in the engine for a
#: batch of 25 generated documents loaded again (their old content passed the 16 MB this
#: was, so every batch of documents loaded again went that way).
MAX_UNDO_BYTES = 64 << 20


@dataclass(frozen=True)
class Journal:
    """What a rollback needs: the graphs a batch adds, and the old N-Triples of the others."""

    added: tuple[str, ...]
    old: Mapping[str, str]  # graph IRI -> its N-Triples before the batch


def journal_path(store_dir: Path) -> Path:
    """``STORE.pending`` beside the store folder (not in it: the engine owns that folder).

    >>> journal_path(Path("/data/pia-kg-store"))
    PosixPath('/data/pia-kg-store.pending')
    """
    return beside_store(store_dir, ".pending")


def write_journal(store_dir: Path, added: Sequence[str], old: Mapping[str, str]) -> None:
    """Write the journal durably and atomically (a reader finds all of it or none)."""
    body = json.dumps({"version": 1, "added": list(added), "old": dict(old)}, ensure_ascii=False)
    replace_file(journal_path(store_dir), body.encode("utf-8"), durable=True)


def read_journal(store_dir: Path) -> Journal | None:
    """The journal a killed writer left, or None. A journal cut short was never renamed into
    place, so one that cannot be read is a real fault, reported by ``ValueError``."""
    path = journal_path(store_dir)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    data = json.loads(raw)
    if data.get("version") != 1:
        raise ValueError(f"{path}: unknown journal version {data.get('version')!r}")
    return Journal(tuple(data["added"]), dict(data["old"]))


def remove_journal(store_dir: Path) -> None:
    """Commit: the batch is whole, nothing to roll back."""
    path = journal_path(store_dir)
    path.unlink(missing_ok=True)
    sync_folder(path.parent)

