"""The pia-kg command line, run as a user runs it: the installed console script."""

from __future__ import annotations

import csv
import io
import json
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
    assert "1 document(s) loaded" in again
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
    assert proc.returncode == 1 and "no document" in proc.stderr


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
    assert "item 81, as of 2025-01-01?  (6 rows)" in out
    assert "子ども未来局子ども家庭課" in out  # 静岡市, cited under its old number 別表第一 56 (L449)
    assert "as of 2023-01-01 (a different 事務)?  (2 rows)" in out
    assert "静岡看護専門学校" in out  # 日本学生支援機構 = old 別表第一 81 (L462)
    assert "renumbering break" in out and "Citations that were wrong when written" in out
