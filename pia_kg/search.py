"""Full-text search beside the store, and the text of every loaded document.

A SQLite database (FTS5, trigram tokenizer) next to the store folder (``STORE-search.sqlite``;
in memory for a store without a folder) holds, per loaded document:

* its text, compressed (the source viewer shows it with the cited lines highlighted; the
  store itself keeps only ``pia:fileName`` and ``pia:sha256``), and
* one entry per name a person searches by — body, department, contractor (with its former
  names), recipient, assessment title, cited item — each with its ``FILE#Lstart-Lend`` source,
* and its lines: each distinct line of the corpus is stored and indexed once (documents of
  one form share most of theirs), each document keeps the ids of its lines in order (one
  packed value), and an inverted index tells which documents hold a line.

Names and queries are compared in a folded form (:func:`fold`: NFKC width folding, case,
spaces removed, a few spelling variants), so ``富士通japan`` finds 富士通Japan株式会社 and
富士通JAPAN株式会社, and ``静 岡`` finds 静岡市. The pipeline's worker processes make each
document's entries (:func:`index_entry`, from the graph and text they already hold) and the
pipeline writes them just before each batch (:meth:`SearchIndex.add`, one SQLite
transaction), where they stay pending until the store holds the batch
(:meth:`SearchIndex.confirm`); a writer drops the pending documents the store does not hold
(``index_for(store, prune=True)``: a batch that a crash or an error kept out of the store),
looking up each by its graph, and a removal drops the documents it removes.

>>> fold("富士通ＪＡＰＡＮ株式会社") == fold("富士通Japan 株式会社")
True
>>> fold("市ヶ谷")
'市ケ谷'
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import threading
import weakref
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDFS, Graph
from rdflib.namespace import DCTERMS, ORG, SKOS

from pia_kg.store import Store, beside_store
from pia_kg.text.widths import compact
from pia_kg.vocab import PIA, document_graph

__all__ = ["fold", "Hit", "IndexEntry", "SearchIndex", "index_entry", "index_for", "KINDS"]

#: What a search can find, with the Japanese word shown for each.
KINDS = {
    "body": "団体",
    "assessment": "評価書",
    "department": "部署",
    "contractor": "委託先",
    "recipient": "提供先",
    "item": "引用された項番",
    "text": "本文",
}

_VARIANTS = str.maketrans({"ヶ": "ケ", "ヵ": "カ", "ｹ": "ケ", "〜": "~", "－": "-", "―": "-", "‐": "-"})
_VARIANT_CHARS = re.compile("[" + "".join(re.escape(chr(c)) for c in _VARIANTS) + "]")


def fold(text: str) -> str:
    """The form names and queries are compared in: :func:`compact` (NFKC, no spaces), lower
    case, spelling variants unified."""
    folded = compact(text).casefold()
    # str.translate looks every character up in _VARIANTS: only done when one of them is there.
    return folded.translate(_VARIANTS) if _VARIANT_CHARS.search(folded) else folded


@dataclass(frozen=True)
class Hit:
    kind: str
    name: str
    doc_id: str
    source: str
    key: str  # the entity IRI or the citation (table item) the hit stands for


@dataclass(frozen=True)
class IndexEntry:
    """One document as the index holds it: its text (or the text already packed, as
    :func:`index_entry` makes it in a worker process, where compressing it costs the writer
    nothing), the rows (folded name first) of its named entries, and its lines (number,
    line, folded line), ready to insert (cheap to pickle)."""

    doc_id: str
    file_name: str
    sha256: str
    text: str | bytes
    rows: tuple[tuple[str, str, str, str, str, str], ...]
    lines: tuple[tuple[int, str, str], ...] = ()


#: The layout's version (``PRAGMA user_version``); an index of an older layout is brought up
#: to date when opened (:meth:`SearchIndex._upgrade`, :meth:`SearchIndex._upgrade_places`).
LAYOUT = 4

# Names are few per document: one FTS5 row each. Text lines are many, and documents of one
# form share most of them (labels, headings, boilerplate): each distinct line is stored and
# indexed once (``lines``, with an FTS5 index over it that keeps no copy of the text, and the
# number of documents holding it), each document keeps its line ids in order
# (``documents.lines``, :func:`_pack_ids`), and ``doc_lines`` (FTS5, no content, one row per
# document whose tokens are its distinct line ids) tells which documents hold a line.
#
# Layouts 2 and 3 kept a row per line of every document in a B-tree indexed by line: two
# thousand rows per document, written all over an index that grows with the corpus (a
# document cost 9 ms to index at the first thousand and 12 ms at the fifth, and the index took
# 60 kB per document). FTS5 appends each batch as a segment and merges segments in the
# background: 3.3 ms per document whatever the corpus, and 1.4 kB per document.
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
  num INTEGER PRIMARY KEY, doc_id TEXT UNIQUE NOT NULL, file_name TEXT, sha256 TEXT, text TEXT,
  title TEXT, lines BLOB);
CREATE VIRTUAL TABLE IF NOT EXISTS entries USING fts5(
  folded, name UNINDEXED, kind UNINDEXED, doc_id UNINDEXED, source UNINDEXED, key UNINDEXED,
  tokenize = 'trigram'
);
CREATE TABLE IF NOT EXISTS lines (
  id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, folded TEXT NOT NULL, docs INTEGER NOT NULL DEFAULT 0);
CREATE VIRTUAL TABLE IF NOT EXISTS line_index USING fts5(
  folded, content = 'lines', content_rowid = 'id', tokenize = 'trigram', detail = none
);
CREATE VIRTUAL TABLE IF NOT EXISTS doc_lines USING fts5(
  ids, content = '', detail = none, tokenize = 'unicode61'
);
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY) WITHOUT ROWID;
PRAGMA user_version = {LAYOUT};
"""

#: Matching lines looked up in ``doc_lines`` per statement (an OR of their ids).
_MATCH_CHUNK = 200
#: Past this many matching lines (a query of a character or two), the documents are read in
#: order instead, each one's lines checked, until the hits are found: a common word is in
#: the first documents, and the ids of every line holding it would make no useful query.
_MANY_LINES = 2_000

#: Line ids kept in memory between batches (a load meets the form's lines again and again);
#: cleared when full, so memory stays bounded whatever the corpus.
_LINE_CACHE = 200_000


class SearchIndex:
    """The SQLite index of one store (thread-safe: one connection behind a lock)."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._line_ids: dict[str, int] = {}
        if self._layout() < LAYOUT:
            # One transaction, DDL included (Python opens none for it), holding the write lock
            # from the start: a process opening the index at the same moment waits for it,
            # then finds the layout made.
            upgraded = False
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                layout = self._layout()
                if layout >= LAYOUT:
                    pass
                elif self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
                    upgraded = True
                    if layout < 2:
                        self._upgrade()
                    else:
                        self._upgrade_places()
                    self._create()  # what later layouts added (pending), and the layout's number
                    if layout < 3:
                        # an older writer kept no note of entries written ahead of their
                        # batch: the next writer checks every document once
                        self._db.execute("INSERT OR IGNORE INTO pending SELECT doc_id FROM documents")
                else:
                    self._create()
            if upgraded:
                self._shrink()

    def _shrink(self) -> None:
        """Give the file back the pages an older layout's tables left free (``places`` was
        60 kB a document): VACUUM rewrites it once. Skipped when another connection is
        reading it: the free pages then stay in the file, for later writes to reuse."""
        try:
            self._db.execute("VACUUM")
        except sqlite3.OperationalError:
            pass

    def _layout(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def doc_ids(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT doc_id FROM documents")}

    def text(self, doc_id: str) -> tuple[str, str, str] | None:
        """(file name, sha256, text) of a loaded document, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT file_name, sha256, text FROM documents WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return (row[0], row[1], _unpack(row[2])) if row else None

    def titles(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The title of each of these documents' assessment, where it has one (a page
        listing hits names their assessments without reading every assessment)."""
        ids = sorted(set(doc_ids))
        out: dict[str, str] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                out.update(self._db.execute(
                    f"SELECT doc_id, title FROM documents WHERE title IS NOT NULL"
                    f" AND doc_id IN ({', '.join('?' for _ in chunk)})", chunk,
                ))
        return out

    def add(self, entries: Sequence[IndexEntry]) -> None:
        """Put documents in the index, replacing what was there, in one transaction.

        Only a document already indexed has entries to delete: the entries table (FTS5) has
        no index on ``doc_id``, so each delete reads the whole table, and a load of new
        documents must not pay that per document.
        """
        if not entries:
            return
        with self._lock, self._db:
            ids = [e.doc_id for e in entries]
            marks = ", ".join("?" for _ in ids)
            known = [r[0] for r in self._db.execute(f"SELECT doc_id FROM documents WHERE doc_id IN ({marks})", ids)]
            if known:
                self._drop(known)
            line_ids = self._ids_of_lines({(name, folded) for e in entries for _, name, folded in e.lines})
            held: Counter[int] = Counter()
            for e in entries:
                title = next((row[1] for row in e.rows if row[2] == "assessment"), None)
                numbered = _ids_by_number(e.lines, line_ids)
                doc = self._db.execute(
                    "INSERT INTO documents (doc_id, file_name, sha256, text, title, lines) VALUES (?, ?, ?, ?, ?, ?)",
                    (e.doc_id, e.file_name, e.sha256, _pack(e.text) if isinstance(e.text, str) else e.text, title, _pack_ids(numbered)),
                ).lastrowid
                self._db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", e.rows)
                held.update(self._hold_lines(doc, numbered))
            self._count_holders(held, +1)
            # written ahead of their batch: pending until the store has it (confirm, prune)
            self._db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(i,) for i in ids])

    def _hold_lines(self, doc: int, ids: Sequence[int]) -> set[int]:
        """Note in ``doc_lines`` that document number ``doc`` holds these lines; their distinct
        ids, for the counts of holders (:meth:`_count_holders`)."""
        distinct = set(ids) - {0}
        self._db.execute("INSERT INTO doc_lines (rowid, ids) VALUES (?, ?)", (doc, _tokens(distinct)))
        return distinct

    def _count_holders(self, held: Counter[int], sign: int) -> None:
        """Add (``sign`` +1) or take away (-1) documents from the count of each line's
        holders: one statement per distinct line of the batch, in the order of the table."""
        self._db.executemany(
            "UPDATE lines SET docs = docs + ? WHERE id = ?", [(sign * n, i) for i, n in sorted(held.items())]
        )

    def _ids_of_lines(self, lines: set[tuple[str, str]]) -> dict[str, int]:
        """The id of each (line, folded line), a new line stored and indexed on first sight."""
        if len(self._line_ids) > _LINE_CACHE:
            self._line_ids.clear()
        out = {name: self._line_ids[name] for name, _ in lines if name in self._line_ids}
        unknown = sorted((name, folded) for name, folded in lines if name not in out)
        for i in range(0, len(unknown), 500):
            chunk = [name for name, _ in unknown[i : i + 500]]
            found = self._db.execute(
                f"SELECT name, id FROM lines WHERE name IN ({', '.join('?' for _ in chunk)})", chunk
            )
            out.update(found)
        new = [(name, folded) for name, folded in unknown if name not in out]
        for name, folded in new:
            out[name] = self._db.execute("INSERT INTO lines (name, folded) VALUES (?, ?)", (name, folded)).lastrowid
        self._db.executemany(
            "INSERT INTO line_index (rowid, folded) VALUES (?, ?)", [(out[name], folded) for name, folded in new]
        )
        self._line_ids.update(out)
        return out

    def _upgrade(self) -> None:
        """Bring an index of the first layout (one FTS5 row per line of every document, and
        documents keyed by their id alone) to this one, from the texts it holds."""
        db = self._db
        db.execute("ALTER TABLE documents RENAME TO documents_v1")
        self._create()
        db.execute(
            "INSERT INTO documents (doc_id, file_name, sha256, text)"
            " SELECT doc_id, file_name, sha256, text FROM documents_v1 ORDER BY doc_id"
        )
        db.execute("DROP TABLE documents_v1")
        db.execute("DELETE FROM entries WHERE kind = 'text'")
        for doc_id, title in db.execute("SELECT doc_id, name FROM entries WHERE kind = 'assessment'").fetchall():
            db.execute("UPDATE documents SET title = ? WHERE doc_id = ? AND title IS NULL", (title, doc_id))
        held: Counter[int] = Counter()
        for (num,) in db.execute("SELECT num FROM documents").fetchall():  # one text at a time
            (text,) = db.execute("SELECT text FROM documents WHERE num = ?", (num,)).fetchone()
            lines = _lines(text)
            numbered = _ids_by_number(lines, self._ids_of_lines({(name, folded) for _, name, folded in lines}))
            db.execute("UPDATE documents SET text = ?, lines = ? WHERE num = ?", (_pack(text), _pack_ids(numbered), num))
            held.update(self._hold_lines(num, numbered))
        self._count_holders(held, +1)

    def _upgrade_places(self) -> None:
        """Bring an index of layout 2 or 3 (a row per line of every document, ``places``,
        indexed by line) to this one: each document's line ids packed, the documents of each
        line in ``doc_lines``, the count of each line's holders."""
        db = self._db
        for table, column in (("documents", "lines BLOB"), ("lines", "docs INTEGER NOT NULL DEFAULT 0")):
            if column.split()[0] not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        self._create()
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'places'").fetchone():
            return
        held: Counter[int] = Counter()
        for (num,) in db.execute("SELECT num FROM documents").fetchall():
            numbered = _ids_by_number(
                db.execute("SELECT n, line, '' FROM places WHERE doc = ? ORDER BY n", (num,)).fetchall(), None
            )
            db.execute("UPDATE documents SET lines = ? WHERE num = ?", (_pack_ids(numbered), num))
            held.update(self._hold_lines(num, numbered))
        self._count_holders(held, +1)
        db.execute("DROP TABLE places")  # and its index by line

    def _create(self) -> None:
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self._db.execute(statement)

    def remove(self, doc_ids: Iterable[str]) -> None:
        """Drop documents, in one transaction and one pass over the entries table."""
        ids = sorted(set(doc_ids))
        if ids:
            with self._lock, self._db:
                self._drop(ids)

    def _drop(self, doc_ids: Sequence[str]) -> None:
        # One statement for all: entries (FTS5) has no index on doc_id, so each DELETE reads
        # the whole table; a temporary table keeps the statement's size bounded. The lines
        # that only these documents held go too (found by their count of holders), and out of
        # the line index, which keeps no copy of them: it is told what it indexed, as
        # ``doc_lines`` is told each document's line ids.
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS dropping (doc_id TEXT PRIMARY KEY)")
        db.execute("CREATE TEMP TABLE IF NOT EXISTS left_lines (id INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM dropping")
        db.execute("DELETE FROM left_lines")
        db.executemany("INSERT OR IGNORE INTO dropping VALUES (?)", [(d,) for d in doc_ids])
        held: Counter[int] = Counter()
        dropped = db.execute("SELECT num, lines FROM documents WHERE doc_id IN (SELECT doc_id FROM dropping)")
        for num, packed in dropped.fetchall():
            if packed is None:  # never written to doc_lines: nothing to tell it
                continue
            distinct = set(_unpack_ids(packed)) - {0}
            db.execute("INSERT INTO doc_lines (doc_lines, rowid, ids) VALUES ('delete', ?, ?)", (num, _tokens(distinct)))
            held.update(distinct)
        self._count_holders(held, -1)
        db.executemany("INSERT INTO left_lines VALUES (?)", [(i,) for i in held])
        left = "SELECT id FROM lines WHERE docs <= 0 AND id IN (SELECT id FROM left_lines)"
        db.execute(f"INSERT INTO line_index (line_index, rowid, folded) SELECT 'delete', id, folded FROM lines WHERE id IN ({left})")
        db.execute(f"DELETE FROM lines WHERE id IN ({left})")
        self._line_ids.clear()  # it may name lines just deleted
        db.execute("DELETE FROM documents WHERE doc_id IN (SELECT doc_id FROM dropping)")
        db.execute("DELETE FROM entries WHERE doc_id IN (SELECT doc_id FROM dropping)")
        db.execute("DELETE FROM pending WHERE doc_id IN (SELECT doc_id FROM dropping)")

    def confirm(self, doc_ids: Iterable[str]) -> None:
        """The store now holds these documents: their entries are no longer pending."""
        ids = [(d,) for d in doc_ids]
        if ids:
            with self._lock, self._db:
                self._db.executemany("DELETE FROM pending WHERE doc_id = ?", ids)

    def prune(self, store: Store) -> None:
        """Drop the pending documents ``store`` does not hold (entries a crash or a refused
        batch left ahead of their graphs), each looked up by its graph: the work of the
        pending ones, not of the store."""
        with self._lock:
            pending = [r[0] for r in self._db.execute("SELECT doc_id FROM pending")]
        if not pending:
            return
        held = store.graphs_held([document_graph(d) for d in pending])
        gone = [d for d in pending if document_graph(d) not in held]
        with self._lock, self._db:
            if gone:
                self._drop(gone)
            self._db.executemany("DELETE FROM pending WHERE doc_id = ?", [(d,) for d in pending])

    def search(self, query: str, *, kinds: Sequence[str] = (), limit: int = 200) -> list[Hit]:
        """Entries whose folded name contains the folded query: names first, then text lines
        (by document and line)."""
        q = fold(query)
        if not q:
            return []
        # LIKE without ESCAPE where it can: FTS5's trigram index answers it, where an ESCAPE
        # clause makes SQLite read every entry (0.7 s per search at 1,000 documents). A query
        # shorter than a trigram (which the index answers with nothing on SQLite 3.40), or
        # holding LIKE's own wildcards (% or _), takes the escaped, scanning form.
        if len(q) < 3 or "%" in q or "_" in q:
            pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            like = "LIKE ? ESCAPE '\\'"
        else:
            pattern, like = f"%{q}%", "LIKE ?"
        hits: list[Hit] = []
        names = [k for k in kinds if k != "text"] if kinds else []
        with self._lock:
            if names or not kinds:
                sql = f"SELECT kind, name, doc_id, source, key FROM entries WHERE folded {like}"
                args: list[object] = [pattern]
                if names:
                    sql += f" AND kind IN ({', '.join('?' for _ in names)})"
                    args += names
                sql += " ORDER BY doc_id, rowid LIMIT ?"
                hits += [Hit(*row) for row in self._db.execute(sql, [*args, limit])]
            if (not kinds or "text" in kinds) and len(hits) < limit:
                # the distinct lines that match (through their index, or a scan of them),
                # then the documents holding them, in order, and where in each
                matching = (
                    "SELECT rowid FROM line_index WHERE folded LIKE ?"
                    if like == "LIKE ?"
                    else f"SELECT id FROM lines WHERE folded {like}"
                )
                lines = {r[0] for r in self._db.execute(matching, [pattern])}
                hits += self._text_hits(lines, limit - len(hits))
        return hits

    def _text_hits(self, lines: set[int], limit: int) -> list[Hit]:
        """Up to ``limit`` places of these lines, by document id and line number."""
        db = self._db
        if not lines:
            return []
        if len(lines) > _MANY_LINES:
            docs: Iterable[tuple[str, str, bytes | None]] = db.execute(
                "SELECT doc_id, file_name, lines FROM documents ORDER BY doc_id"
            )
        else:
            nums: set[int] = set()
            ordered = sorted(lines)
            for i in range(0, len(ordered), _MATCH_CHUNK):
                query = " OR ".join(f'"{line}"' for line in ordered[i : i + _MATCH_CHUNK])
                nums.update(r[0] for r in db.execute("SELECT rowid FROM doc_lines WHERE doc_lines MATCH ?", (query,)))
            found: list[tuple[str, int, str]] = []
            held = sorted(nums)
            for i in range(0, len(held), 500):
                chunk = held[i : i + 500]
                found += db.execute(
                    f"SELECT doc_id, num, file_name FROM documents WHERE num IN ({', '.join('?' for _ in chunk)})", chunk
                ).fetchall()
            found.sort()
            docs = ((doc_id, file_name, self._packed_lines(num)) for doc_id, num, file_name in found)
        places: list[tuple[str, str, int, int]] = []
        for doc_id, file_name, packed in docs:
            for n, line in enumerate(_unpack_ids(packed), start=1):
                if line in lines:
                    places.append((doc_id, file_name, n, line))
                    if len(places) >= limit:
                        break
            if len(places) >= limit:
                break
        wanted = sorted({line for *_, line in places})
        names = dict(db.execute(f"SELECT id, name FROM lines WHERE id IN ({', '.join('?' for _ in wanted)})", wanted))
        return [Hit("text", names[line], doc_id, f"{file_name}#L{n}-L{n}", "") for doc_id, file_name, n, line in places]

    def _packed_lines(self, num: int) -> bytes | None:
        """A document's packed line ids (None if a writer removed it since it was found)."""
        row = self._db.execute("SELECT lines FROM documents WHERE num = ?", (num,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        with self._lock:
            self._db.close()


# One index per open store object (weakly held: a closed, dropped store frees its index).
_INDEXES: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def _index_path(store: Store) -> Path | None:
    """``STORE-search.sqlite`` beside an on-disk store; ``$PIA_KG_SEARCH_DB`` for a remote
    store (so ``load`` and ``serve`` in different processes share it); else in memory."""
    folder = getattr(store, "path", None)
    if folder:
        return beside_store(folder, "-search.sqlite")
    configured = os.environ.get("PIA_KG_SEARCH_DB")
    return Path(configured) if configured else None


def index_for(store: Store, *, prune: bool = False) -> SearchIndex:
    """The search index of ``store`` (opened once per store object). With ``prune`` (what a
    writer does: a load before its first batch, a removal after it), the documents the store
    no longer holds are dropped from it. Readers never prune: a load writes a batch's entries
    just before the batch itself, and a reader pruning in between would drop them."""
    with _INDEXES_LOCK:
        index = _INDEXES.get(store)
        if index is None:
            index = _INDEXES[store] = SearchIndex(_index_path(store))
    if prune:
        index.prune(store)
    return index


def _pack(text: str) -> bytes:
    """A document's text as stored: UTF-8, compressed (a form's text compresses about 4.5
    times, for about 1.4 ms per document).

    >>> _unpack(_pack("委託先名")) == "委託先名"
    True
    """
    return zlib.compress(text.encode("utf-8"), 3)


def _unpack(stored: bytes) -> str:
    return zlib.decompress(stored).decode("utf-8")


def _ids_by_number(lines: Sequence[tuple[int, object, str]], ids: dict[str, int] | None) -> list[int]:
    """The id of each line of a document by its number (0 for a blank one), from its
    (number, line, folded line) and the id of each line (``None``: the lines are ids already).

    >>> _ids_by_number([(1, "甲", "甲"), (3, "乙", "乙")], {"甲": 7, "乙": 9})
    [7, 0, 9]
    >>> _ids_by_number([(2, 5, "")], None)
    [0, 5]
    """
    # Line numbers are distinct: the greatest tuple is the one of the last line, compared by
    # its number alone, and in C (a document has thousands of lines, a batch tens of documents).
    out = [0] * (max(lines)[0] if lines else 0)
    if ids is None:
        for n, name, _ in lines:
            out[n - 1] = name  # type: ignore[call-overload]
    else:
        for n, name, _ in lines:
            out[n - 1] = ids[name]  # type: ignore[index]
    return out


def _pack_ids(ids: Sequence[int]) -> bytes:
    """A document's line ids as stored: 32-bit little-endian, compressed.

    >>> _unpack_ids(_pack_ids([7, 0, 9]))
    [7, 0, 9]
    >>> _unpack_ids(None)
    []
    """
    packed = array("I", ids)
    if sys.byteorder != "little":
        packed.byteswap()
    return zlib.compress(packed.tobytes(), 1)


def _unpack_ids(stored: bytes | None) -> list[int]:
    if not stored:
        return []
    packed = array("I")
    packed.frombytes(zlib.decompress(stored))
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tolist()


def _tokens(ids: Iterable[int]) -> str:
    """A document's distinct line ids as the text ``doc_lines`` indexes (a removal gives the
    same text back, which a table without content needs to find what to delete).

    >>> _tokens([9, 7])
    '7 9'
    """
    return " ".join(map(str, sorted(ids)))


def index_entry(doc_id: str, file_name: str, sha256: str, text: str, graph: Graph) -> IndexEntry:
    """What the index holds of one document: its text, the names in its graph, its lines."""
    rows = _rows(document_hits(doc_id, graph))
    return IndexEntry(doc_id, file_name, sha256, _pack(text), tuple(rows), tuple(_lines(text)))


_Row = tuple[str, str, str, str, str, str]


def _rows(hits: Iterable[Hit]) -> list[_Row]:
    return [(fold(h.name), h.name, h.kind, h.doc_id, h.source, h.key) for h in hits]


def _lines(text: str) -> list[tuple[int, str, str]]:
    """(number, line up to 400 characters, folded line) of each non-blank line of the text.

    >>> _lines("第１項\\n\\n  委託先 ")
    [(1, '第１項', '第1項'), (3, '委託先', '委託先')]
    """
    out = []
    folded: dict[str, str] = {}  # a form repeats its lines: fold each once
    for n, line in enumerate(text.split("\n"), start=1):
        name = line.strip()[:400]
        if name:
            f = folded.get(name)
            if f is None:
                f = folded[name] = fold(name)
            out.append((n, name, f))
    return out


_NAME_PREDICATES = {
    PIA.contractorName: "contractor",
    PIA.recipientName: "recipient",
}

_UNIT_LINKS = (PIA.recipient, PIA.responsibleDepartment, PIA.usingDepartment, PIA.handlingDepartment)


def document_hits(doc_id: str, g: Graph) -> list[Hit]:
    """The names in one document's graph a person searches by, each with the first place in
    the text that names it (whatever order the graph's triples come in)."""
    hits: dict[tuple[str, str, str], Hit] = {}
    sources: dict[object, list[str]] = {}  # the graph's sources read at once, not per name
    for subject, source in g.subject_objects(PIA.source):
        sources.setdefault(subject, []).append(str(source))
    for kind, name, subject, key in _names(g):
        text = str(name or "").strip()
        if text:
            source = min(sources.get(subject, ()), key=_place, default="")
            hit = Hit(kind, text, doc_id, source, str(key or ""))
            known = hits.setdefault((kind, text, str(key)), hit)
            if _place(source) < _place(known.source):
                hits[(kind, text, str(key))] = hit
    return list(hits.values())


def _place(source: str) -> tuple[int, str]:
    """Where a ``FILE#Lstart-Lend`` source starts, to order sources by.

    >>> _place("a.txt#L12-L14") < _place("a.txt#L9-L30")
    False
    """
    start = source.rpartition("#L")[2].split("-")[0]
    return (int(start), source) if start.isdigit() else (1 << 62, source)


def _parties(g: Graph) -> Iterator[tuple[str, object, object, object]]:
    """Contractors and recipients as written, and their former names (skos:altLabel)."""
    for predicate, kind in _NAME_PREDICATES.items():
        link = PIA.contractor if kind == "contractor" else PIA.recipient
        for s, name in g.subject_objects(predicate):
            entity = g.value(s, link)
            yield kind, name, s, entity or ""
            for alt in g.objects(entity, SKOS.altLabel) if entity is not None else ():
                yield kind, alt, s, entity


def _names(g: Graph) -> Iterator[tuple[str, object, object, object]]:
    """(kind, name, the fact naming it, the entity or citation it stands for)."""
    yield from _parties(g)
    for link in _UNIT_LINKS:
        for s, unit in g.subject_objects(link):
            if (unit, ORG.unitOf, None) in g:
                yield "department", g.value(unit, RDFS.label), s, unit
    for s, body in g.subject_objects(PIA.body):
        yield "body", g.value(body, RDFS.label), s, body
        for title in g.objects(s, DCTERMS.title):
            yield "assessment", title, s, s
    for s, table in g.subject_objects(PIA.citedTable):
        item = g.value(s, PIA.citedItem)
        if item is not None:
            yield "item", f"{table} {item}", s, f"{table}|{item}"
