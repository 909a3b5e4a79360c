"""Asking the store: named queries, SPARQL, the graph as a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pia_kg.cli.app import app, err, out, state
from pia_kg.named_queries import get_query, named_queries, run_query, run_sparql
from pia_kg.results import ResultFormat, serialize_result, term_text
from pia_kg.store import ExportFormat, QueryResult


def _print_result(result: QueryResult, fmt: ResultFormat) -> None:
    if fmt is ResultFormat.table and result.kind == "select":
        table = Table(*result.variables, show_lines=False)
        for row in result.rows:
            table.add_row(*(term_text(t) for t in row))
        out.print(table)
        err.print(f"{len(result.rows)} row(s)")
        return
    sys.stdout.write(serialize_result(result, fmt))
    sys.stdout.flush()


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise typer.BadParameter(f"{pair!r}: write parameters as NAME=VALUE", param_hint="--param")
        k, v = pair.split("=", 1)
        params[k.strip()] = v
    return params


FormatOption = Annotated[
    ResultFormat, typer.Option("--format", "-f", help="table, csv, tsv, json (SPARQL 1.1 JSON) or xml.")
]


@app.command()
def query(
    name: Annotated[str, typer.Argument(help="A named query (see `pia-kg queries`).")],
    param: Annotated[
        list[str] | None,  # noqa: UP007
        typer.Option("--param", "-p", help="NAME=VALUE, repeatable."),
    ] = None,
    fmt: FormatOption = ResultFormat.table,
) -> None:
    """Run a named query with typed parameters."""
    result = run_query(state.store(), name, _parse_params(param or []))
    _print_result(result, fmt)


@app.command()
def sparql(
    text: Annotated[str, typer.Argument(help="SPARQL 1.1 query text, or @FILE to read it from a file.")],
    fmt: FormatOption = ResultFormat.table,
) -> None:
    """Run a SPARQL query over all graphs (the default graph is their union)."""
    from pia_kg.admission import QueryLimits, admit

    if text.startswith("@"):
        text = _read_query_file(Path(text[1:]))
    # Size and nesting limits (a parser overflows its stack on deep nesting); SERVICE is
    # the operator's own choice here.
    admit(text, QueryLimits(allowed_services=None))
    _print_result(run_sparql(state.store(), text), fmt)


def _read_query_file(path: Path) -> str:
    from pia_kg.errors import LoaderError

    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise LoaderError(f"cannot read the query file: {reason}", source=path) from None


@app.command()
def queries() -> None:
    """List the named queries and their parameters."""
    table = Table("name", "title", "parameters")
    for q in named_queries().values():
        params = ", ".join(
            f"{p.name}:{p.type}{'' if p.required else '?'}" + (f" (e.g. {p.example})" if p.example else "")
            for p in q.params
        )
        table.add_row(q.name.replace("_", "-"), q.title, params or "—")
    out.print(table)


@app.command()
def describe(name: Annotated[str, typer.Argument(help="A named query.")]) -> None:
    """Show a named query's description, parameters and SPARQL text."""
    q = get_query(name)
    out.print(f"{q.title}\n\n{q.description}\n", markup=False)
    sys.stdout.write(q.text)


@app.command()
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="turtle, nquads, trig or jsonld.")] = ExportFormat.turtle,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,  # noqa: UP007
) -> None:
    """Export the whole graph (nquads/trig/jsonld keep the named graphs; turtle is their union)."""
    data = state.store().export(fmt)
    if output:
        output.write_bytes(data)
        err.print(f"wrote {len(data)} bytes to {output}")
    else:
        sys.stdout.buffer.write(data)


@app.command()
def graphs() -> None:
    """List the named graphs in the store with their triple counts."""
    s = state.store()
    table = Table("graph", "triples")
    for g in s.named_graphs():
        table.add_row(str(g), str(s.triple_count(g)))
    out.print(table)
    out.print(f"total: {s.triple_count()} triples")
