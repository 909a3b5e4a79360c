"""The law as the derivations read it, kept beside an on-disk store for the next command.

Every command that writes documents first reads the law the store holds: its graphs dumped
(0.35 CPU s for the tables of ../shared/law), read (:func:`~pia_kg.derive.documents.read_law`,
0.3 s) and the correspondences of successive table versions derived (0.2-0.3 s): a third of
what a `pia-kg load` of one document cost, paid again by every command although the law
rarely changes. So what was read is kept in ``STORE-law.pickle`` beside the store folder and
taken again while the law and pia-kg are the same (:func:`law_read`).

"The same" is a signature (:func:`law_signature`): the name and the number of triples of each
law graph, with what documents' graphs are made with apart from the law
(:func:`~pia_kg.derive.documents.made_with`: the derivation format and pia-kg's own files).
The law is only ever written whole by ``pia-kg law load``, which deletes the file before it
writes (:func:`forget_law`); an edit of a law graph made otherwise, by SPARQL, that keeps
every graph's size is the blind spot (as for the correspondences' inputs,
:func:`~pia_kg.derive.law_state.law_fingerprint`). Delete the file after such an edit.

The file is a pickle, which runs code when it is read: it is taken only from a regular file
owned by this process's user that no one else may write (as ``ssh`` takes its keys), whose
header names this format and the signature, and whose content has the SHA-256 the header
states. Anything else (missing, another user's, truncated, another law) is not used: the
law is read from the store, and the file written again. Like the other files beside a
store, it is a cache that may be deleted at any time.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "store"
>>> path = law_cache_path(folder)
>>> path.name
'store-law.pickle'
>>> _write(path, "sig", b"law")
>>> _read(path, "sig"), _read(path, "another")
(b'law', None)
>>> os.chmod(path, 0o666)  # anyone may write it: not taken
>>> _read(path, "sig") is None
True
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

from rdflib import URIRef

from pia_kg.store import Store, beside_store, replace_file

__all__ = ["law_cache_path", "law_signature", "law_read", "forget_law"]

_MAGIC = b"pia-kg law read 1\n"


def law_cache_path(store_folder: str | Path | None) -> Path | None:
    """Where the law read is kept for an on-disk store (None: a store in memory or on a
    server keeps none, and each command reads the law)."""
    return beside_store(store_folder, "-law.pickle") if store_folder else None


def law_signature(store: Store, graphs: list[URIRef]) -> str:
    """What the law read from ``graphs`` (the law graphs of ``store``) depends on: their
    names and sizes, the derivation format and pia-kg's own files. One count per law graph
    (nine for ../shared/law: 20 ms)."""
    from pia_kg.derive.documents import made_with
    from pia_kg.derive.law_state import graphs_fingerprint

    return made_with(graphs_fingerprint(store, graphs))


def law_read(store: Store, graphs: list[URIRef], read: Callable[[], bytes]) -> bytes:
    """The law as :func:`~pia_kg.derive.documents.read_law` reads it from ``graphs`` of
    ``store``: kept from an earlier command when its signature is the same, else ``read()``
    and kept for the next."""
    path = law_cache_path(getattr(store, "path", None))
    if path is None:
        return read()
    signature = law_signature(store, graphs)
    law = _read(path, signature)
    if law is None:
        law = read()
        _write(path, signature, law)
    return law


def forget_law(store: Store) -> None:
    """Delete the law read kept for ``store`` (before its law is written)."""
    path = law_cache_path(getattr(store, "path", None))
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _read(path: Path, signature: str) -> bytes | None:
    """The law kept at ``path`` for ``signature``, or None when it is not there or not to be
    taken (see the module's text)."""
    try:
        with path.open("rb") as f:
            info = os.fstat(f.fileno())
            if (
                not stat.S_ISREG(info.st_mode)
                or info.st_uid != os.geteuid()
                or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            ):
                return None
            if f.readline() != _MAGIC or f.readline().rstrip(b"\n") != signature.encode():
                return None
            digest = f.readline().rstrip(b"\n")
            law = f.read()
    except OSError:
        return None
    return law if hashlib.sha256(law).hexdigest().encode() == digest else None


def _write(path: Path, signature: str, law: bytes) -> None:
    """Keep ``law`` at ``path`` for ``signature``: written aside, readable and writable by
    this user alone, then renamed into place, so a reader finds the whole file or none. A
    file that cannot be written is done without."""
    text = _MAGIC + signature.encode() + b"\n" + hashlib.sha256(law).hexdigest().encode() + b"\n" + law
    with contextlib.suppress(OSError):
        replace_file(path, text, mode=0o600)
