"""``pia-kg law load|fetch``: law tables into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pia_kg.cli.app import _progress, err, law_app, out, state


def _law_dir_or_hint(explicit: Path | None) -> Path | None:
    """The law tables' folder, or None after printing one line on how to get them."""
    from pia_kg.loaders.law.catalog import HOW_TO_GET_LAW_TABLES, discover_law_dir

    found = discover_law_dir(explicit)
    if found is None:
        err.print(HOW_TO_GET_LAW_TABLES, markup=False, highlight=False)
    return found


def _load_law(folder: Path) -> None:
    from pia_kg.pipeline import load_law_dir

    with _progress() as bar:
        task = bar.add_task("law tables", total=None, item="")
        report = load_law_dir(
            state.store(), folder, progress=lambda name: bar.update(task, advance=1, item=name, refresh=True)
        )
    table = Table("table", "version", "items", "source", title=f"law tables from {folder}")
    for v in report.law_versions:
        table.add_row(str(v["table"]), str(v["version"]), str(v["items"]), Path(str(v["source"])).name)
    out.print(table)
    out.print(f"store: {report.triples_before} → {report.triples_after} triples")


@law_app.command("load")
def law_load(
    path: Annotated[
        Path | None,  # noqa: UP007
        typer.Argument(help="Folder of law table TSV / e-Gov XML files (default: --law-dir or found)."),
    ] = None,
) -> None:
    """Load law table versions (番号法 別表第一/第二/別表, 主務省令第2条の表, ordinances)."""
    folder = _law_dir_or_hint(path or state.law_dir)
    if folder is None:
        raise typer.Exit(1)
    _load_law(folder)


@law_app.command("fetch")
def law_fetch(
    law_id: Annotated[str, typer.Argument(help="法令ID, e.g. 425AC0000000027 (番号法) or 506M60004008009 (主務省令).")],
    as_of: Annotated[
        str, typer.Option("--as-of", help="The date the law should be as in force on (YYYY-MM-DD).")
    ] = "",
    all_revisions: Annotated[
        bool,
        typer.Option("--all-revisions", help="Fetch every revision e-Gov lists (law_revisions), each into the cache."),
    ] = False,
    base_url: Annotated[
        str, typer.Option("--base-url", help="e-Gov 法令API v2 base URL (for a mirror).")
    ] = "",
    load_it: Annotated[bool, typer.Option("--load/--no-load", help="Also load the fetched tables.")] = True,
) -> None:
    """Download a law from the e-Gov 法令API v2 into the local law cache (needs internet)."""
    from pia_kg.loaders.law.fetch import DEFAULT_BASE_URL, fetch_law

    if all_revisions == bool(as_of):
        err.print("law fetch needs --as-of DATE or --all-revisions (one of them)", markup=False)
        raise typer.Exit(2)
    if all_revisions:
        path = _fetch_revisions(law_id, base_url or DEFAULT_BASE_URL)
    else:
        path = fetch_law(law_id, as_of, base_url=base_url or DEFAULT_BASE_URL)
        out.print(f"saved {path}", markup=False)
    if load_it:
        _load_law(path)


def _fetch_revisions(law_id: str, base_url: str) -> Path:
    """Every revision of the law into the cache; one line per outcome. Returns the cache."""
    from pia_kg.loaders.law.catalog import law_cache_dir
    from pia_kg.loaders.law.fetch_revisions import fetch_all_revisions

    report = fetch_all_revisions(law_id, base_url=base_url)
    out.print(
        f"{law_id}: {len(report.revisions)} revisions listed; {len(report.saved)} fetched, "
        f"{len(report.cached)} already cached, {len(report.failed)} failed",
        markup=False,
    )
    for revision, why in report.failed:
        err.print(f"  {revision}: {why}", markup=False, highlight=False)
    return law_cache_dir()
