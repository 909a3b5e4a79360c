"""The law table files pia-kg knows, what each one is, and where to find them.

The one place that knows that ``bango_beppyo1_old_20240518_503AC0000000039.tsv`` is 番号法
別表第一 as amended by revision 425AC0000000027_20240518_503AC0000000039, in force from
2024-05-18 until 2024-05-27; readers (TSV, e-Gov XML) and the RDF writer take this knowledge
from here instead of parsing file names themselves.

In-force intervals are ours, not e-Gov's: we hold a few snapshots, not every revision. A
version runs from the revision it was taken from until the next version *we hold* of the
same table, so an interval start is only as good as the snapshot (intermediate revisions,
e.g. the 2021–2024 amendments of 別表第一, are not held: a date between two snapshots
resolves to the older one, which may lack an item added in between). Dates before the
earliest held version (assessments from 2015–2020 cite 別表第一/第二 too) resolve to the
earliest held version, flagged as approximate: :func:`version_in_force` says so.

Where the tables are (:func:`discover_law_dir`), in order: an explicit option (``--law-dir``
or ``law load PATH``), ``$PIA_KG_LAW_DIR``, the cache that ``pia-kg law fetch`` fills, and
``../shared/law`` beside the checkout.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

from pia_kg.errors import LawDataError
from pia_kg.loaders.law.model import TableVersion
from pia_kg.text.legal import LawTable, table_by_key

__all__ = [
    "CatalogueEntry",
    "CATALOGUE",
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


_D = dt.date
_OLD_2021_REV = "425AC0000000027_20201212_502AC0000000044"
_OLD_2024_REV = "425AC0000000027_20240518_503AC0000000039"
_SNAPSHOT_2021 = "e-Gov 2021 snapshot (last 改正 令和2年法律第52号). " + APPROXIMATE_NOTE
_SNAPSHOT_2024 = (
    "Last version before the 2024-05-27 reform (令和3年法律第39号 revision). "
    "Revisions between the 2021 snapshot and this one are not held. " + APPROXIMATE_NOTE
)

CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        "bango_beppyo1_old_egov2021snapshot.tsv",
        "bango-beppyo1",
        "2020-12-12",
        _D(2020, 12, 12),
        _D(2024, 5, 18),
        _OLD_2021_REV,
        "use",
        _SNAPSHOT_2021,
        xml_law_id="425AC0000000027",
    ),
    CatalogueEntry(
        "bango_beppyo2_old_egov2021snapshot.tsv",
        "bango-beppyo2",
        "2020-12-12",
        _D(2020, 12, 12),
        _D(2024, 5, 18),
        _OLD_2021_REV,
        "provision",
        _SNAPSHOT_2021,
        xml_law_id="425AC0000000027",
    ),
    CatalogueEntry(
        "bango_beppyo1_old_20240518_503AC0000000039.tsv",
        "bango-beppyo1",
        "2024-05-18",
        _D(2024, 5, 18),
        _D(2024, 5, 27),
        _OLD_2024_REV,
        "use",
        _SNAPSHOT_2024,
        xml_law_id="425AC0000000027",
    ),
    CatalogueEntry(
        "bango_beppyo2_old_20240518_503AC0000000039.tsv",
        "bango-beppyo2",
        "2024-05-18",
        _D(2024, 5, 18),
        _D(2024, 5, 27),
        _OLD_2024_REV,
        "provision",
        _SNAPSHOT_2024,
        xml_law_id="425AC0000000027",
    ),
    CatalogueEntry(
        "bango_beppyo_new_20240527_505AC0000000048.tsv",
        "bango-beppyo",
        "2024-05-27",
        _D(2024, 5, 27),
        None,
        "425AC0000000027_20240527_505AC0000000048",
        "use",
        "番号法 別表 from the 2024-05-27 reform (令和5年法律第48号). Later revisions, if any, "
        "are not held.",
        xml_law_id="425AC0000000027",
    ),
    CatalogueEntry(
        "shumu_shorei_506M60004008009_art2_table_20240527.tsv",
        "shumu-shorei-art2",
        "2024-05-27",
        _D(2024, 5, 27),
        None,
        "506M60004008009_20240527_000000000000000",
        "provision",
        "令和6年デジタル庁・総務省令第9号 第二条の表 as enacted (施行 2024-05-27). Later "
        "revisions, if any, are not held.",
        xml_law_id="506M60004008009",
    ),
    CatalogueEntry(
        "ordinance_H26_5_beppyo1_jimu_by_article_egov2021snapshot.tsv",
        "h26-ordinance-5",
        "2020-08-31",
        _D(2020, 8, 31),
        _D(2024, 5, 27),
        "426M6000000a005",
        "detail",
        "e-Gov 2021 snapshot of 平成26年内閣府・総務省令第5号 (last 改正 in the file: "
        "令和2年8月31日内閣府・総務省令第9号, dated by its 公布). Its rows detail 別表第一 "
        "items of the 2021 snapshot; the interval ends with 別表第一 itself. " + APPROXIMATE_NOTE,
        details=("bango-beppyo1", "2020-12-12"),
        xml_law_id="426M6000000a005",
    ),
    CatalogueEntry(
        "ordinance_H26_7_beppyo2_jimu_info_by_article_egov2021snapshot.tsv",
        "h26-ordinance-7",
        "2021-05-19",
        _D(2021, 5, 19),
        _D(2024, 5, 27),
        "426M6000000a007",
        "detail",
        "e-Gov 2021 snapshot of 平成26年内閣府・総務省令第7号 (last 改正 in the file: "
        "令和3年5月19日内閣府・総務省令第4号, dated by its 公布); repealed 2024-05-27 by "
        "附則第2条 of 令和6年デジタル庁・総務省令第9号. Its rows detail 別表第二 items of the "
        "2021 snapshot. " + APPROXIMATE_NOTE,
        details=("bango-beppyo2", "2020-12-12"),
        xml_law_id="426M6000000a007",
    ),
)

_BY_FILE = {e.file_name: e for e in CATALOGUE}

# The e-Gov XML files in ``raw/`` are bare <Law> documents that do not say which revision
# they are; SOURCES.md does.
RAW_XML_REVISIONS: dict[str, str] = {
    "kuboon-elaws-xml_3d297823_docs_xml_425AC0000000027.xml": _OLD_2021_REV,
    "kuboon-elaws-xml_3d297823_docs_xml_426M6000000a005.xml": "426M6000000a005",
    "kuboon-elaws-xml_3d297823_docs_xml_426M6000000a007.xml": "426M6000000a007",
}


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
