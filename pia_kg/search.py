"""Full-text search beside the store, and the text of every loaded document.

A SQLite database (FTS5, trigram tokenizer) next to the store folder (``STORE-search.sqlite``;
in memory for a store without a folder) holds, per loaded document:

* its text, compressed (the source viewer shows it with the cited lines highlighted; the
  store itself keeps only ``pia:fileName`` and ``pia:sha256``), and
* one entry per name a person searches by — body, department, contractor (with its former
  names), recipient, assessment title, cited item — each with its ``FILE#Lstart-Lend`` source,
* and its lines: each distinct line of the corpus is stored and indexed once (documents of
  one form share most of theirs), and each document keeps the numbers of its lines.

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
import threading
import weakref
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDFS, Graph
from rdflib.namespace import DCTERMS, ORG, SKOS

from pia_kg.store import Store
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
    """One document as the index holds it: its text, the rows (folded name first) of its
    named entries, and its lines (number, line, folded line), ready to insert (made in a
    worker process, cheap to pickle)."""

    doc_id: str
    file_name: str
    sha256: str
    text: str
    rows: tuple[tuple[str, str, str, str, str, str], ...]
    lines: tuple[tuple[int, str, str], ...] = ()


#: The layout's version (``PRAGMA user_version``); an index of an older layout is brought up
#: to date when opened (:meth:`SearchIndex._upgrade`).
LAYOUT = 3

# Names are few per document: one FTS5 row each. Text lines are many, and documents of one
# form share most of them (labels, headings, boilerplate): each distinct line is stored and
# indexed once (``lines``, with an FTS5 index over it that keeps no copy of the text) and
# each document keeps only where its lines are (``places``: document, line number, line).
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
  num INTEGER PRIMARY KEY, doc_id TEXT UNIQUE NOT NULL, file_name TEXT, sha256 TEXT, text TEXT,
  title TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS entries USING fts5(
  folded, name UNINDEXED, kind UNINDEXED, doc_id UNINDEXED, source UNINDEXED, key UNINDEXED,
  tokenize = 'trigram'
);
CREATE TABLE IF NOT EXISTS lines (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, folded TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS line_index USING fts5(
  folded, content = 'lines', content_rowid = 'id', tokenize = 'trigram', detail = none
);
CREATE TABLE IF NOT EXISTS places (
  doc INTEGER NOT NULL, n INTEGER NOT NULL, line INTEGER NOT NULL, PRIMARY KEY (doc, n)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS places_of_line ON places (line, doc, n);
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY) WITHOUT ROWID;
PRAGMA user_version = {LAYOUT};
"""

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
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                layout = self._layout()
                if layout >= LAYOUT:
                    pass
                elif self._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'documents'").fetchone():
                    if layout < 2:
                        self._upgrade()
                    self._create()  # what later layouts added (pending), and the layout's number
                    # an older writer kept no note of entries written ahead of their batch:
                    # the next writer checks every document once
                    self._db.execute("INSERT OR IGNORE INTO pending SELECT doc_id FROM documents")
                else:
                    self._create()

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
            places = []
            for e in entries:
                title = next((row[1] for row in e.rows if row[2] == "assessment"), None)
                doc = self._db.execute(
                    "INSERT INTO documents (doc_id, file_name, sha256, text, title) VALUES (?, ?, ?, ?, ?)",
                    (e.doc_id, e.file_name, e.sha256, _pack(e.text), title),
                ).lastrowid
                self._db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", e.rows)
                places += [(line_ids[name], doc, n) for n, name, _ in e.lines]
            # written ahead of their batch: pending until the store has it (confirm, prune)
            self._db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", [(i,) for i in ids])
            # In the order of the index by line: each of its pages is read and written once
            # per batch, not once per row (the rows of a document go all over it, and it
            # grows with the corpus).
            places.sort()
            self._db.executemany("INSERT INTO places (line, doc, n) VALUES (?, ?, ?)", places)

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
        for (num,) in db.execute("SELECT num FROM documents").fetchall():  # one text at a time
            (text,) = db.execute("SELECT text FROM documents WHERE num = ?", (num,)).fetchone()
            lines = _lines(text)
            ids = self._ids_of_lines({(name, folded) for _, name, folded in lines})
            db.executemany("INSERT INTO places VALUES (?, ?, ?)", [(num, n, ids[name]) for n, name, _ in lines])
            db.execute("UPDATE documents SET text = ? WHERE num = ?", (_pack(text), num))

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
        # that only these documents held go too (looked up by line, not by scanning), and
        # out of the line index, which keeps no copy of them: it is told what it indexed.
        db = self._db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS dropping (doc_id TEXT PRIMARY KEY)")
        db.execute("CREATE TEMP TABLE IF NOT EXISTS left_lines (id INTEGER PRIMARY KEY)")
        db.execute("DELETE FROM dropping")
        db.execute("DELETE FROM left_lines")
        db.executemany("INSERT OR IGNORE INTO dropping VALUES (?)", [(d,) for d in doc_ids])
        dropped = "SELECT num FROM documents WHERE doc_id IN (SELECT doc_id FROM dropping)"
        db.execute(f"INSERT OR IGNORE INTO left_lines SELECT line FROM places WHERE doc IN ({dropped})")
        db.execute(f"DELETE FROM places WHERE doc IN ({dropped})")
        db.execute("DELETE FROM left_lines WHERE EXISTS (SELECT 1 FROM places WHERE places.line = left_lines.id)")
        db.execute(
            "INSERT INTO line_index (line_index, rowid, folded)"
            " SELECT 'delete', id, folded FROM lines WHERE id IN (SELECT id FROM left_lines)"
        )
        db.execute("DELETE FROM lines WHERE id IN (SELECT id FROM left_lines)")
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
                # then where each is
                matching = (
                    "SELECT rowid AS id FROM line_index WHERE folded LIKE ?"
                    if like == "LIKE ?"
                    else f"SELECT id FROM lines WHERE folded {like}"
                )
                sql = (
                    "SELECT 'text', l.name, d.doc_id, d.file_name || '#L' || p.n || '-L' || p.n, ''"
                    f" FROM ({matching}) AS m JOIN lines l ON l.id = m.id"
                    " JOIN places p ON p.line = l.id JOIN documents d ON d.num = p.doc"
                    " ORDER BY d.doc_id, p.n LIMIT ?"
                )
                hits += [Hit(*row) for row in self._db.execute(sql, [pattern, limit - len(hits)])]
        return hits

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
        return Path(folder).with_name(Path(folder).name + "-search.sqlite")
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


def index_entry(doc_id: str, file_name: str, sha256: str, text: str, graph: Graph) -> IndexEntry:
    """What the index holds of one document: its text, the names in its graph, its lines."""
    rows = _rows(document_hits(doc_id, graph))
    return IndexEntry(doc_id, file_name, sha256, text, tuple(rows), tuple(_lines(text)))


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
    for kind, name, subject, key in _names(g):
        text = str(name or "").strip()
        if text:
            source = min((str(s) for s in g.objects(subject, PIA.source)), key=_place, default="")
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
