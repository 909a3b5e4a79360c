"""The law table files pia-kg knows, the laws they belong to and their known revisions.

The facts live in ``catalog.toml`` beside this module (data, not code): that
``bango_beppyo1_old_20240518_503AC0000000039.tsv`` is 番号法 別表第一 as amended by revision
425AC0000000027_20240518_503AC0000000039, in force from 2024-05-18 until 2024-05-27; which
tables belong to which law; revisions known besides e-Gov's list (令和3年法律第37号 on
2021-05-19 and 2021-09-01, its 附則第1条). Readers (TSV, e-Gov XML), the RDF writer and the
law-status derivation take this knowledge from here instead of parsing file names.

In-force intervals of held versions run from the revision a file was taken from until the
next version *held* of the same table. Revisions in between that are not held (e-Gov's list,
``law_revisions.tsv``, read by :mod:`pia_kg.loaders.law.revisions`) make a date's answer
approximate; :mod:`pia_kg.derive.law_status` says which, for every date.

Where the tables are (:func:`discover_law_dir`), in order: an explicit option (``--law-dir``
or ``law load PATH``), ``$PIA_KG_LAW_DIR``, the cache that ``pia-kg law fetch`` fills, and
``../shared/law`` beside the checkout.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pia_kg.errors import LawDataError
from pia_kg.loaders.law.model import TableVersion
from pia_kg.text.legal import LawTable, table_by_key

__all__ = [
    "CatalogueEntry",
    "CATALOGUE",
    "LAWS",
    "KNOWN_REVISIONS",
    "LawEntry",
    "RevisionEntry",
    "law_of_table",
    "APPROXIMATE_NOTE",
    "entry_for_file",
    "entry_for_revision",
    "entry_for_raw_file",
    "RAW_XML_REVISIONS",
    "find_law_tables",
    "read_law_path",
    "version_in_force",
    "VersionChoice",
    "law_cache_dir",
    "discover_law_dir",
    "LAW_DIR_ENV",
    "HOW_TO_GET_LAW_TABLES",
]

LAW_DIR_ENV = "PIA_KG_LAW_DIR"

HOW_TO_GET_LAW_TABLES = (
    "law tables not found: pass --law-dir DIR (or set PIA_KG_LAW_DIR) to a folder of the "
    "番号法 table TSVs, or run `pia-kg law fetch 425AC0000000027 --as-of 2024-05-18` with internet"
)

APPROXIMATE_NOTE = (
    "In-force interval approximate: pia-kg holds snapshots, not every revision; the interval "
    "runs from this snapshot's revision to the next version held, and dates before the "
    "earliest held version resolve to it."
)


@dataclass(frozen=True)
class CatalogueEntry:
    """One known law table file: which table, which version, in force when.

    ``layout`` says how the file's rows are laid out: ``use`` (item, 機関, 事務),
    ``provision`` (item, 照会者, 事務, 提供者, 情報; one line per 提供者) or ``detail`` (one
    ordinance 号 per line, with the 別表 item it details). ``details`` names the
    (table key, version key) whose items a detail table's rows belong to.
    """

    file_name: str
    table_key: str
    version_key: str
    in_force_from: dt.date
    in_force_to: dt.date | None
    revision_id: str
    layout: str
    note: str
    details: tuple[str, str] | None = None
    # The e-Gov law whose XML holds the same table. For the two H26 ordinances this and
    # ``revision_id`` are the law ids as the source repository names the files (old e-Gov
    # id form); the exact e-Gov revision id of those snapshots is not known.
    xml_law_id: str | None = None

    @property
    def table(self) -> LawTable:
        return table_by_key(self.table_key)

    def empty_version(self, source: str) -> TableVersion:
        """A TableVersion with this entry's identity and interval, items still to be read."""
        return TableVersion(
            table=self.table,
            version_key=self.version_key,
            in_force_from=self.in_force_from,
            in_force_to=self.in_force_to,
            revision_id=self.revision_id,
            source=source,
            note=self.note,
        )


_CATALOGUE_FILE = Path(__file__).with_name("catalog.toml")


@dataclass(frozen=True)
class LawEntry:
    """A law whose tables pia-kg knows: its e-Gov id, name, and item tables."""

    law_id: str
    name: str
    tables: tuple[str, ...]
    revisions_listed_from: dt.date | None = None
    note: str = ""


@dataclass(frozen=True)
class RevisionEntry:
    """A revision of a law (an e-Gov ``law_revision_id``): when it took effect, by which law.

    ``source`` says where the fact comes from: a line of ``law_revisions.tsv`` or the
    catalogue's own reference (a 附則, SOURCES.md).
    """

    law_id: str
    revision_id: str
    date: dt.date
    amending_law: str
    source: str
    amending_law_title: str = ""
    changes: str = ""
    line: int | None = None  # line in law_revisions.tsv


def _load_catalogue() -> dict[str, Any]:
    try:
        with _CATALOGUE_FILE.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LawDataError(f"{_CATALOGUE_FILE}: cannot read the law catalogue: {exc}") from None


def _file_entry(raw: dict[str, Any]) -> CatalogueEntry:
    details = raw.get("details")
    return CatalogueEntry(
        file_name=raw["name"],
        table_key=raw["table"],
        version_key=raw["version"],
        in_force_from=raw["from"],
        in_force_to=raw.get("to"),
        revision_id=raw["revision"],
        layout=raw["layout"],
        note=raw.get("note", ""),
        details=(details[0], details[1]) if details else None,
        xml_law_id=raw.get("xml_law_id"),
    )


_DATA = _load_catalogue()

CATALOGUE: tuple[CatalogueEntry, ...] = tuple(_file_entry(f) for f in _DATA["file"])

LAWS: tuple[LawEntry, ...] = tuple(
    LawEntry(
        law_id=raw["id"],
        name=raw["name"],
        tables=tuple(raw.get("tables", ())),
        revisions_listed_from=raw.get("revisions_listed_from"),
        note=raw.get("note", ""),
    )
    for raw in _DATA["law"]
)

KNOWN_REVISIONS: tuple[RevisionEntry, ...] = tuple(
    RevisionEntry(
        law_id=raw["law"],
        revision_id=raw["id"],
        date=raw["date"],
        amending_law=raw["amending_law"],
        source=f"catalog.toml: {raw['source']}",
        amending_law_title=raw.get("amending_law_title", ""),
        changes=raw.get("changes", ""),
    )
    for raw in _DATA["revision"]
)

_BY_FILE = {e.file_name: e for e in CATALOGUE}

# The e-Gov XML files in ``raw/`` are bare <Law> documents that do not say which revision
# they are; SOURCES.md does.
RAW_XML_REVISIONS: dict[str, str] = dict(_DATA["raw_xml_revisions"])


def law_of_table(table_key: str) -> LawEntry | None:
    """The law whose item table ``table_key`` is (番号法 for 別表第一/第二/別表)."""
    return next((law for law in LAWS if table_key in law.tables), None)


def entry_for_file(name: str) -> CatalogueEntry | None:
    """The catalogue entry of a law table file, by its base name; None when unknown."""
    return _BY_FILE.get(Path(name).name)


def entry_for_revision(table_key: str, revision_id: str) -> CatalogueEntry | None:
    """The catalogue entry of ``table_key`` taken from e-Gov revision ``revision_id``."""
    return next(
        (e for e in CATALOGUE if e.table_key == table_key and e.revision_id == revision_id), None
    )


def entry_for_raw_file(name: str, table_key: str) -> CatalogueEntry | None:
    """The entry of ``table_key`` as held in the known raw e-Gov XML file ``name``."""
    revision = RAW_XML_REVISIONS.get(Path(name).name)
    return entry_for_revision(table_key, revision) if revision else None


def find_law_tables(law_dir: str | Path) -> list[TableVersion]:
    """Every law table version in ``law_dir``: its known TSV files and e-Gov XML files.

    TSVs are the catalogue's files; ``*.xml`` / ``*.json`` at the top of the folder are read
    as e-Gov 法令XML or 法令API v2 responses (what ``pia-kg law fetch`` saves). Where both
    give the same table version, the TSV wins (its text was checked by hand). Subfolders
    (``raw/``) and other files are ignored. A version read without an end date is closed
    at the next version held of the same table. Sorted by table key, then in-force date.

    Raises LawDataError when ``law_dir`` is not a folder or holds no table, and
    LoaderError (naming file and line) when a file is malformed.
    """
    from pia_kg.loaders.law.egov_xml import read_egov_tables
    from pia_kg.loaders.law.tsv import read_law_tsv

    folder = Path(law_dir)
    if not folder.is_dir():
        raise LawDataError(f"{folder}: not a folder of law tables. {HOW_TO_GET_LAW_TABLES}")
    versions = [
        read_law_tsv(folder / e.file_name, e) for e in CATALOGUE if (folder / e.file_name).is_file()
    ]
    held = {(v.table.key, v.version_key) for v in versions}
    for path in sorted([*folder.glob("*.xml"), *folder.glob("*.json")]):
        for version in read_egov_tables(path):
            if (version.table.key, version.version_key) not in held:
                held.add((version.table.key, version.version_key))
                versions.append(version)
    if not versions:
        known = ", ".join(e.file_name for e in CATALOGUE)
        raise LawDataError(f"{folder}: no law table file (expected e-Gov XML or any of: {known})")
    versions.sort(key=lambda v: (v.table.key, v.in_force_from))
    for before, after in zip(versions, versions[1:], strict=False):
        if before.table.key == after.table.key and before.in_force_to is None:
            before.in_force_to = after.in_force_from
    _link_details(versions)
    return versions


def _link_details(versions: list[TableVersion]) -> None:
    """Point each ordinance row at the held 別表 version that has the item it details.

    The catalogue pairs an ordinance snapshot with a 別表 snapshot, but snapshots were not
    taken on the same day: H26-7 (amended 2021-05-19) already details 別表第二 item 121,
    which the 2020-12-12 snapshot lacks. Such a row goes to the version in force when the
    ordinance version began, else the earliest held version that has the item.
    """
    from pia_kg.loaders.law.tsv import DetailItem

    by_table: dict[str, list[TableVersion]] = {}
    for v in versions:
        by_table.setdefault(v.table.key, []).append(v)
    for version in versions:
        for n, item in enumerate(version.items):
            if not isinstance(item, DetailItem) or not item.details_label:
                continue
            held = by_table.get(item.details_table, [])
            if any(
                v.version_key == item.details_version and v.item(item.details_label) for v in held
            ):
                continue
            having = [v for v in held if v.item(item.details_label)]
            current = [v for v in having if v.in_force_on(version.in_force_from)]
            target = (current or having or [None])[0]
            if target is not None:
                version.items[n] = replace(item, details_version=target.version_key)


def read_law_path(path: str | Path) -> list[TableVersion]:
    """The table versions at ``path`` (``pia-kg law load PATH``): a folder, a TSV or an XML.

    A folder is read by :func:`find_law_tables`; a ``.tsv`` must be a catalogue file; a
    ``.xml`` / ``.json`` is e-Gov 法令XML or a 法令API v2 response. Raises LawDataError for a
    missing path or another kind of file, LoaderError for a malformed one.
    """
    from pia_kg.loaders.law.egov_xml import read_egov_tables
    from pia_kg.loaders.law.tsv import read_law_tsv

    p = Path(path).expanduser()
    if p.is_dir():
        return find_law_tables(p)
    if not p.is_file():
        raise LawDataError(f"{p}: no such file or folder. {HOW_TO_GET_LAW_TABLES}")
    if p.suffix == ".tsv":
        return [read_law_tsv(p)]
    if p.suffix in (".xml", ".json"):
        versions = read_egov_tables(p)
        if not versions:
            raise LawDataError(f"{p}: no 番号法 別表 found in this law's XML")
        return versions
    raise LawDataError(f"{p}: not a law table (expected a folder, a .tsv, .xml or .json file)")


@dataclass(frozen=True)
class VersionChoice:
    """The version of a table that applies on a date, and whether that is only a guess."""

    version: TableVersion
    approximate: bool  # the date precedes every held version of the table
    reason: str = ""


def version_in_force(
    versions: list[TableVersion], table_key: str, date: dt.date
) -> VersionChoice | None:
    """The held version of ``table_key`` in force on ``date``.

    A date before the earliest held version resolves to that earliest version with
    ``approximate=True`` (old 別表第一/第二 were amended many times since 2015, but the text
    of most items, and the numbering of nearly all, held). A date after a table ended (old
    別表第一 after 2024-05-26) gives None: the table was not in force.
    """
    held = sorted((v for v in versions if v.table.key == table_key), key=lambda v: v.in_force_from)
    if not held:
        return None
    for v in held:
        if v.in_force_on(date):
            return VersionChoice(v, approximate=False)
    if date < held[0].in_force_from:
        return VersionChoice(
            held[0],
            approximate=True,
            reason=(
                f"{date.isoformat()} precedes the earliest held version of {held[0].table.label} "
                f"({held[0].in_force_from.isoformat()}); using it"
            ),
        )
    return None


def law_cache_dir() -> Path:
    """Where ``pia-kg law fetch`` saves downloaded e-Gov XML (platform user cache)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("pia-kg")) / "law"


def _has_tables(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    if any((folder / e.file_name).is_file() for e in CATALOGUE):
        return True
    return any(folder.glob("*.xml")) or any(folder.glob("*.json"))


def discover_law_dir(
    explicit: str | Path | None = None,
    *,
    cwd: Path | None = None,
    repo_root: Path | None = None,
) -> Path | None:
    """The folder the law tables are read from, or None when none is found.

    Checked in order: ``explicit`` (from ``--law-dir`` or ``law load PATH``; if given it must
    exist, else LawDataError, because silently falling back would load other tables than the
    user asked for), ``$PIA_KG_LAW_DIR`` (same rule), the fetch cache, then
    ``../shared/law`` beside the repository root (``repo_root``, default this checkout) and
    beside ``cwd``. The caller prints
    :data:`HOW_TO_GET_LAW_TABLES` when this returns None.
    """
    for given, origin in ((explicit, "--law-dir"), (os.environ.get(LAW_DIR_ENV), LAW_DIR_ENV)):
        if given:
            folder = Path(given).expanduser()
            if not _has_tables(folder):
                raise LawDataError(
                    f"{origin}={folder}: no law tables there. {HOW_TO_GET_LAW_TABLES}"
                )
            return folder
    root = repo_root or Path(__file__).resolve().parents[1]
    here = cwd or Path.cwd()
    candidates = [
        law_cache_dir(),
        root.parent / "shared" / "law",
        here.parent / "shared" / "law",
    ]
    return next((c for c in candidates if _has_tables(c)), None)
