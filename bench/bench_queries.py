"""Benchmark: every named query on in-memory rdflib and on embedded Oxigraph, same data, one run.

Targets (issue 2): named queries on Oxigraph at least 10x faster than on rdflib (the ratio
of total times); loading all seeds end to end under 3 s wall.

    python bench/bench_queries.py [--repeat N] [--law-dir DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pia_kg.errors import QueryError
from pia_kg.loaders.law.catalog import discover_law_dir
from pia_kg.named_queries import bind_params, get_query, inject_values, named_queries
from pia_kg.pipeline import load_documents, load_law_dir
from pia_kg.store import ExportFormat, Store, open_store

REPO = Path(__file__).resolve().parents[1]


def timed(fn) -> float:  # noqa: ANN001
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def fill(store: Store, law_dir: Path | None, seeds: Path) -> dict[str, float]:
    times = {}
    if law_dir:
        times["law"] = timed(lambda: load_law_dir(store, law_dir))
    times["seeds"] = timed(lambda: load_documents(store, [seeds]))
    return times


def query_text(name: str) -> str:
    q = get_query(name)
    return inject_values(q.text, bind_params(q, {p.name: p.example for p in q.params}))


def median_time(store: Store, text: str, repeat: int) -> tuple[float, int]:
    samples, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = len(store.query(text).rows)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--law-dir", type=Path, default=None)
    ap.add_argument("--seeds", type=Path, default=REPO / "data" / "assessments")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON")
    args = ap.parse_args()
    law_dir = discover_law_dir(args.law_dir)
    if law_dir is None:
        print("law tables not found: pass --law-dir; measuring documents only", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        memory = open_store("memory")
        oxigraph = open_store("oxigraph", path=Path(tmp) / "store")
        load_times = {"memory": fill(memory, law_dir, args.seeds), "oxigraph": fill(oxigraph, law_dir, args.seeds)}
        # Same data on both: compare the quad sets before timing anything.
        assert memory.triple_count() == oxigraph.triple_count(), "stores differ"

        # End to end: a fresh embedded store, seeds only (what `pia-kg load data/` does).
        fresh = open_store("oxigraph", path=Path(tmp) / "fresh")
        seeds_wall = timed(lambda: load_documents(fresh, [args.seeds]))

        rows_out = []
        total = {"memory": 0.0, "oxigraph": 0.0}
        for name in named_queries():
            text = query_text(name)
            try:
                t_mem, n_mem = median_time(memory, text, args.repeat)
                t_ox, n_ox = median_time(oxigraph, text, args.repeat)
            except QueryError as exc:
                print(f"error: {name}: {exc}", file=sys.stderr)
                continue
            if n_mem != n_ox:
                print(f"warning: {name}: rdflib {n_mem} rows, oxigraph {n_ox} rows", file=sys.stderr)
            total["memory"] += t_mem
            total["oxigraph"] += t_ox
            rows_out.append((name, n_ox, t_mem, t_ox))

        triples = oxigraph.triple_count()
        _ = oxigraph.export(ExportFormat.nquads)

    print(f"data: {triples} triples (law tables: {'yes' if law_dir else 'no'}); median of {args.repeat} runs\n")
    print(f"{'query':32} {'rows':>6} {'rdflib ms':>10} {'oxigraph ms':>12} {'ratio':>7}")
    for name, n, t_mem, t_ox in rows_out:
        print(f"{name:32} {n:6d} {t_mem * 1000:10.1f} {t_ox * 1000:12.2f} {t_mem / t_ox:7.1f}x")
    ratio = total["memory"] / total["oxigraph"] if total["oxigraph"] else float("inf")
    print(f"{'all named queries':32} {'':6} {total['memory'] * 1000:10.1f} {total['oxigraph'] * 1000:12.2f} {ratio:7.1f}x")
    print()
    for backend, t in load_times.items():
        print(f"load into {backend:9}: " + ", ".join(f"{k} {v:.2f} s" for k, v in t.items()))
    print(f"load all seeds end to end (fresh Oxigraph store): {seeds_wall:.2f} s wall (target < 3 s)")
    print(f"Oxigraph/rdflib speed-up over all named queries: {ratio:.1f}x (target >= 10x)")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "triples": triples,
                    "queries": [
                        {"name": n, "rows": r, "rdflib_s": a, "oxigraph_s": b} for n, r, a, b in rows_out
                    ],
                    "ratio": ratio,
                    "load": load_times,
                    "seeds_wall_s": seeds_wall,
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
