"""The pia-kg command line, run as a user runs it: the installed console script."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED_000, SEED_001, SEEDS_DIR

PIA_KG = str(Path(sys.executable).with_name("pia-kg"))


def run(*args: str, store: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [PIA_KG] + (["--store", str(store)] if store else []) + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    run("load", str(SEED_000), str(SEED_001), store=path)
    return path


def test_help_teaches_a_session() -> None:
    out = run("--help").stdout
    for command in ("load", "query", "sparql", "export", "queries", "demo", "remove", "law"):
        assert command in out
    assert "pia-kg query departments-under-item" in out


def test_load_prints_a_summary_and_twice_changes_nothing(store: Path) -> None:
    before = run("sparql", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "-f", "csv", store=store)
    again = run("load", str(SEED_000), store=store).stdout
    assert "0 document(s) loaded (1 unchanged, held as they are (--again reads them anyway))" in " ".join(again.split())
    forced = run("load", "--again", str(SEED_000), store=store).stdout
    assert "1 document(s) loaded," in " ".join(forced.split())
    after = run("sparql", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "-f", "csv", store=store)
    assert before.stdout == after.stdout
    assert int(after.stdout.splitlines()[1]) > 1000


def test_query_formats(store: Path) -> None:
    data = json.loads(run("query", "assessments", "-f", "json", store=store).stdout)
    assert data["head"]["vars"][:3] == ["assessment", "organization", "body"]
    bodies = {b["body"]["value"] for b in data["results"]["bindings"]}
    assert {"静岡市", "金沢市"} <= bodies
    rows = list(csv.DictReader(io.StringIO(run("query", "assessments", "-f", "csv", store=store).stdout)))
    assert {r["organization"] for r in rows} >= {"静岡市長", "金沢市長"}
    table = run("query", "assessments", store=store).stdout
    assert "静岡市長" in table


def test_errors_are_one_line_and_exit_non_zero(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    proc = run("load", str(empty), store=tmp_path / "s", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("Error: ")
    assert "empty.txt" in proc.stderr and "Traceback" not in proc.stderr
    proc = run("query", "assessments", "--param", "nope=1", store=tmp_path / "s", check=False)
    assert proc.returncode == 1 and "no parameter 'nope'" in proc.stderr
    proc = run("query", "no-such-query", store=tmp_path / "s", check=False)
    assert proc.returncode == 1 and "known:" in proc.stderr
    proc = run("sparql", "SELEKT", store=tmp_path / "s", check=False)
    assert proc.returncode == 1 and proc.stderr.startswith("Error: ")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_export_that_cannot_be_written_says_so_in_one_line_and_leaves_no_file(store: Path, tmp_path: Path) -> None:
    """The export is written as it is read (a national store is never held whole): a disk
    that fills up midway is a one-line error, and a file named -o is written under a
    temporary name, so a failed export leaves the file there before as it was."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run([PIA_KG, "--store", str(store), "export", "-f", "nquads"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stderr.startswith("Error: ") and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    out = tmp_path / "graph.nq"
    out.write_text("kept", encoding="utf-8")
    proc = run("export", "-f", "nquads", "-o", str(tmp_path / "missing" / "graph.nq"), store=store, check=False)
    assert proc.returncode == 1 and "cannot write" in proc.stderr and "Traceback" not in proc.stderr
    assert out.read_text(encoding="utf-8") == "kept" and sorted(p.name for p in tmp_path.iterdir()) == ["graph.nq"]
    run("export", "-f", "trig", "-o", str(out), store=store)
    assert out.read_text(encoding="utf-8").count("{") > 3 and sorted(p.name for p in tmp_path.iterdir()) == ["graph.nq"]


def test_export_and_remove(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.nq"
    run("export", "-f", "nquads", "-o", str(out), store=store)
    assert "/graph/doc/000_446cb3177695f62c>" in out.read_text(encoding="utf-8")
    scratch = tmp_path / "scratch"
    run("load", str(SEED_001), store=scratch)
    run("remove", SEED_001.stem, store=scratch)
    graphs = run("graphs", store=scratch).stdout
    assert SEED_001.stem not in graphs
    proc = run("remove", SEED_001.stem, store=scratch, check=False)
    assert proc.returncode == 1 and "unknown document in the store" in proc.stderr


def test_reading_commands_answer_while_another_process_writes(store: Path, tmp_path: Path) -> None:
    """A load holds the store's lock as long as it runs (an hour for a national corpus):
    commands that only read open the store read-only and answer meanwhile, and a second
    writer is told in one line what holds the store."""
    held = tmp_path / "store"
    shutil.copytree(store, held)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); "
         "print('open', flush=True); sys.stdin.read()", str(held)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
        rows = list(csv.DictReader(io.StringIO(run("query", "assessments", "-f", "csv", store=held).stdout)))
        assert {r["organization"] for r in rows} >= {"静岡市長", "金沢市長"}
        assert SEED_001.stem in run("graphs", store=held).stdout
        assert "静岡市" in run("sparql", "SELECT ?o WHERE { ?a <https://w3id.org/pia-kg/ontology#organizationName> ?o }",
                                 "-f", "csv", store=held).stdout
        out = tmp_path / "graph.nq"
        run("export", "-f", "nquads", "-o", str(out), store=held)
        assert f"/graph/doc/{SEED_000.stem}>" in out.read_text(encoding="utf-8")
        impact = run("impact", "--amendment", "2024-05-27", "--out", str(tmp_path / "reports"), store=held, check=False)
        assert "written by another process" not in impact.stderr and "Traceback" not in impact.stderr
        proc = run("load", str(SEED_001), store=held, check=False)
        assert proc.returncode == 1
        assert proc.stderr.startswith(f"Error: the store at {held} is being written by another process")
        assert proc.stderr.count("\n") == 1
    finally:
        writer.communicate(timeout=30)


def test_queries_lists_parameters() -> None:
    out = run("queries").stdout
    assert "assessments" in out


def test_load_a_folder(tmp_path: Path) -> None:
    proc = run("load", str(SEEDS_DIR), store=tmp_path / "s")
    assert "5 document(s) loaded" in proc.stdout


def test_demo_answers_the_headline_questions(tmp_path: Path, law_dir: Path) -> None:
    proc = subprocess.run(
        [PIA_KG, "--store", str(tmp_path / "s"), "--law-dir", str(law_dir), "demo", "--data", str(SEEDS_DIR)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "loaded 5 documents" in out
    # 7: with 金沢市's 番号法の別表第1の項番81 in the free text of Ⅰ (seed 001 L37), extracted
    # since the citation-extraction merge.
    assert "item 81, as of 2025-01-01?  (6 rows)" in out
    assert "001_57af33314b6a26f0.txt#L37" in out
    assert "子ども未来局子ども家庭課" in out  # 静岡市, cited under its old number 別表第一 56 (L449)
    assert "as of 2023-01-01 (a different 事務)?  (2 rows)" in out
    assert "静岡看護専門学校" in out  # 日本学生支援機構 = old 別表第一 81 (L462)
    assert "renumbering break" in out and "Citations that were wrong when written" in out


# ---- failures: never a traceback, one `Error:` line naming the file, the right exit code ----

DEEP = "SELECT * WHERE " + "{" * 5000 + "}" * 5000


def _bad_files(folder: Path) -> dict[str, Path]:
    """Documents and query files that cannot be read, each a different way."""
    seed = SEED_001.read_text(encoding="utf-8")
    files = {
        "empty": ("empty.txt", b""),
        "binary": ("binary.txt", bytes(range(256)) * 40),
        "utf16": ("utf16.txt", seed.encode("utf-16")),
        "nul": ("nul.txt", b"\x00" * 5000),
        "era": ("era.txt", seed.replace("令和", "令和9999999999年", 5).encode("utf-8")),
        "notes": ("notes.txt", "買い物メモ\n牛乳\n卵\nパン\n".encode()),
        "query_binary": ("q.rq", b"\xff\xfe\x00SELECT"),
        "query_deep": ("deep.rq", DEEP.encode()),
    }
    out = {}
    for key, (name, data) in files.items():
        (folder / name).write_bytes(data)
        out[key] = folder / name
    (folder / "no_documents").mkdir()
    out["no_documents"] = folder / "no_documents"
    return out


FAILURES = [
    # (id, args with {placeholders}, exit code, what the Error line must name)
    ("no-such-command", ["nosuch"], 2, "nosuch"),
    ("missing-argument", ["load"], 2, "Missing argument"),
    ("unknown-option", ["load", "--bogus", "x.txt"], 2, "--bogus"),
    ("bad-int", ["serve", "--port", "abc"], 2, "--port"),
    ("bad-choice", ["export", "--format", "pdf"], 2, "pdf"),
    ("bad-param-pair", ["query", "assessments", "--param", "x"], 2, "NAME=VALUE"),
    ("non-positive-limit", ["serve", "--timeout", "0"], 2, "--timeout"),
    ("missing-option-value", ["query", "assessments", "--param"], 2, "--param"),
    ("no-such-file", ["load", "{folder}/absent.txt"], 1, "absent.txt"),
    ("empty-file", ["load", "{empty}"], 1, "empty.txt"),
    ("binary-file", ["load", "{binary}"], 1, "binary.txt"),
    ("utf16-file", ["load", "{utf16}"], 1, "utf16.txt"),
    ("nul-file", ["load", "{nul}"], 1, "nul.txt"),
    ("not-an-assessment", ["load", "{notes}"], 1, "notes.txt"),
    ("folder-without-documents", ["load", "{no_documents}"], 1, "no_documents"),
    ("query-file-missing", ["sparql", "@{folder}/absent.rq"], 1, "absent.rq"),
    ("query-file-binary", ["sparql", "@{query_binary}"], 1, "q.rq"),
    ("query-too-deep", ["sparql", "@{query_deep}"], 1, "5000 deep"),
    ("sparql-syntax", ["sparql", "SELEKT * WHERE"], 1, "syntax"),
    ("bad-param-type", ["query", "departments-under-item", "-p", "table=番号法別表", "-p", "item=81", "-p", "as_of=someday"], 1, "as_of"),
    ("unknown-query", ["query", "nope"], 1, "nope"),
    ("remove-unknown", ["remove", "nope"], 1, "nope"),
    ("law-dir-missing", ["law", "load", "{folder}/no-law"], 1, "no-law"),
    ("endpoint-down", ["--endpoint", "http://127.0.0.1:9/sparql", "query", "assessments"], 1, "127.0.0.1:9"),
]


@pytest.mark.parametrize(("args", "code", "named"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES])
def test_failures_are_one_error_line(tmp_path: Path, args: list[str], code: int, named: str) -> None:
    places = {k: str(v) for k, v in _bad_files(tmp_path).items()} | {"folder": str(tmp_path)}
    argv = [a.format(**places) for a in args]
    if "--endpoint" not in argv:
        argv = ["--store", str(tmp_path / "store"), *argv]
    proc = run(*argv, check=False)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output, output
    assert proc.returncode == code, output
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, proc.stderr
    assert named in errors[0], proc.stderr
    # One line, not wrapped: nothing else on stderr continues it.
    assert proc.stderr.strip() == errors[0], proc.stderr


def test_a_loader_error_names_file_and_line(tmp_path: Path) -> None:
    notes = _bad_files(tmp_path)["notes"]
    proc = run("load", str(notes), store=tmp_path / "store", check=False)
    assert proc.returncode == 1
    import re

    assert re.fullmatch(rf"Error: {re.escape(str(notes))}:\d+: .+", proc.stderr.strip()), proc.stderr


def test_an_impossible_era_year_is_a_warning_naming_its_line(tmp_path: Path) -> None:
    """令和9999999999年 in a 変更日: the rest of the document loads, the line is named."""
    era = _bad_files(tmp_path)["era"]
    proc = run("load", str(era), store=tmp_path / "store", check=False)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output and proc.returncode == 0, output
    assert re.search(rf"warning: {re.escape(era.name)}:\d+: .*令和9999999999年", proc.stderr), proc.stderr


def test_keep_going_survives_any_failure_and_exits_non_zero(tmp_path: Path) -> None:
    bad = _bad_files(tmp_path)
    failing = [bad["nul"], bad["empty"], bad["binary"], bad["utf16"]]
    proc = run("load", "--keep-going", str(SEED_001), *map(str, failing), store=tmp_path / "store", check=False)
    output = proc.stdout + proc.stderr
    assert "Traceback" not in output
    assert proc.returncode == 1, output
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == len(failing), proc.stderr
    for path in failing:
        assert sum(path.name in e for e in errors) == 1, (path.name, errors)
    assert re.search(rf"1 document\(s\) loaded, .*{len(failing)} failed", proc.stdout), proc.stdout
    # The good document is in the store.
    assert "金沢市" in run("query", "assessments", "-f", "csv", store=tmp_path / "store").stdout
    # Every document failing: still a clean non-zero exit.
    proc = run("load", "--keep-going", *map(str, failing), store=tmp_path / "store2", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert "0 document(s) loaded" in proc.stdout


def test_impact_prints_a_screenful_and_writes_every_row(tmp_path: Path, law_dir: Path) -> None:
    """A national report runs to 100,000 rows: the terminal gets the first --show of them
    and where the rest is; the files get every row."""
    store = tmp_path / "s"
    run("law", "load", str(law_dir), store=store)
    run("load", str(SEED_000), store=store)
    out_dir = tmp_path / "reports"
    shown = run("impact", "--amendment", "2024-05-27", "--out", str(out_dir), "--show", "3", store=store).stdout
    every = list(csv.DictReader(io.StringIO((out_dir / "impact.csv").read_text(encoding="utf-8"))))
    assert len(every) > 3
    assert f"{len(every):,} broken citation row(s)" in shown
    assert "printed: the first 3; every row is in" in shown and "impact.csv" in shown
    printed = [r["source"] for r in every if r["source"] in shown]
    assert printed == [r["source"] for r in every[:3]]  # the report's first rows, and only them
    quiet = run("impact", "--amendment", "2024-05-27", "--out", str(out_dir), "--show", "0", store=store).stdout
    assert "┃" not in quiet and "broken citation row(s)" in quiet


def test_a_table_prints_the_first_rows_and_says_how_to_get_all(store: Path) -> None:
    from pia_kg.cli.ask import TABLE_ROWS

    # short cells, one line each
    text = f"SELECT (STRLEN(STR(?o)) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT {TABLE_ROWS + 25}"
    shown = run("sparql", text, store=store)
    assert f"{TABLE_ROWS + 25:,} row(s), the first {TABLE_ROWS:,} printed" in shown.stderr
    assert sum(1 for line in shown.stdout.splitlines() if line.startswith("│ ")) == TABLE_ROWS
    every = run("sparql", text, "-f", "csv", store=store).stdout
    assert len(list(csv.reader(io.StringIO(every)))) == TABLE_ROWS + 25 + 1
    few = run("sparql", "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3", store=store)
    assert "3 row(s)" in few.stderr and "printed" not in few.stderr


def test_impact_of_one_body_is_its_rows_of_the_whole_report(tmp_path: Path, law_dir: Path) -> None:
    """--body: a privacy officer's own report out of a national store, the body named in any
    width or spacing; the same rows as the whole report has for that body."""
    store = tmp_path / "s"
    run("law", "load", str(law_dir), store=store)
    uchiko = law_dir.parent / "realdocs" / "005.txt"  # 内子町: a real excerpt with a row to fix
    run("load", str(SEED_000), str(uchiko), store=store)
    whole, mine = tmp_path / "whole", tmp_path / "mine"
    run("impact", "--amendment", "2024-05-27", "--out", str(whole), "--show", "0", store=store)
    run("impact", "--amendment", "2024-05-27", "--out", str(mine), "--show", "0", "--body", "静 岡市", store=store)

    def rows(folder: Path) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO((folder / "impact.csv").read_text(encoding="utf-8"))))

    expected = [r for r in rows(whole) if r["organization"] == "静岡市"]
    assert {r["organization"] for r in rows(whole)} == {"静岡市", "内子町"}
    assert expected and rows(mine) == expected
    unknown = run("impact", "--amendment", "2024-05-27", "--out", str(mine), "--body", "存在しない村", store=store, check=False)
    assert unknown.returncode == 1 and "unknown body '存在しない村'" in unknown.stderr and "Traceback" not in unknown.stderr
    both = run("impact", "--amendment", "2024-05-27", "--body", "静岡市", "--assessment", "x", store=store, check=False)
    assert both.returncode == 2 and "one of them" in both.stderr


def test_a_national_load_lists_its_first_documents_and_counts_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    """Tens of thousands of documents: the first TABLE_ROWS reports and rows are printed, every
    failure, and how many documents there were and how many had warnings."""
    from pia_kg.cli.ask import TABLE_ROWS
    from pia_kg.cli.documents import _print_load_report
    from pia_kg.loaders.documents.assessment import load_assessment
    from pia_kg.loaders.documents.report import document_report
    from pia_kg.pipeline import LoadReport

    quality = document_report(load_assessment(SEED_001))
    plain = {**quality, "warnings": []}
    warned = {**quality, "warnings": ["a warning"]}
    report = LoadReport(failed=["bad.txt:3: not an assessment"], triples_written=1)
    for i in range(TABLE_ROWS + 7):
        q = {**(warned if i % 1000 == 0 else plain), "file": f"doc{i:05d}.txt"}
        report.documents.append({"document": q["file"], "kind": "assessment", "triples": 1, "quality": q})
    _print_load_report(report)
    printed = capsys.readouterr()
    assert "doc00000.txt:" in printed.out and f"doc{TABLE_ROWS - 1:05d}.txt" in printed.out
    assert f"doc{TABLE_ROWS:05d}.txt" not in printed.out + printed.err
    assert "Error: bad.txt:3: not an assessment" in printed.err
    assert f"{TABLE_ROWS + 7:,} documents, the first {TABLE_ROWS:,} listed; 3 of them all with warnings" in printed.err
    assert f"{TABLE_ROWS + 7} document(s) loaded, 1 failed" in printed.out


def test_the_progress_bar_runs_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawn on a terminal when the load advances, by no thread of its own: a load forks its
    workers only from a process that runs no other thread."""
    import importlib
    import threading

    from rich.console import Console

    cli_app = importlib.import_module("pia_kg.cli.app")  # the module (pia_kg.cli.app is also its Typer)

    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    monkeypatch.setattr(cli_app, "err", terminal)
    before = threading.active_count()
    with cli_app._progress() as bar:
        task = bar.add_task("loading", total=2, item="")
        bar.update(task, advance=1, item="first.txt", refresh=True)
        assert threading.active_count() == before
    drawn = terminal.file.getvalue()  # type: ignore[attr-defined]
    assert "1/2" in drawn and "first.txt" in drawn
