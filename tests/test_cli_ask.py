"""``pia-kg query`` answers a wrong input with a message, not a silent "0 row(s)".

Run as a user runs it (the installed console script) on a store holding the law tables and
every seed (tests/api_support.py). Exit codes: 0 rows or a legitimately empty answer, 1 an
error (``Error: …``: a table that is not a law table, something that is not an item
number, a document not loaded), 3 no rows because the item or the date does not exist
(the reason on stderr).
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from api_support import seeded_store_dir

PIA_KG = str(Path(sys.executable).with_name("pia-kg"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [PIA_KG, "--store", str(seeded_store_dir()), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        (["table=番号法別表第三", "item=1"], 1, "names no law table"),
        (["table=番号法別表", "item=-1"], 1, "is not an item number"),
        (["table=番号法別表", "item=999"], 3, "has no item 999 in any version held"),
        (["table=番号法別表第一", "item=81", "as_of=2025-01-01"], 3, "not in the version in force on 2025-01-01"),
    ],
)
def test_wrong_inputs_are_explained(params: list[str], code: int, words: str) -> None:
    args = [a for p in params for a in ("-p", p)]
    proc = run("query", "item-meaning", *args)
    assert proc.returncode == code, proc.stderr
    assert words in " ".join(proc.stderr.split()), proc.stderr
    assert "Traceback" not in proc.stderr


def test_full_width_item_is_read_as_its_number() -> None:
    proc = run("query", "departments-under-item", "-p", "table=番号法別表", "-p", "item=８１",
               "-p", "as_of=2025-01-01", "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert {"子育て助成課", "子ども未来局子ども家庭課"} <= {r["department"] for r in rows}


def test_document_id_is_accepted_for_an_assessment() -> None:
    proc = run("query", "outsourcing", "-p", "assessment=001_57af33314b6a26f0", "-f", "csv", "--columns", "contractor,source")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert rows == [{"contractor": "富士通Japan株式会社", "source": "001_57af33314b6a26f0.txt#L134-L140"}]
    proc = run("query", "outsourcing", "-p", "assessment=001_nope")
    assert proc.returncode == 1 and "unknown document '001_nope'" in proc.stderr
    assert "001_57af33314b6a26f0" in proc.stderr  # the loaded ones are listed


def test_unknown_column_is_named() -> None:
    proc = run("query", "assessments", "--columns", "body,nope")
    assert proc.returncode == 1 and "no column 'nope'" in proc.stderr and "organization" in proc.stderr


def test_table_cells_wrap_instead_of_being_cut() -> None:
    env_cmd = [PIA_KG, "--store", str(seeded_store_dir()), "query", "assessments", "-c", "assessment,title"]
    proc = subprocess.run(env_cmd, capture_output=True, text=True, timeout=120, env={"COLUMNS": "60", "TERM": "dumb",
                          "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    assert "002_aa3841ff71230e60" in proc.stdout  # document ids, not IRIs cut short


def test_spreadsheet_exports_from_the_cli(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    proc = run("query", "outsourcing", "-p", "assessment=001_57af33314b6a26f0", "-j", "--bom")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(proc.stdout[1:])))
    assert [(r["委託先"], r["再委託"]) for r in rows] == [("富士通Japan株式会社", "はい")]
    target = tmp_path / "委託.xlsx"
    assert run("query", "outsourcing", "-o", str(target)).returncode == 0
    plain = run("query", "outsourcing", "-f", "csv")
    header, *body = list(load_workbook(target).active.iter_rows(values_only=True))
    from_csv = list(csv.reader(io.StringIO(plain.stdout)))
    assert list(header) == from_csv[0]
    assert [[("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for v in r] for r in body] == from_csv[1:]


def test_a_listing_written_to_a_file_is_written_as_the_store_reads_it(tmp_path: Path) -> None:
    """`query NAME -o FILE` writes the rows as the store gives them (a corpus-wide listing is
    never held whole): the same file as the answer read whole, its columns chosen, its empty
    answer explained, and a file that cannot be written left as it was."""
    from pia_kg.exports import table_of, to_csv
    from pia_kg.named_queries import run_query
    from pia_kg.results import ResultFormat, serialize_result
    from pia_kg.store import open_store

    store = open_store("oxigraph", path=seeded_store_dir(), read_only=True)
    try:
        whole = run_query(store, "transfers", {})
        expected = to_csv(table_of(whole))
        formats = ("csv", "tsv", "json", "xml")
        sparql_text = {f: serialize_result(whole, ResultFormat(f)) for f in formats}
        listing = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        free = {f: serialize_result(store.query(listing), ResultFormat(f)) for f in formats}
        ask = serialize_result(store.query("ASK { ?s ?p ?o }"), ResultFormat.json)
        columns = whole.variables.index("department"), whole.variables.index("item")
        chosen = [(str(r[columns[0]] or ""), str(r[columns[1]] or "")) for r in whole.rows]
    finally:
        store.close()
    assert len(whole.rows) > 100
    out = tmp_path / "移転.csv"
    proc = run("query", "transfers", "-o", str(out))
    assert proc.returncode == 0 and f"wrote {len(whole.rows)} row(s)" in proc.stderr, proc.stderr
    assert out.read_bytes().decode("utf-8") == expected
    # -f csv, tsv, json and xml to standard output: the SPARQL results formats, also written
    # as read, by a named query and by a SELECT of the user's own
    for f in formats:
        assert run("query", "transfers", "-f", f).stdout == sparql_text[f].replace("\r\n", "\n"), f
        assert run("sparql", listing, "-f", f).stdout == free[f].replace("\r\n", "\n"), f
    assert len(json.loads(run("query", "transfers", "-f", "json").stdout)["results"]["bindings"]) == len(whole.rows)
    assert run("sparql", "# SELECT\nASK { ?s ?p ?o }", "-f", "json").stdout == ask
    assert run("query", "transfers", "-c", "department,item", "-o", str(out)).returncode == 0
    assert [tuple(r) for r in csv.reader(io.StringIO(out.read_text(encoding="utf-8")))] == [("department", "item"), *chosen]
    proc = run("query", "departments-under-item", "-p", "table=番号法別表", "-p", "item=999", "-o", str(out))
    assert proc.returncode == 3 and "0 rows: " in proc.stderr and "wrote 0 row(s)" in proc.stderr
    kept = out.read_text(encoding="utf-8")
    proc = run("query", "transfers", "-o", str(tmp_path / "missing" / "t.csv"))
    assert proc.returncode == 1 and "cannot write" in proc.stderr and "Traceback" not in proc.stderr
    assert out.read_text(encoding="utf-8") == kept and sorted(p.name for p in tmp_path.iterdir()) == ["移転.csv"]


def test_a_document_id_is_looked_up_by_its_graph_not_in_a_listing_of_every_graph() -> None:
    """A national store holds a hundred thousand graphs: naming one assessment must not list
    them (only the error for an unknown one does, to name the closest)."""
    from pia_kg.errors import UnknownNameError
    from pia_kg.headlines import assessment_key
    from pia_kg.store import open_store

    store = open_store("oxigraph", path=seeded_store_dir(), read_only=True)
    listed = []
    every = store.named_graphs
    store.named_graphs = lambda: listed.append(1) or every()  # type: ignore[method-assign]
    try:
        iri = assessment_key(store, "001_57af33314b6a26f0.txt")
        assert iri.endswith("/001_57af33314b6a26f0/assessment/main") and not listed
        assert assessment_key(store, "urn:x:kept") == "urn:x:kept"
        with pytest.raises(UnknownNameError, match="closest|known") as err:
            assessment_key(store, "urn:x", iri=False, kind="assessment")
        assert "unknown assessment 'urn:x'" in str(err.value) and listed
    finally:
        store.close()
