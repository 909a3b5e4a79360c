"""``pia-kg impact``: what an amendment breaks, as a table and as CSV/JSON/HTML reports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pia_kg.cli.app import app, err, out, state

if TYPE_CHECKING:
    from pia_kg.impact.report import ImpactReport

#: Rows (and bodies) printed by default: a screenful; the files hold the rest.
SHOWN = 40


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
    body: Annotated[
        str | None,  # noqa: UP007
        typer.Option("--body", help="Only this body's assessments (団体名, in any width or spacing)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for impact.csv/.json/.html/.xlsx.")] = Path("reports"),
    show: Annotated[
        int,
        typer.Option(
            "--show", min=0,
            help="Rows of the fix list, and bodies of the summary, printed here (0: none); "
            "the files hold every row.",
        ),
    ] = SHOWN,
) -> None:
    """What an amendment breaks in the loaded assessments, and what each citation should say.

    Prints the first rows of the fix list and the rows per body and kind of change, and
    writes every row to impact.csv, impact.xlsx and impact.json, with a page to read
    (impact.html). A national report (every assessment loaded) runs to a hundred thousand
    rows: read it in the files, or narrow it with --body or --assessment.
    """
    from pia_kg.cli.ask import resolve_assessment
    from pia_kg.headlines import body_assessments
    from pia_kg.impact.amendment import amendment_by_key, read_what_if
    from pia_kg.impact.render import write_reports
    from pia_kg.impact.report import build_impact_report, build_what_if_report

    if (amendment is None) == (what_if is None):
        raise typer.BadParameter("give --amendment DATE or --what-if FILE (one of them)")
    if assessment and body:
        raise typer.BadParameter("give --assessment or --body (one of them)")
    store = state.store(write=False)
    if assessment:
        assessment = resolve_assessment(store, assessment)
    chosen = body_assessments(store, body) if body else None
    if what_if is not None:
        report = build_what_if_report(
            store, read_what_if(what_if, table=table), assessment=assessment, assessments=chosen, law_dir=state.law_dir
        )
    else:
        report = build_impact_report(store, amendment_by_key(amendment or ""), assessment=assessment, assessments=chosen)
    _print_report(report, show, out_dir)
    doc_dirs = [Path.cwd() / "data" / "assessments", Path(__file__).resolve().parents[2] / "data" / "assessments"]
    for path in write_reports(report, out_dir, doc_dirs=doc_dirs):
        err.print(f"wrote {path}")


def _print_report(report: ImpactReport, show: int, out_dir: Path) -> None:
    """The first ``show`` rows of the fix list, the counts of the ``show`` bodies with the most
    rows, and where the rest is."""
    total = len(report.rows)
    if show:
        rows = Table("body", "source", "department / recipient", "cites now", "should cite", "change", "conf.")
        for r in report.rows[:show]:
            cites = r.article if r.change == "article renumbered" else f"{r.cited_table} {r.cited_item}".strip()
            rows.add_row(r.organization, r.source, r.party[:30], cites, r.corrected, r.change, f"{r.confidence:.2f}")
        if total:
            out.print(rows)
        counts = report.counts()
        bodies = list(counts)
        title = "rows per body and kind of change"
        if len(bodies) > show:
            bodies = sorted(bodies, key=lambda b: -sum(counts[b].values()))[:show]
            title = f"rows per kind of change: the {show} bodies (of {len(counts):,}) with the most"
        summary = Table("body", *report.totals(), "total", title=title)
        for body in bodies:
            by_kind = counts[body]
            summary.add_row(body, *(str(by_kind.get(k, 0)) for k in report.totals()), str(sum(by_kind.values())))
        if bodies:
            out.print(summary)
    out.print(f"{total:,} broken citation row(s); {len(report.problems):,} already wrong before (see the HTML)")
    if total > show:
        shown = f"printed: the first {show:,}; " if show else ""
        out.print(f"{shown}every row is in {out_dir / 'impact.csv'} (and .xlsx, .json)")
