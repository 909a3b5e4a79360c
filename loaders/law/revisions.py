"""Revisions of the laws and item facts known beyond the held tables, and their RDF.

Two files of the law folder are read by path (never copied): ``law_revisions.tsv`` (every
revision e-Gov's 法令API v2 ``law_revisions`` lists: revision id, 施行日, amending law) and
``bango_item_status_known.tsv`` (an item present, deleted, absent or reworded in a named
revision whose table is not held). With the revisions of ``catalog.toml`` (those before
e-Gov's list starts) they become one graph, :data:`~pia_kg.vocab.LAW_REVISIONS_GRAPH`:

- each revision a ``pia:LawRevision`` (an ``eli:LegalResource``): ``eli:id_local``,
  ``eli:first_date_entry_in_force``, ``pia:lawId``, ``pia:amendingLaw``;
- each item fact a ``pia:ItemStatusFact`` on its table (``pia:factTable``, ``pia:factItem``,
  ``pia:itemStatus``, ``pia:knownInRevision``).

Whether a revision is held as a table is not a fact of these files but of what the store
holds; :mod:`pia_kg.derive.law_status` derives it.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from pia_kg.errors import LoaderError
from pia_kg.loaders.law.catalog import KNOWN_REVISIONS, RevisionEntry
from pia_kg.text.items import normalize_item_label
from pia_kg.text.legal import table_by_label
from pia_kg.vocab import (
    ELI,
    LAW_REVISIONS_GRAPH,
    PIA,
    PREFIXES,
    RDF,
    RDFS,
    XSD,
    law_table_iri,
    mint,
)

__all__ = [
    "REVISIONS_FILE",
    "ITEM_FACTS_FILE",
    "ITEM_STATUSES",
    "ItemFact",
    "read_revisions",
    "read_item_facts",
    "known_revisions",
    "revision_iri",
    "revisions_graph",
]

REVISIONS_FILE = "law_revisions.tsv"
ITEM_FACTS_FILE = "bango_item_status_known.tsv"
ITEM_STATUSES = ("present", "deleted", "absent", "reworded")

_REVISION_HEADER = ("law_id", "law_revision_id", "enforcement_date", "amending_law_id")
_FACT_HEADER = ("table", "item", "status", "known_in_revision", "evidence")


@dataclass(frozen=True)
class ItemFact:
    """An item's state in a revision not held as a table: 別表第二 121 present in 2022-01-11."""

    table: str  # canonical label, e.g. 番号法別表第二
    item: str  # ASCII label, e.g. 7の2
    status: str  # present | deleted | absent | reworded
    revision_id: str
    evidence: str
    line: int


def _rows(path: Path, header: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            lines = list(csv.reader(fh, delimiter="\t"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaderError(f"cannot read: {exc}", source=path) from None
    if not lines or tuple(lines[0][: len(header)]) != header:
        raise LoaderError(f"header must start with {', '.join(header)}", source=path, line=1)
    return [(n, row) for n, row in enumerate(lines[1:], start=2) if any(c.strip() for c in row)]


def _date(text: str, path: Path, line: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise LoaderError(f"{text!r} is not a date (YYYY-MM-DD)", source=path, line=line) from None


def read_revisions(path: str | Path) -> list[RevisionEntry]:
    """The revisions listed in a ``law_revisions.tsv`` (LoaderError naming the line if malformed)."""
    p = Path(path)
    out = []
    for line, row in _rows(p, _REVISION_HEADER):
        if len(row) < 4 or not row[1].startswith(row[0]):
            raise LoaderError("expected law_id, a revision id of that law, date, amending law",
                              source=p, line=line)
        out.append(
            RevisionEntry(
                law_id=row[0].strip(),
                revision_id=row[1].strip(),
                date=_date(row[2], p, line),
                amending_law=row[3].strip(),
                source=f"{p.name}#L{line}-L{line}",
                line=line,
            )
        )
    return out


def read_item_facts(path: str | Path) -> list[ItemFact]:
    """The item facts of a ``bango_item_status_known.tsv``, checked (table, label, status)."""
    p = Path(path)
    out = []
    for line, row in _rows(p, _FACT_HEADER):
        row = [*row, "", "", "", "", ""][:5]
        table, item, status, revision, evidence = (c.strip() for c in row)
        if table_by_label(table) is None:
            raise LoaderError(f"unknown law table {table!r}", source=p, line=line)
        if status not in ITEM_STATUSES:
            raise LoaderError(f"status {status!r} is not one of {', '.join(ITEM_STATUSES)}",
                              source=p, line=line)
        try:
            label = normalize_item_label(item)
        except ValueError:
            raise LoaderError(f"{item!r} is not an item label", source=p, line=line) from None
        out.append(ItemFact(table, label, status, revision, evidence, line))
    return out


def known_revisions(law_dir: str | Path | None) -> tuple[list[RevisionEntry], list[ItemFact]]:
    """The catalogue's revisions plus those of ``law_dir``'s TSVs (when there), and its item facts.

    ``law_dir`` may be a folder or a file in it (``law load FILE`` reads the files beside it).
    A revision listed twice (catalogue and TSV) is kept once, the TSV's row first.
    """
    folder = None if law_dir is None else Path(law_dir)
    if folder is not None and not folder.is_dir():
        folder = folder.parent
    listed: list[RevisionEntry] = []
    facts: list[ItemFact] = []
    if folder is not None and (folder / REVISIONS_FILE).is_file():
        listed = read_revisions(folder / REVISIONS_FILE)
    if folder is not None and (folder / ITEM_FACTS_FILE).is_file():
        facts = read_item_facts(folder / ITEM_FACTS_FILE)
    seen = {r.revision_id for r in listed}
    revisions = listed + [r for r in KNOWN_REVISIONS if r.revision_id not in seen]
    revisions.sort(key=lambda r: (r.law_id, r.date, r.revision_id))
    return revisions, facts


def revision_iri(revision_id: str) -> URIRef:
    """A revision of a law, by its e-Gov ``law_revision_id``."""
    return mint("law-revision", revision_id)


def _fact_iri(fact: ItemFact) -> URIRef:
    key = table_by_label(fact.table).key  # type: ignore[union-attr]
    return mint("law-fact", key, fact.item, fact.revision_id, fact.status)


def revisions_graph(revisions: list[RevisionEntry], facts: list[ItemFact]) -> Graph:
    """The ``pia:LawRevision`` and ``pia:ItemStatusFact`` nodes, in LAW_REVISIONS_GRAPH."""
    g = Graph(identifier=LAW_REVISIONS_GRAPH)
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for r in revisions:
        node = revision_iri(r.revision_id)
        g.add((node, RDF.type, PIA.LawRevision))
        g.add((node, RDFS.label, Literal(f"{r.revision_id} ({r.date.isoformat()})")))
        g.add((node, ELI.id_local, Literal(r.revision_id)))
        g.add((node, ELI.first_date_entry_in_force, Literal(r.date, datatype=XSD.date)))
        g.add((node, PIA.lawId, Literal(r.law_id)))
        g.add((node, PIA.amendingLaw, Literal(r.amending_law)))
        comment = "; ".join(x for x in (r.amending_law_title, r.changes, r.source) if x)
        g.add((node, RDFS.comment, Literal(comment)))
        if r.line is not None:
            g.add((node, PIA.source, Literal(r.source)))
    for f in facts:
        node = _fact_iri(f)
        g.add((node, RDF.type, PIA.ItemStatusFact))
        g.add((node, PIA.factTable, law_table_iri(table_by_label(f.table).key)))  # type: ignore[union-attr]
        g.add((node, PIA.factItem, Literal(f.item)))
        g.add((node, PIA.itemStatus, Literal(f.status)))
        g.add((node, PIA.knownInRevision, revision_iri(f.revision_id)))
        g.add((node, RDFS.comment, Literal(f.evidence)))
        g.add((node, PIA.source, Literal(f"{ITEM_FACTS_FILE}#L{f.line}-L{f.line}")))
    return g
