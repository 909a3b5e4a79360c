"""Digests of document files kept with their ``stat``: a file is read again when it changed
on disk, and only then (pia_kg/file_digests.py)."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from pia_kg import file_digests
from pia_kg.file_digests import FileDigests


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files read with ``Path.read_bytes`` from now on."""
    seen: list[Path] = []
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        seen.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file last changed 20 ms before it is read counts as settled (not 2 s: no test
    waits that long); the tests wait longer than a tick of the file system's clock."""
    monkeypatch.setattr(file_digests, "SETTLED_NS", 20_000_000)


def test_a_settled_file_is_read_once_until_it_changes(tmp_path: Path, reads: list[Path], settled: None) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(b"first")
    cache = tmp_path / "files.sqlite"
    time.sleep(0.05)
    with FileDigests(cache) as digests:
        assert digests.of([f]) == {f: _sha(b"first")}
    with FileDigests(cache) as digests:
        assert digests.of([f]) == {f: _sha(b"first")}
    assert reads == [f]  # the second time, its stat was enough

    # The same size and the old modification time put back: the change time tells.
    old = os.stat(f)
    f.write_bytes(b"other")
    os.utime(f, ns=(old.st_atime_ns, old.st_mtime_ns))
    with FileDigests(cache) as digests:
        assert digests.of([f]) == {f: _sha(b"other")}
    assert reads == [f, f]


def test_a_file_changed_just_before_it_was_read_is_read_again(tmp_path: Path, reads: list[Path]) -> None:
    """A file written in the last SETTLED_NS could change again within the same tick of the
    clock and keep its stat: its digest is not kept."""
    f = tmp_path / "a.txt"
    f.write_bytes(b"fresh")
    for _ in range(2):
        with FileDigests(tmp_path / "files.sqlite") as digests:
            assert digests.of([f]) == {f: _sha(b"fresh")}
    assert reads == [f, f]


def test_a_cache_that_cannot_be_used_is_done_without(tmp_path: Path, settled: None) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes(b"abc")
    time.sleep(0.05)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    folder = tmp_path / "a-folder.sqlite"
    folder.mkdir()
    for where in (garbage, folder, None):
        with FileDigests(where) as digests:
            assert digests.of([f, tmp_path / "missing.txt"]) == {f: _sha(b"abc")}
    assert garbage.read_bytes() == b"not a database at all" * 100
