"""The ``pia-kg`` command line: the app, its global options, and the one error boundary.

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

from pia_kg.errors import PiaKgError
from pia_kg.store import Store, default_store_dir, open_store

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

# Messages stay whole on one line when stderr is a pipe or a file (rich would wrap at 80).
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 100_000)
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

    def store(self, *, write: bool = True) -> Store:
        """The store; ``write=False`` for a command that only reads: a store in a folder is
        then opened read-only, which holds no lock (it answers while a load writes the same
        folder, and sees each batch once committed) and leaves the engine's merges of what a
        load wrote to the next writer."""
        if self._store is not None and write and getattr(self._store, "read_only", False):
            self.close()
        if self._store is None:
            if self.endpoint:
                self._store = open_store(
                    "remote", endpoint=self.endpoint, update_endpoint=self.update_endpoint
                )
            elif self.memory:
                self._store = open_store("memory")
            else:
                if not write and not (self.store_dir / "CURRENT").is_file():
                    # made empty first (a query answers from it, and says why it is empty)
                    open_store("oxigraph", path=self.store_dir).close()
                self._store = open_store("oxigraph", path=self.store_dir, read_only=not write)
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
    """A progress bar on the terminal, drawn again when its caller advances it: a bar that
    drew itself would run a thread, and a load forks its workers only from a process that
    runs no other thread (pia_kg/pipeline.py, ``_start_method``)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"),
        console=err,
        transient=True,
        auto_refresh=False,
        disable=not err.is_terminal,
    )


def _one_line(text: object) -> str:
    """A message on one line: a person reading a log or a pipe sees it whole."""
    return " ".join(str(text).split())


def _error(message: object) -> None:
    err.print(f"Error: {_one_line(message)}", markup=False, highlight=False, crop=False)


def _usage_error(exc: BaseException) -> int | None:
    """The exit code of a click usage error (the installed click, or the copy typer ships:
    the classes differ, so it is recognised by shape), after printing it; None if it is not one."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if not names & {"ClickException", "UsageError", "BadParameter"} or not hasattr(exc, "format_message"):
        return None
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "pia-kg"
    _error(f"{message} (see `{path} --help`)")
    return int(getattr(exc, "exit_code", 2))


def _exit_code(exc: BaseException) -> int | None:
    """typer.Exit and click's Exit/Abort by shape, whatever copy of click raised them."""
    name = type(exc).__name__
    if name == "Exit" and hasattr(exc, "exit_code"):
        return int(exc.exit_code)
    if name == "Abort":
        err.print("Aborted.")
        return 130
    return None


def run_cli(args: list[str] | None = None) -> int:
    """Run the CLI; the exit code. Errors become one ``Error: …`` line on stderr, never a
    traceback (set PIA_KG_DEBUG=1 to see one for an unexpected failure)."""
    import os

    try:
        result = app(args=args, standalone_mode=False)
        return result if isinstance(result, int) else 0
    except PiaKgError as exc:
        _error(exc)
        return 1
    except KeyboardInterrupt:
        err.print("Aborted.")
        return 130
    except BrokenPipeError:
        return 0  # the reader went away (e.g. `| head`)
    except Exception as exc:
        code = _exit_code(exc)
        if code is None:
            code = _usage_error(exc)
        if code is not None:
            return code
        if os.environ.get("PIA_KG_DEBUG"):
            raise
        _error(f"unexpected failure ({type(exc).__name__}): {exc}; set PIA_KG_DEBUG=1 for details")
        return 1
    finally:
        state.close()


def main() -> None:
    """Entry point: errors become one line on stderr and a non-zero exit."""
    sys.exit(run_cli())
