"""``pia-kg load`` and ``pia-kg remove``: documents into and out of the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pia_kg.cli.app import _progress, app, err, out, state


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Documents (.txt) or folders of them.")],
    keep_going: Annotated[
        bool,
        typer.Option("--keep-going", help="Load the good documents even if some fail."),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents written per transaction.")
    ] = 25,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Parsing processes (default: one per core)."),
    ] = None,
) -> None:
    """Load assessment documents; each replaces its own earlier version (loading twice changes nothing)."""
    from pia_kg.pipeline import collect_files, load_documents

    files = collect_files(paths)
    with _progress() as bar:
        task = bar.add_task("loading", total=len(files), item="")

        def step(name: str) -> None:
            bar.update(task, advance=1, item=name)

        report = load_documents(
            state.store(),
            files,
            keep_going=keep_going,
            progress=step,
            batch_size=batch_size,
            workers=workers,
        )
    for warning in report.warnings:
        err.print(f"warning: {warning}", markup=False, highlight=False)
    for failure in report.failed:
        err.print(f"Error: {failure}", markup=False, highlight=False)
    table = Table("document", "kind", "triples", title="loaded")
    for doc in report.documents:
        table.add_row(str(doc["document"]), str(doc["kind"]), str(doc["triples"]))
    out.print(table)
    out.print(
        f"{len(report.documents)} document(s) loaded, {len(report.failed)} failed; "
        f"store: {report.triples_before} → {report.triples_after} triples"
    )
    if report.failed:
        raise typer.Exit(1)


@app.command()
def remove(docs: Annotated[list[str], typer.Argument(help="Document ids (file stem) or file names.")]) -> None:
    """Remove documents (their whole named graph) from the store."""
    from pia_kg.pipeline import remove_documents

    removed = remove_documents(state.store(), docs)
    out.print(f"removed {len(removed)} document(s): {', '.join(removed)}")


@app.command()
def rederive(
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Deriving processes (default: one per core)."),
    ] = None,
) -> None:
    """Derive everything again from the documents and law in the store (after a law change)."""
    from pia_kg.pipeline import rederive as rederive_all

    n = rederive_all(state.store(), workers=workers)
    out.print(f"derived again for {n} document(s)")
