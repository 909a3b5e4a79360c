"""Benchmark: median latency of the API's headline routes on the seed data.

Loads the law tables and the seeds into an embedded Oxigraph store, then times N requests
per route in-process (FastAPI's test client: app + queries, no network) and, with
``--server``, against ``pia-kg serve``-equivalent uvicorn on a loopback port (adds HTTP).
With ``--store DIR`` the routes are timed on that store instead (opened read-only: e.g. a
generated corpus left by ``bench/bench_corpus.py --work DIR``), its first two assessments
standing for the seeds'.

    python bench/bench_api.py [--repeat N] [--law-dir DIR] [--server] [--store DIR] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from pia_kg.api.app import create_app
from pia_kg.loaders.law.catalog import discover_law_dir
from pia_kg.pipeline import load_documents, load_law_dir
from pia_kg.store import open_store

REPO = Path(__file__).resolve().parents[1]

ROUTES: tuple[tuple[str, str], ...] = (
    ("item 番号法別表 81 @2025-01-01 (JSON)", "/items/番号法別表/81?as_of=2025-01-01"),
    ("item page 番号法別表 81 (HTML)", "/ui/item?table=番号法別表&item=81&as_of=2025-01-01"),
    ("assessments", "/assessments"),
    ("assessment 001 (JSON)", "/assessments/{second}"),
    ("assessment 000 page (HTML)", "/ui/assessments/{first}"),
    ("impact 2024-05-27", "/impact?amendment=2024-05-27"),
    ("named query item_meaning", "/queries/item_meaning?table=番号法別表&item=81&as_of=2025-01-01"),
    ("/sparql SELECT (JSON)", "/sparql?query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20a%20%3Chttps%3A%2F%2Fw3id.org%2Fpia-kg%2Fontology%23TableItem%3E%20%7D%20LIMIT%20100"),
    ("home page", "/"),
)


SEED_IDS = {"first": "000_446cb3177695f62c", "second": "001_57af33314b6a26f0"}


def document_ids(store) -> dict[str, str]:  # noqa: ANN001
    """The first two loaded documents' ids, standing for the seeds' in the routes."""
    q = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?a a <https://w3id.org/pia-kg/ontology#Assessment> } "
        'FILTER(STRSTARTS(STR(?g), "https://w3id.org/pia-kg/id/graph/doc/")) } ORDER BY ?g LIMIT 2'
    )
    ids = [str(row[0]).rsplit("/", 1)[-1] for row in store.query(q).rows]
    return {"first": ids[0], "second": ids[-1]}


def measure(get, repeat: int, ids: dict[str, str] = SEED_IDS) -> dict[str, dict[str, float]]:  # noqa: ANN001
    out = {}
    for label, template in ROUTES:
        path = template.format(**ids)
        start = time.perf_counter()
        r = get(path)  # the first request (nothing cached yet), and a check that the route answers
        first = (time.perf_counter() - start) * 1000
        if r.status_code != 200:
            raise SystemExit(f"{path}: HTTP {r.status_code}: {r.text[:300]}")
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            get(path)
            times.append((time.perf_counter() - start) * 1000)
        out[label] = {
            "first_ms": first,
            "median_ms": statistics.median(times),
            "min_ms": min(times),
            "max_ms": max(times),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--law-dir", type=Path, default=None)
    ap.add_argument("--server", action="store_true", help="also time over HTTP via uvicorn")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--store", type=Path, default=None, help="time the routes on this store (read-only)")
    args = ap.parse_args()
    if args.store:
        from pia_kg.backends.oxigraph_store import OxigraphStore

        store = OxigraphStore(str(args.store), read_only=True)
        app = create_app(store, timeout=600, max_rows=1_000_000)
        results = {"in-process": measure(TestClient(app).get, args.repeat, document_ids(store))}
        report(results, args, f"{args.store}")
        return
    law_dir = args.law_dir or discover_law_dir()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store("oxigraph", path=Path(tmp) / "store")
        if law_dir:
            load_law_dir(store, law_dir)
        load_documents(store, [REPO / "data" / "assessments"])
        app = create_app(store, timeout=60, max_rows=100_000)
        results = {"in-process": measure(TestClient(app).get, args.repeat)}
        if args.server:
            import uvicorn

            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            while not server.started:
                time.sleep(0.05)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
                results["uvicorn"] = measure(http.get, args.repeat)
            server.should_exit = True
            thread.join(10)
        store.close()
    report(results, args, "seeds + law tables on Oxigraph")


def report(results: dict[str, dict[str, dict[str, float]]], args: argparse.Namespace, what: str) -> None:
    print(f"latency (ms): the first request, then the median of {args.repeat} more; {what}")
    modes = list(results)
    print(f"{'route':44s}" + "".join(f"{m + ' first':>18s}{m + ' median':>18s}" for m in modes))
    for label, _ in ROUTES:
        print(
            f"{label:44s}"
            + "".join(
                f"{results[m][label]['first_ms']:18.1f}{results[m][label]['median_ms']:18.1f}" for m in modes
            )
        )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
