"""The ``pia-kg`` command line.

Load assessments and law tables into a store, ask named queries or SPARQL, export the graph,
serve the API. Every command works on the store chosen by the global options: the embedded
Oxigraph store in ``--store DIR`` (default ``./pia-kg-store``), an in-memory store
(``--memory``, gone when the command ends), or a remote SPARQL endpoint (``--endpoint``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from pia_kg.errors import PiaKgError
from pia_kg.named_queries import get_query, named_queries, run_query, run_sparql
from pia_kg.results import ResultFormat, serialize_result, term_text
from pia_kg.store import ExportFormat, QueryResult, Store, default_store_dir, open_store

app = typer.Typer(
    name="pia-kg",
    help=(
        "A knowledge graph of 特定個人情報保護評価書 and the 番号法 tables they cite.\n\n"
        "Typical session:\n\n"
        "  pia-kg law load ../shared/law      # the law tables, versioned\n\n"
        "  pia-kg load data/                  # assessments (folders are searched)\n\n"
        "  pia-kg queries                     # what can be asked\n\n"
        "  pia-kg query departments-under-item --param table=番号法別表 --param item=81 "
        "--param as_of=2025-01-01\n\n"
        "  pia-kg serve                       # the API and web page on 127.0.0.1:8000"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
law_app = typer.Typer(help="Law tables: load them from TSV or e-Gov XML, or fetch from e-Gov.")
app.add_typer(law_app, name="law")

err = Console(stderr=True)
# Piped output keeps whole cells: rich would otherwise squeeze tables to 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 100_000)


class State:
    """Global options, and the store opened from them on first use."""

    store_dir: Path = default_store_dir()
    memory: bool = False
    endpoint: str | None = None
    update_endpoint: str | None = None
    law_dir: Path | None = None
    _store: Store | None = None

    def store(self) -> Store:
        if self._store is None:
            if self.endpoint:
                self._store = open_store(
                    "remote", endpoint=self.endpoint, update_endpoint=self.update_endpoint
                )
            elif self.memory:
                self._store = open_store("memory")
            else:
                self._store = open_store("oxigraph", path=self.store_dir)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


state = State()


@app.callback()
def main_options(
    store: Annotated[
        Path,
        typer.Option(
            "--store",
            envvar="PIA_KG_STORE",
            help="Folder of the embedded Oxigraph store (created if missing).",
        ),
    ] = Path("pia-kg-store"),
    memory: Annotated[
        bool, typer.Option("--memory", help="Use an in-memory store, gone when the command ends.")
    ] = False,
    endpoint: Annotated[
        str | None,  # noqa: UP007 (typer needs Optional at runtime on 3.11)
        typer.Option(
            "--endpoint",
            envvar="PIA_KG_ENDPOINT",
            help="SPARQL 1.1 query endpoint of a remote store (its default graph must be the "
            "union of named graphs, e.g. `oxigraph serve --union-default-graph`).",
        ),
    ] = None,
    update_endpoint: Annotated[
        str | None,  # noqa: UP007
        typer.Option(
            "--update-endpoint",
            envvar="PIA_KG_UPDATE_ENDPOINT",
            help="SPARQL 1.1 update endpoint of the remote store (needed to load or remove).",
        ),
    ] = None,
    law_dir: Annotated[
        Path | None,  # noqa: UP007
        typer.Option(
            "--law-dir",
            envvar="PIA_KG_LAW_DIR",
            help="Folder of law table files (TSV or e-Gov XML). Default: found automatically.",
        ),
    ] = None,
) -> None:
    state.store_dir = store
    state.memory = memory
    state.endpoint = endpoint
    state.update_endpoint = update_endpoint
    state.law_dir = law_dir


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Documents (.txt) or folders of them.")],
    keep_going: Annotated[
        bool,
        typer.Option("--keep-going", help="Load the good documents even if some fail."),
    ] = False,
) -> None:
    """Load assessment documents; each replaces its own earlier version (loading twice changes nothing)."""
    from pia_kg.pipeline import collect_files, load_documents

    files = collect_files(paths)
    with _progress() as bar:
        task = bar.add_task("loading", total=len(files), item="")

        def step(name: str) -> None:
            bar.update(task, advance=1, item=name)

        report = load_documents(state.store(), files, keep_going=keep_going, progress=step)
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
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    _print_result(run_sparql(state.store(), text), fmt)


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
            state.store(), folder, progress=lambda name: bar.update(task, advance=1, item=name)
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
    as_of: Annotated[str, typer.Option("--as-of", help="The date the law should be as in force on (YYYY-MM-DD).")],
    base_url: Annotated[
        str, typer.Option("--base-url", help="e-Gov 法令API v2 base URL (for a mirror).")
    ] = "",
    load_it: Annotated[bool, typer.Option("--load/--no-load", help="Also load the fetched tables.")] = True,
) -> None:
    """Download a law from the e-Gov 法令API v2 into the local law cache (needs internet)."""
    from pia_kg.loaders.law.fetch import DEFAULT_BASE_URL, fetch_law

    path = fetch_law(law_id, as_of, base_url=base_url or DEFAULT_BASE_URL)
    out.print(f"saved {path}", markup=False)
    if load_it:
        _load_law(path)


# (question, named query, parameters, the columns the demo shows)
HEADLINES: tuple[tuple[str, str, dict[str, str], tuple[str, ...]], ...] = (
    (
        "Assessments loaded",
        "assessments",
        {},
        ("organization", "title", "level", "published", "department", "source"),
    ),
    (
        "Which departments receive data under 番号法別表 item 81, as of 2025-01-01?",
        "departments_under_item",
        {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"},
        ("organization", "department", "role", "cited_table", "cited_item", "source"),
    ),
    (
        "And under 番号法別表第一 item 81 as of 2023-01-01 (a different 事務)?",
        "departments_under_item",
        {"table": "番号法別表第一", "item": "81", "as_of": "2023-01-01"},
        ("organization", "department", "role", "cited_table", "cited_item", "source"),
    ),
    (
        "What did the 2024-05-27 renumbering break, and what should each citation say now?",
        "renumbering_impact",
        {"amendment": "2024-05-27"},
        ("organization", "party", "cited_table", "cited_item", "new_table", "new_item", "change", "source"),
    ),
    (
        "Citations that were wrong when written",
        "citation_problems",
        {},
        ("source", "cited_table", "cited_item", "problem", "expected_table", "expected_item"),
    ),
)


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
        f"({report.triples_after} triples in {state.store_dir if not state.memory else 'memory'})"
    )
    known = named_queries()
    for title, name, params, columns in HEADLINES:
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


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback by default: not exposed to the network).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds a query may run before the API answers 504.")
    ] = 10.0,
    max_rows: Annotated[
        int, typer.Option("--max-rows", help="Rows a query may return before the API answers 413.")
    ] = 10_000,
) -> None:
    """Serve the web page (/), the SPARQL endpoint (/sparql, read-only) and the REST API (/docs)."""
    import uvicorn

    from pia_kg.api.app import create_app

    if timeout <= 0 or max_rows <= 0:
        raise typer.BadParameter("--timeout and --max-rows must be positive")
    api = create_app(state.store(), timeout=timeout, max_rows=max_rows)
    err.print(f"serving on http://{host}:{port}/ (API docs: /docs; Ctrl-C to stop)")
    uvicorn.run(api, host=host, port=port, log_level="warning")


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
        typer.Option("--assessment", help="Only this assessment (its IRI)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for impact.csv/.json/.html.")] = Path("reports"),
) -> None:
    """What an amendment breaks in the loaded assessments, and what each citation should say."""
    from pia_kg.impact.amendment import amendment_by_key, read_what_if
    from pia_kg.impact.render import write_reports
    from pia_kg.impact.report import build_impact_report, build_what_if_report

    if (amendment is None) == (what_if is None):
        raise typer.BadParameter("give --amendment DATE or --what-if FILE (one of them)")
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
    doc_dirs = [Path.cwd() / "data" / "assessments", Path(__file__).resolve().parents[1] / "data" / "assessments"]
    for path in write_reports(report, out_dir, doc_dirs=doc_dirs):
        err.print(f"wrote {path}")


def main() -> None:
    """Entry point: errors become one line on stderr and a non-zero exit."""
    try:
        app(standalone_mode=False)
    except PiaKgError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("Aborted.")
        sys.exit(130)
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    finally:
        state.close()
