"""``pia-kg demo``: load the law and the seeds, then answer the headline questions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pia_kg.cli.app import app, out, state
from pia_kg.cli.law import _law_dir_or_hint, _load_law
from pia_kg.headlines import HEADLINES
from pia_kg.named_queries import run_query
from pia_kg.results import term_text


@app.command()
def demo(
    data: Annotated[Path, typer.Option("--data", help="Folder of documents to load.")] = Path("data/assessments"),
    rows: Annotated[int, typer.Option("--rows", help="Rows shown per answer.")] = 12,
) -> None:
    """Load the law tables (if found) and data/, then answer the headline questions."""
    from pia_kg.named_queries import named_queries
    from pia_kg.pipeline import load_documents

    law = _law_dir_or_hint(state.law_dir)
    if law is not None:
        _load_law(law)
    report = load_documents(state.store(), [data])
    out.print(
        f"loaded {len(report.documents)} documents from {data} "
        f"({state.store().triple_count()} triples in {state.store_dir if not state.memory else 'memory'})"
    )
    known = named_queries()
    for h in HEADLINES:
        title, name, params, columns = h.question, h.query, h.params, h.columns
        if name not in known or (law is None and name != "assessments"):
            continue
        result = run_query(state.store(), name, params)
        shown = [result.variables.index(c) for c in columns]
        table = Table(*columns, title=f"{title}  ({len(result.rows)} rows)")
        for row in result.rows[:rows]:
            table.add_row(*(term_text(row[i])[:40] for i in shown))
        out.print(table)
        if len(result.rows) > rows:
            args = " ".join(f"--param {k}={v}" for k, v in params.items())
            out.print(f"… {len(result.rows) - rows} more: pia-kg query {name.replace('_', '-')} {args}")
