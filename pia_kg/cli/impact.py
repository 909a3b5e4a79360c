"""``pia-kg impact``: what an amendment breaks, as a table and as CSV/JSON/HTML reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pia_kg.cli.app import app, err, out, state


@app.command()
def impact(
    amendment: Annotated[
        str | None,  # noqa: UP007
        typer.Option("--amendment", help="A known amendment by date: 2024-05-27 or 2021-09-01."),
    ] = None,
    what_if: Annotated[
        Path | None,  # noqa: UP007
        typer.Option("--what-if", help="TSV of table, old_item, new_item (or a new law table TSV)."),
    ] = None,
    table: Annotated[
        str | None,  # noqa: UP007
        typer.Option("--table", help="With a law-table --what-if: the table it is a new version of."),
    ] = None,
    assessment: Annotated[
        str | None,  # noqa: UP007
        typer.Option("--assessment", help="Only this assessment (its document id or IRI)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for impact.csv/.json/.html.")] = Path("reports"),
) -> None:
    """What an amendment breaks in the loaded assessments, and what each citation should say."""
    from pia_kg.cli.ask import resolve_assessment
    from pia_kg.impact.amendment import amendment_by_key, read_what_if
    from pia_kg.impact.render import write_reports
    from pia_kg.impact.report import build_impact_report, build_what_if_report

    if (amendment is None) == (what_if is None):
        raise typer.BadParameter("give --amendment DATE or --what-if FILE (one of them)")
    if assessment:
        assessment = resolve_assessment(state.store(), assessment)
    if what_if is not None:
        report = build_what_if_report(
            state.store(), read_what_if(what_if, table=table), assessment=assessment, law_dir=state.law_dir
        )
    else:
        report = build_impact_report(state.store(), amendment_by_key(amendment or ""), assessment=assessment)
    rows = Table("body", "source", "department / recipient", "cites now", "should cite", "change", "conf.")
    for r in report.rows:
        cites = r.article if r.change == "article renumbered" else f"{r.cited_table} {r.cited_item}".strip()
        rows.add_row(r.organization, r.source, r.party[:30], cites, r.corrected, r.change, f"{r.confidence:.2f}")
    out.print(rows)
    summary = Table("body", *report.totals(), "total", title="rows per body and kind of change")
    for body, by_kind in report.counts().items():
        summary.add_row(body, *(str(by_kind.get(k, 0)) for k in report.totals()), str(sum(by_kind.values())))
    out.print(summary)
    out.print(f"{len(report.rows)} broken citation row(s); {len(report.problems)} already wrong before (see the HTML)")
    doc_dirs = [Path.cwd() / "data" / "assessments", Path(__file__).resolve().parents[2] / "data" / "assessments"]
    for path in write_reports(report, out_dir, doc_dirs=doc_dirs):
        err.print(f"wrote {path}")
