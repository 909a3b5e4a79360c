"""Asking the store: named queries, SPARQL, the graph as a file."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pia_kg.cli.app import app, err, out, state
from pia_kg.errors import ParameterError
from pia_kg.named_queries import get_query, named_queries, run_query, run_sparql, stream_query
from pia_kg.results import ResultFormat, serialize_result, term_text, write_rows
from pia_kg.store import ExportFormat, QueryResult, Store

if TYPE_CHECKING:
    from rdflib.term import Node

#: Exit code of a query that answers no rows because what it asks about does not exist
#: (an item no held version has, a date no held version covers); the reason goes to stderr.
EXIT_NO_SUCH_THING = 3

#: Rows a text table prints at most: a corpus-wide answer (100,000 rows at 5,000 assessments)
#: took minutes to lay out for a terminal no one reads that far; the other formats give all.
TABLE_ROWS = 2000


def _short(text: str) -> str:
    """An assessment IRI as its document id, for tables read in a terminal."""
    from pia_kg.vocab import document_iri

    prefix = str(document_iri("")).rstrip("/") + "/"
    if text.startswith(prefix) and text.endswith("/assessment/main"):
        return text[len(prefix) : -len("/assessment/main")]
    return text


def _select_columns(result: QueryResult, columns: list[str] | None) -> QueryResult:
    """Only ``columns`` (in that order); ParameterError naming the columns there are."""
    if not columns or result.kind != "select":
        return result
    idx = _column_indexes(result.variables, columns)
    return QueryResult("select", list(columns), [tuple(row[i] for i in idx) for row in result.rows])


def _column_indexes(variables: list[str], columns: list[str]) -> list[int]:
    """Where each of ``columns`` is among ``variables``; ParameterError naming the columns there are."""
    unknown = [c for c in columns if c not in variables]
    if unknown:
        raise ParameterError(f"no column {unknown[0]!r}; columns: {', '.join(variables)}", param="--columns")
    return [variables.index(c) for c in columns]


def _print_result(result: QueryResult, fmt: ResultFormat, columns: list[str] | None = None) -> None:
    result = _select_columns(result, columns)
    if fmt is ResultFormat.table and result.kind == "select":
        # Cells wrap (never cut with …) so a long name stays readable in a normal terminal.
        table = Table(show_lines=False)
        for v in result.variables:
            table.add_column(v, overflow="fold")
        for row in result.rows[:TABLE_ROWS]:
            table.add_row(*(_short(term_text(t)) for t in row))
        out.print(table)
        if len(result.rows) > TABLE_ROWS:
            err.print(f"{len(result.rows):,} row(s), the first {TABLE_ROWS:,} printed: -f csv, or -o FILE.csv "
                      "or FILE.xlsx, gives every row", markup=False, highlight=False)
        else:
            err.print(f"{len(result.rows)} row(s)")
        return
    sys.stdout.write(serialize_result(result, fmt))
    sys.stdout.flush()


def _print_law_status(result: QueryResult) -> None:
    """One line per law status an answer read as of a date carries (held, approximate …)."""
    status_of = _law_status_of(result.variables) if result.kind == "select" else None
    if status_of is not None:
        _print_law_statuses(dict.fromkeys(map(status_of, result.rows)))


def _law_status_of(variables: list[str]) -> Callable[[tuple[Node | None, ...]], tuple[str, str]] | None:
    """A row's law status and note, for an answer that carries them (None: it does not)."""
    if "law_status" not in variables:
        return None
    status = variables.index("law_status")
    note = variables.index("law_note") if "law_note" in variables else None
    return lambda row: (term_text(row[status]), term_text(row[note]) if note is not None else "")


def _print_law_statuses(seen: Iterable[tuple[str, str]]) -> None:
    for value, text in seen:
        if value and value != "held" or text:
            err.print(f"law status: {value}" + (f" — {text}" if text else ""), markup=False, highlight=False)


def resolve_assessment(store: Store, value: str) -> str:
    """An assessment IRI from a document id (``001_57af33314b6a26f0``) or the IRI itself.

    UnknownNameError naming the closest loaded documents when the id is not loaded.
    """
    from pia_kg.headlines import assessment_key

    return assessment_key(store, value)


def _checked_params(store: Store, name: str, params: dict[str, str]) -> dict[str, str]:
    """Parameters as the query wants them: a known law table and an item number (canonical),
    an assessment given by its document id turned into its IRI."""
    from pia_kg.headlines import item_key

    declared = {p.name: p for p in get_query(name).params}
    checked = dict(params)
    if "table" in declared and "table" in params:
        checked["table"], _ = item_key(params["table"], params.get("item") or "1")
    if "item" in declared and "item" in params:
        _, checked["item"] = item_key(checked.get("table") or "番号法別表", params["item"])
    for pname, p in declared.items():
        if p.type == "iri" and pname in params:
            checked[pname] = resolve_assessment(store, params[pname])
    return checked


def why_empty(store: Store, params: dict[str, str]) -> str | None:
    """Why a query about a law-table item answers no rows, when the item or date is the cause."""
    table, item, as_of = params.get("table"), params.get("item"), params.get("as_of")
    if not (table and item):
        return None
    versions = run_query(store, "item_meaning", {"table": table, "item": item}).values()
    if not versions:
        return f"{table} has no item {item} in any version held (pia-kg law versions lists them)"
    if as_of and not run_query(store, "item_meaning", {"table": table, "item": item, "as_of": as_of}).rows:
        spans = ", ".join(f"{v['valid_from'] or '?'}–{v['valid_until'] or ''}" for v in versions)
        return f"{table} item {item} is not in the version in force on {as_of}; it is held in force {spans}"
    return None


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
ColumnsOption = Annotated[
    str | None,  # noqa: UP007
    typer.Option("--columns", "-c", help="Only these columns, comma-separated, in this order (e.g. organization,department)."),
]


OutputOption = Annotated[
    Path | None,  # noqa: UP007
    typer.Option("--output", "-o", help="Write to this file; a name ending in .xlsx writes an Excel workbook."),
]
JapaneseOption = Annotated[
    bool, typer.Option("--japanese", "-j", help="Japanese column headings and coded values in words (CSV, xlsx).")
]
BomOption = Annotated[bool, typer.Option("--bom", help="Start CSV with a UTF-8 BOM, so Excel reads it.")]


class _Watched:
    """Rows passed on as they come, counted, their law statuses noted, their ``columns``
    chosen (all when None): what is said of an answer written without being held."""

    def __init__(self, variables: list[str], rows: Iterator[tuple[Node | None, ...]], columns: list[str] | None):
        self._at = _column_indexes(variables, columns) if columns else None
        self.variables = list(columns or variables)
        self.count = 0
        self.statuses: dict[tuple[str, str], None] = {}
        self._status_of = _law_status_of(variables)
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        status_of, at = self._status_of, self._at
        for row in self._rows:
            self.count += 1
            if status_of is not None:
                self.statuses.setdefault(status_of(row))
            yield row if at is None else tuple(row[i] for i in at)


@contextmanager
def _stdout_text() -> Iterator[io.TextIOWrapper]:
    """Standard output as UTF-8 text written as it comes (CSV's own line ends kept), flushed
    and handed back at the end."""
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
    try:
        yield stream
    finally:
        stream.flush()
        stream.detach()


def _export(
    watched: _Watched, fmt: ResultFormat, output: Path | None, *, japanese: bool, bom: bool
) -> None:
    """The rows as a spreadsheet people open: .xlsx (by the output's name) or CSV, written as
    they come (a corpus-wide listing is never held whole), a file under a temporary name until
    whole."""
    from pia_kg.exports import rows_table, write_csv, write_whole, write_xlsx

    xlsx = output is not None and output.suffix.lower() == ".xlsx"
    if not xlsx and fmt not in (ResultFormat.csv, ResultFormat.table):
        raise ParameterError("--japanese and --bom apply to CSV and .xlsx only", param="--format")
    table = rows_table(watched.variables, iter(watched))
    if output is None:
        with _stdout_text() as stream:
            write_csv(stream, table, japanese=japanese, bom=bom)
        return

    def write(part: Path) -> None:
        if xlsx:
            write_xlsx(part, table, japanese=japanese)
        else:
            with part.open("w", encoding="utf-8", newline="") as f:
                write_csv(f, table, japanese=japanese, bom=bom)

    write_whole(output, write)
    err.print(f"wrote {watched.count} row(s) to {output}", markup=False, highlight=False)


def _columns(text: str | None) -> list[str] | None:
    return [c.strip() for c in text.split(",") if c.strip()] if text else None


@app.command()
def query(
    name: Annotated[str, typer.Argument(help="A named query (see `pia-kg queries`).")],
    param: Annotated[
        list[str] | None,  # noqa: UP007
        typer.Option("--param", "-p", help="NAME=VALUE, repeatable."),
    ] = None,
    fmt: FormatOption = ResultFormat.table,
    columns: ColumnsOption = None,
    output: OutputOption = None,
    japanese: JapaneseOption = False,
    bom: BomOption = False,
) -> None:
    """Run a named query with typed parameters.

    An assessment parameter takes a document id (001_57af33314b6a26f0) or the IRI; a table
    and an item are checked (a wrong table name or an impossible item is an error). When no
    row answers because the item or the date does not exist, the reason is printed and the
    exit code is 3.
    """
    store = state.store(write=False)
    params = _checked_params(store, name, _parse_params(param or []))
    spreadsheet = output is not None or japanese or bom
    if spreadsheet or fmt is not ResultFormat.table:
        # written as the store reads them: a corpus-wide listing is never held whole
        watched = _Watched(*stream_query(store, name, params), _columns(columns))
        if spreadsheet:
            _export(watched, fmt, output, japanese=japanese, bom=bom)
        else:
            _write_rows(watched, fmt)
        _print_law_statuses(watched.statuses)
        empty = watched.count == 0
    else:
        result = run_query(store, name, params)
        _print_result(result, fmt, _columns(columns))
        _print_law_status(result)
        empty = result.kind == "select" and not result.rows
    reason = why_empty(store, params) if empty else None
    if reason:
        err.print(f"0 rows: {reason}", markup=False, highlight=False)
        raise SystemExit(EXIT_NO_SUCH_THING)


@app.command()
def sparql(
    text: Annotated[str, typer.Argument(help="SPARQL 1.1 query text, or @FILE to read it from a file.")],
    fmt: FormatOption = ResultFormat.table,
    columns: ColumnsOption = None,
) -> None:
    """Run a SPARQL query over all graphs (the default graph is their union)."""
    from pia_kg.admission import QueryLimits, admit, scan

    if text.startswith("@"):
        text = _read_query_file(Path(text[1:]))
    # Size and nesting limits (a parser overflows its stack on deep nesting); SERVICE is
    # the operator's own choice here.
    admit(text, QueryLimits(allowed_services=None))
    store = state.store(write=False)
    if fmt is not ResultFormat.table and scan(text).form == "SELECT":
        # written as the store reads them, as a named query's are
        _write_rows(_Watched(*store.select_rows(text), _columns(columns)), fmt)
        return
    _print_result(run_sparql(store, text), fmt, _columns(columns))


def _write_rows(watched: _Watched, fmt: ResultFormat) -> None:
    with _stdout_text() as stream:
        write_rows(stream, watched.variables, watched, fmt)


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
    """Export the whole graph (nquads/trig/jsonld keep the named graphs; turtle is their union).

    Written as it is read, a graph at a time at most: a national store exports in the memory
    of one document. A file is written under a temporary name and takes its own when whole,
    so that a failed or interrupted export leaves no half file (nor spoils one there before).
    """
    from pia_kg.exports import write_whole

    store = state.store(write=False)
    if output is None:
        store.export_to(fmt, sys.stdout.buffer)
        sys.stdout.flush()
        return

    def write(part: Path) -> None:
        with part.open("wb") as f:
            store.export_to(fmt, f)

    write_whole(output, write)
    err.print(f"wrote {output.stat().st_size:,} bytes to {output}", markup=False, highlight=False)


@app.command()
def graphs() -> None:
    """List the named graphs in the store with their triple counts."""
    s = state.store(write=False)
    table = Table("graph", "triples")
    for g in s.named_graphs():
        table.add_row(str(g), str(s.triple_count(g)))
    out.print(table)
    out.print(f"total: {s.triple_count()} triples")
