"""Benchmark: reading documents — the seeds, a seed rendered to PDF, and hostile sizes.

Times ``load_assessment`` (no store) on each seed, on seed 000 as a PDF, on a 10 MB text on
one line and on a seed whose change record repeats one block many times: all must stay
linear (seconds, not minutes).

    python bench/bench_documents.py [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from pia_kg.errors import LoaderError
from pia_kg.loaders.documents.assessment import load_assessment

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO / "data" / "assessments").glob("*.txt"))


def _time(path: Path) -> tuple[float, str]:
    t = time.perf_counter()
    try:
        doc = load_assessment(path)
        outcome = f"{len(doc.graph)} triples, {len(doc.warnings)} warnings"
    except LoaderError as exc:
        outcome = f"rejected: {exc.reason[:60]}"
    return time.perf_counter() - t, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="write the timings here as JSON")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cases = list(SEEDS)
        big = Path(tmp) / "one_line_10mb.txt"
        page = SEEDS[-1].read_text(encoding="utf-8").replace("\n", " ")
        big.write_text(page * max(1, 10_000_000 // len(page.encode())), encoding="utf-8")
        cases.append(big)
        repeated = Path(tmp) / "repeated_block.txt"
        repeated.write_text(SEEDS[0].read_text(encoding="utf-8") * 20, encoding="utf-8")
        cases.append(repeated)
        sys.path.insert(0, str(REPO / "tests" / "loaders" / "documents"))
        try:
            from pdf_render import render_text

            pdf = Path(tmp) / "seed000.pdf"
            render_text(SEEDS[0].read_text(encoding="utf-8"), pdf)
            cases.append(pdf)
        except ImportError:  # reportlab is a test extra
            pass
        for path in cases:
            seconds, outcome = _time(path)
            results[path.name] = {"seconds": round(seconds, 3), "outcome": outcome}
            print(f"{path.name:40} {seconds:8.2f} s  {outcome}")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
