"""Rows sorted by a key, however many: held in memory up to a bound, and past it sorted in runs
written to temporary files and read back merged (an external merge sort).

A national answer (the impact report of 35,000 assessments runs to about a million rows, a
kilobyte or more each as Python objects) is made a bounded part at a time and read in its
order by the writers of its files, as often as they need, without ever being held whole.

>>> rows = SortedRows(key=abs, spill_rows=2)
>>> rows.extend([3, -1, 2, -5, 4])
>>> list(rows), len(rows), rows[1:3], rows.spilled
([-1, 2, 3, 4, -5], 5, [2, 3], True)
>>> small = SortedRows(key=abs)
>>> small.extend([3, -1])
>>> small.result()  # nothing spilled: a plain list
[-1, 3]
"""

from __future__ import annotations

import heapq
import itertools
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

__all__ = ["SortedRows", "SPILL_ROWS"]

T = TypeVar("T")

#: Rows held in memory before they are sorted and written out as a run: about 100 MB of impact
#: rows; a million rows make ten runs, read back one block of each at a time.
SPILL_ROWS = 100_000
#: Rows pickled together: the strings rows repeat (bodies, tables, IRIs) are written once a block.
_BLOCK = 1_000


class SortedRows(Sequence[T], Generic[T]):
    """Rows added in any order, read in the order of ``key`` (stable: rows of equal keys in the
    order they were added), spilled to a temporary folder past ``spill_rows`` rows held (the
    folder deleted when the rows are let go)."""

    def __init__(self, key: Callable[[T], Any], *, spill_rows: int | None = None) -> None:
        self._key = key
        self._limit = max(1, spill_rows or SPILL_ROWS)
        self._held: list[T] = []
        self._sorted = True
        self._runs: list[Path] = []
        self._count = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    @property
    def spilled(self) -> bool:
        """Whether some rows are in runs on disk."""
        return bool(self._runs)

    def extend(self, rows: Iterable[T]) -> None:
        self._sorted = False
        for row in rows:
            self._held.append(row)
            self._count += 1
            if len(self._held) >= self._limit:
                self._spill()

    def result(self) -> Sequence[T]:
        """The rows in order: a list when they were all held, else these sorted rows."""
        if self._runs:
            return self
        self._sort()
        return self._held

    def _sort(self) -> None:
        if not self._sorted:
            self._held.sort(key=self._key)
            self._sorted = True

    def _spill(self) -> None:
        self._sort()
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="pia-kg-rows-")
        path = Path(self._folder.name) / f"run{len(self._runs):05d}"
        with path.open("wb") as f:
            for at in range(0, len(self._held), _BLOCK):
                pickle.dump(self._held[at : at + _BLOCK], f, protocol=pickle.HIGHEST_PROTOCOL)
        self._runs.append(path)
        self._held, self._sorted = [], False

    def _read(self, path: Path) -> Iterator[T]:
        with path.open("rb") as f:  # a file this object wrote, in its own temporary folder
            while True:
                try:
                    block = pickle.load(f)  # noqa: S301
                except EOFError:
                    return
                yield from block

    def __iter__(self) -> Iterator[T]:
        self._sort()
        if not self._runs:
            return iter(self._held)
        # earlier runs first among equal keys: the order a stable sort of every row gives
        return heapq.merge(*map(self._read, self._runs), self._held, key=self._key)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        """A row, or a slice of rows as a list (read from the start: meant for the first rows)."""
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            return list(itertools.islice(self, start, stop, step)) if step > 0 else list(self)[index]
        at = index + self._count if index < 0 else index
        if not 0 <= at < self._count:
            raise IndexError(index)
        return next(itertools.islice(self, at, None))
