"""The SHA-256 of document files, read again only when a file changed on disk.

``pia-kg load`` of a folder it loaded before finds the files the store holds as they are by
their SHA-256 (pia_kg/pipeline.py, ``_skip_unchanged``). Digesting means reading every byte of
every such file: the country's assessments as PDFs are some 17 GB, read again to add one.
So each digest is kept with what ``stat`` says of its file when it was read (device, inode,
size, times of modification and of change, in ns), in ``STORE-files.sqlite`` beside an
on-disk store, and a file whose ``stat`` is the same again is not read: a load costs what
it adds, not what the folder holds (as ``make`` and ``rsync`` judge files, with the change
time as ``git`` does: no tool that writes a file can set it back).

What is kept is a cache of digests of files, nothing of the store: it may be deleted at any
time, and a cache that cannot be opened or written is done without (each file read, as
before). A file changed in the same tick of the clock as it was read could keep its
``stat``: a digest is kept only for a file last changed ``SETTLED_NS`` before it was read
(``git``'s "racily clean" entries); such a file is read again next time.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> f = folder / "a.txt"
>>> _ = f.write_bytes(b"abc")
>>> with FileDigests(folder / "files.sqlite") as digests:
...     digests.of([f, folder / "missing.txt"])[f][:16]
'ba7816bf8f01cfea'
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from pia_kg.store import beside_store

__all__ = ["FileDigests", "SETTLED_NS", "digests_path"]

#: How long before it is read a file must have last changed for its digest to be kept.
SETTLED_NS = 2_000_000_000

_SCHEMA = """CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, dev INTEGER, ino INTEGER, size INTEGER,
    mtime_ns INTEGER, ctime_ns INTEGER, sha256 TEXT NOT NULL)"""

_Stat = tuple[int, int, int, int, int]


def digests_path(store_folder: str | Path | None) -> Path | None:
    """Where the digests of the files loaded into an on-disk store are kept (None: a store
    in memory or on a server keeps none, and its loads read each file).

    >>> digests_path("/data/pia")
    PosixPath('/data/pia-files.sqlite')
    """
    return beside_store(store_folder, "-files.sqlite") if store_folder else None


class FileDigests:
    """The SHA-256 of files, kept in the SQLite file at ``path`` (None: none kept, each file
    read). Use as a context manager: what was learnt is written when it closes."""

    def __init__(self, path: Path | None) -> None:
        self._db: sqlite3.Connection | None = None
        self._learnt: list[tuple[str, int, int, int, int, int, str]] = []
        if path is None:
            return
        try:
            self._db = sqlite3.connect(path, timeout=5, isolation_level=None)
            self._db.execute(_SCHEMA)
        except sqlite3.Error:  # unreadable or locked: do without (a cache)
            if self._db is not None:
                self._db.close()
            self._db = None

    def __enter__(self) -> FileDigests:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def of(self, files: Sequence[Path]) -> dict[Path, str]:
        """The SHA-256 (hex) of each of ``files`` that can be read; a file whose ``stat`` is
        what it was when its digest was kept is not read."""
        keys = {f: str(f.absolute()) for f in files}
        kept = self._kept(list(keys.values()))
        out: dict[Path, str] = {}
        for f, key in keys.items():
            try:
                before = _stat(f)
                known = kept.get(key)
                if known is not None and known[0] == before:
                    out[f] = known[1]
                    continue
                digest = hashlib.sha256(f.read_bytes()).hexdigest()
                after = _stat(f)
            except OSError:
                continue  # whoever reads it next says what is wrong with it
            out[f] = digest
            if after == before and max(after[3], after[4]) < time.time_ns() - SETTLED_NS:
                self._learnt.append((key, *after, digest))
        return out

    def close(self) -> None:
        """Write what was learnt (nothing, if the cache cannot be written) and close."""
        if self._db is None:
            return
        try:
            if self._learnt:
                with self._db:
                    self._db.execute("BEGIN")
                    self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", self._learnt)
        except sqlite3.Error:
            pass  # a cache: the next load reads these files again
        finally:
            self._learnt.clear()
            self._db.close()
            self._db = None

    def _kept(self, keys: Sequence[str]) -> dict[str, tuple[_Stat, str]]:
        if self._db is None:
            return {}
        out: dict[str, tuple[_Stat, str]] = {}
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                rows = self._db.execute(
                    f"SELECT path, dev, ino, size, mtime_ns, ctime_ns, sha256 FROM files"
                    f" WHERE path IN ({', '.join('?' for _ in chunk)})",
                    chunk,
                )
                out.update((row[0], (tuple(row[1:6]), row[6])) for row in rows)
        except sqlite3.Error:
            return {}
        return out


def _stat(path: Path) -> _Stat:
    s = os.stat(path)
    return (s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns)
