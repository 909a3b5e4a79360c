"""``pia-kg load`` and ``pia-kg remove``: documents into and out of the store."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pia_kg.cli.app import _progress, app, err, out, state
from pia_kg.cli.ask import TABLE_ROWS
from pia_kg.errors import PiaKgError

if TYPE_CHECKING:
    from pia_kg.pipeline import LoadReport


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
    again: Annotated[
        bool,
        typer.Option(
            "--again",
            help="Read every document again, also those the store holds as they are (the same file, "
            "read by this pia-kg against this law), which are otherwise skipped: after a new pdftotext, say.",
        ),
    ] = False,
) -> None:
    """Load assessment documents; each replaces its own earlier version (loading twice changes nothing).

    A file the store already holds as it is is not read again: loading a folder again after
    adding a file to it reads that file only. A load that leaves the store over 3 GiB and
    twice the size it had when last compacted (the first load of a country's documents, or
    every doubling of a store grown load by load) compacts the store's files at its end, as
    `pia-kg compact` does: a smaller store, and the next load costs less."""
    from pia_kg.pipeline import collect_files, load_documents

    files = collect_files(paths)
    with _progress() as bar:
        task = bar.add_task("loading", total=len(files), item="")

        def step(name: str) -> None:
            bar.update(task, advance=1, item=name, refresh=True)

        def stage(what: str) -> None:
            bar.update(task, item=what, refresh=True)

        report = load_documents(
            state.store(),
            files,
            keep_going=keep_going,
            progress=step,
            batch_size=batch_size,
            workers=workers,
            again=again,
            stage=stage,
        )
    _print_load_report(report)
    if report.failed:
        raise typer.Exit(1)


def _print_load_report(report: LoadReport) -> None:
    """Each document's quality report and row, for the first ``TABLE_ROWS`` documents (a
    national load has tens of thousands: minutes of text no one reads, where ``pia-kg check
    -f json`` gives them all), every failure, and the counts."""
    shown = report.documents[:TABLE_ROWS]
    for doc in shown:
        if "quality" in doc:
            _print_quality(doc["quality"])  # type: ignore[arg-type]
    for failure in report.failed:
        err.print(f"Error: {failure}", markup=False, highlight=False)
    table = Table("document", "kind", "triples", title="loaded")
    for doc in shown:
        table.add_row(str(doc["document"]), str(doc["kind"]), str(doc["triples"]))
    out.print(table)
    if len(report.documents) > TABLE_ROWS:
        warned = sum(1 for d in report.documents if d.get("quality", {}).get("warnings"))  # type: ignore[union-attr]
        err.print(
            f"{len(report.documents):,} documents, the first {TABLE_ROWS:,} listed; {warned:,} of them all "
            "with warnings: `pia-kg check -f json` gives every document's report",
            markup=False,
            highlight=False,
        )
    duplicates = sum(1 for d in report.documents if d["kind"] == "duplicate")
    unchanged = sum(1 for d in report.documents if d["kind"] == "unchanged")
    notes = [f"{duplicates} duplicate(s) of another file, not loaded again"] if duplicates else []
    notes += [f"{unchanged} unchanged, held as they are (--again reads them anyway)"] if unchanged else []
    out.print(
        f"{len(report.documents) - duplicates - unchanged} document(s) loaded"
        + (f" ({'; '.join(notes)})" if notes else "")
        + f", {len(report.failed)} failed; {report.triples_written} triples written"
    )
    for notice in report.notices:
        err.print(f"Warning: {notice}", markup=False, highlight=False, soft_wrap=True)
    if report.compacted:
        before, after = report.compacted
        times = "" if report.compactions < 2 else f" {report.compactions} times, each time it had doubled; the last"
        out.print(
            f"the store had doubled since it was last compacted (or made); the load compacted it (`pia-kg compact`){times}: "
            f"{before / 1e6:,.0f} MB -> {after / 1e6:,.0f} MB on disk"
        )


@app.command()
def remove(docs: Annotated[list[str], typer.Argument(help="Document ids (file stem) or file names.")]) -> None:
    """Remove documents (their whole named graph) from the store."""
    from pia_kg.pipeline import remove_documents

    removed = remove_documents(state.store(), docs)
    out.print(f"removed {len(removed)} document(s): {', '.join(removed)}")


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def check(
    paths: Annotated[list[Path], typer.Argument(help="Documents (.txt, .pdf) or folders of them.")],
    fmt: Annotated[
        CheckFormat, typer.Option("--format", "-f", help="text (default) or json.")
    ] = CheckFormat.text,
) -> None:
    """Read documents and print their quality report, without writing to the store."""
    from pia_kg.loaders.documents.assessment import load_assessment
    from pia_kg.loaders.documents.report import document_report
    from pia_kg.pipeline import collect_files

    reports: list[dict] = []
    seen: dict[str, str] = {}
    for path in collect_files(paths):
        try:
            quality = document_report(load_assessment(path))
        except PiaKgError as exc:
            reports.append({"document": path.name, "error": str(exc)})
            continue
        quality["file"] = path.name
        if quality["sha256"] in seen:
            quality["duplicate_of"] = seen[quality["sha256"]]
        seen.setdefault(quality["sha256"], path.name)
        reports.append(quality)
    if fmt is CheckFormat.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        for quality in reports:
            _print_quality(quality)
    if any("error" in r for r in reports):
        raise typer.Exit(1)


def _print_quality(q: dict) -> None:
    """One document's quality report as a few lines of text."""
    name = q.get("file", q["document"])
    if "error" in q:
        err.print(f"Error: {q['error']}", markup=False, highlight=False)
        return
    if "duplicate_of" in q:
        out.print(f"{name}: same content as {q['duplicate_of']} (sha256); not counted twice", markup=False)
        return
    c, s = q["counts"], q["stated"]
    out.print(
        f"{name}: {q['kind']}, {q['level'] or 'level unknown'}, 様式 {q['form'] or '?'}"
        f"{', ends early' if q['ends_early'] else ''}\n"
        f"  parts: {', '.join(q['parts']) or 'none'}\n"
        f"  systems {c['systems']}, files {c['files']} (stated {_n(s.get('files'))}), 委託 {c['outsourcing']}, "
        f"提供 {c['provisions']} (stated {_n(s['provisions'])}), "
        f"移転 {c['transfers']} (stated {_n(s['transfers'])}), "
        f"別紙 rows {c['annex_rows']}",
        markup=False,
        highlight=False,
    )
    for warning in q["warnings"]:
        err.print(f"  warning: {warning}", markup=False, highlight=False, soft_wrap=True)


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


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


@app.command()
def compact() -> None:
    """Merge the store's files and reclaim the space of replaced and removed graphs.

    Worth running after loads that grew the store step by step: the bulk loader writes each
    batch to files of its own, which overlap until merged (at 5,000 documents, 309-316 bytes
    per triple after the loads, 196-210 after this, in 40-100 s; a store under about 3 GB does
    not shrink). A load that leaves the store over 3 GiB and twice the size it had when last
    compacted (the first load of a country's documents, every doubling of a store grown
    load by load), `pia-kg rederive` and `pia-kg law load` compact by themselves. A running
    `pia-kg serve` goes on answering.
    """
    import contextlib
    import time

    started = time.perf_counter()
    with err.status("compacting the store") if err.is_terminal else contextlib.nullcontext():
        sizes = state.store().compact()
    if sizes is None:
        out.print("nothing to compact here: the store is not a folder this process writes")
        return
    before, after = sizes
    out.print(f"compacted in {time.perf_counter() - started:.1f} s: {before / 1e6:,.0f} MB -> {after / 1e6:,.0f} MB")
