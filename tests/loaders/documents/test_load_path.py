"""What a load runs: none of the modules that ``made_with`` leaves out of its digest
(pia_kg.derive.documents.NOT_LOADING), so a new pia-kg that changed only those can keep the
documents a store holds without reading them again."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import LAW_DIR, REPO, SEED_001, SEEDS_DIR
from pdf_render import render_text

from pia_kg.derive.documents import NOT_LOADING, code_files

_LOAD = """
import json, sys
from pia_kg.pipeline import load_documents, load_law_dir, rederive, remove_documents
from pia_kg.store import open_store

store_path, law, *docs = sys.argv[1:]
store = open_store("oxigraph", path=store_path)
load_law_dir(store, law)
report = load_documents(store, docs, workers=1)
rederive(store)
remove_documents(store, [report.documents[0]["document"]])
print(json.dumps({"modules": sorted(m for m in sys.modules if m.startswith("pia_kg")),
                  "loaded": len(report.documents)}))
"""


def test_a_load_runs_nothing_left_out_of_the_code_digest(tmp_path: Path) -> None:
    pdf = tmp_path / "seed001.pdf"
    render_text(SEED_001.read_text(encoding="utf-8"), pdf)
    realdocs = REPO.parent / "shared" / "realdocs"
    docs = [str(SEEDS_DIR), str(pdf), *([str(realdocs)] if realdocs.is_dir() else [])]
    out = subprocess.run(
        [sys.executable, "-c", _LOAD, str(tmp_path / "store"), str(LAW_DIR), *docs],
        capture_output=True, text=True, timeout=600, check=True,
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["loaded"] >= 6  # a document that cannot be read stops the load (check=True)
    assert "pia_kg.loaders.documents.pdf" in seen["modules"]  # the PDF was read as one
    left_out = {"pia_kg." + name.removesuffix(".py") for name in NOT_LOADING}
    ran = {m for m in seen["modules"] if any(m == x or m.startswith(x + ".") for x in left_out)}
    assert ran == set()


def test_the_code_digest_reads_the_readers_and_derivations_not_the_commands() -> None:
    names = {name for name, _ in code_files()}
    assert {"pia_kg/pipeline.py", "pia_kg/derive/documents.py", "pia_kg.loaders/documents/form.py"} <= names
    assert any(n.startswith("pia_kg.queries/") and n.endswith(".rq") for n in names)
    assert any(n.startswith("pia_kg.ontology/") and n.endswith(".ttl") for n in names)
    assert not [n for n in names if n.startswith(("pia_kg/cli/", "pia_kg/impact/")) or n == "pia_kg/display.py"]
