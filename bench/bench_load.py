"""Load test of ``pia-kg serve`` on the seeds and the law: many clients, loopback only.

Starts the real server (``pia-kg serve`` on 127.0.0.1 and a free port) on a store holding
the law tables and the seed documents, then:

1. one request per headline route (the first answer per store state is computed; timed
   apart), then ``--clients`` concurrent clients (16) request the routes round-robin for
   ``--duration`` seconds (60): requests/s, p50, p99 and errors per route, and the server's
   resident memory (its own and with its query workers) at start, during and at the end;
2. 20 runaway SPARQL queries (a cartesian product) are sent at once, then ``/assessments``
   is timed while they are being stopped.

Targets (issue 12): >= 100 requests/s on the headline routes, p99 < 500 ms, 0 errors,
memory steady; ``/assessments`` < 1 s behind the runaways. Bounded: every request has a
timeout, the run stops after the duration, the server is stopped at the end::

    python bench/bench_load.py                 # builds a store in a temporary folder
    python bench/bench_load.py --store DIR     # an existing store (law + seeds loaded)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
PIA_KG = str(Path(sys.executable).with_name("pia-kg"))
LAW_DIR = Path(os.environ.get("PIA_KG_LAW_DIR", REPO.parent / "shared" / "law"))
ROUTES = (
    "/assessments",
    "/items/番号法別表/81?as_of=2025-01-01",
    "/items/番号法別表第一/81?as_of=2023-01-01",
    "/impact?amendment=2024-05-27",
    "/assessments/000_446cb3177695f62c",
    "/queries/citation_problems",
)
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_rss_kib(pid: int) -> int:
    """RSS of a process and all its descendants."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kib(p)
        todo += children.get(p, [])
    return total


def _sample_rss(pid: int, duration: float, samples: list[int]) -> None:
    for _ in range(10):
        time.sleep(duration / 10)
        samples.append(_rss_kib(pid))


def build_store(folder: Path) -> Path:
    store = folder / "store"
    for args in (["law", "load", str(LAW_DIR)], ["load", str(REPO / "data" / "assessments")]):
        subprocess.run([PIA_KG, "--store", str(store), *args], check=True, capture_output=True, timeout=900)
    return store


def start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [PIA_KG, "--store", str(store), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/queries", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not come up within 60 s")


async def _client(base: str, offset: int, until: float, results: dict[str, list[float]],
                  errors: dict[str, int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        i = offset
        while time.monotonic() < until:
            route = ROUTES[i % len(ROUTES)]
            i += 1
            started = time.perf_counter()
            try:
                r = await client.get(route)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            results[route].append(time.perf_counter() - started)
            if not ok:
                errors[route] += 1


def load_phase(base: str, clients: int, duration: float) -> tuple[dict[str, list[float]], dict[str, int], float]:
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)

    async def main() -> float:
        started = time.monotonic()
        until = started + duration
        await asyncio.gather(*(_client(base, k, until, results, errors) for k in range(clients)))
        return time.monotonic() - started

    took = asyncio.run(main())
    return results, errors, took


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def runaway_phase(base: str) -> tuple[float, int, list[int]]:
    statuses: list[int] = []

    def runaway() -> None:
        try:
            statuses.append(httpx.get(base + "/sparql", params={"query": RUNAWAY}, timeout=120).status_code)
        except httpx.HTTPError:
            statuses.append(0)

    threads = [threading.Thread(target=runaway) for _ in range(20)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    started = time.perf_counter()
    r = httpx.get(base + "/assessments", timeout=30)
    took = time.perf_counter() - started
    for t in threads:
        t.join(timeout=180)
    return took, r.status_code, statuses


def report(results: dict[str, list[float]], errors: dict[str, int], took: float) -> None:
    total = sum(len(v) for v in results.values())
    all_lat = [x for v in results.values() for x in v]
    print(f"{'route':45} {'req':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for route in ROUTES:
        lat = results[route]
        print(f"{route:45} {len(lat):6d} {len(lat) / took:7.1f} {_pct(lat, 0.5) * 1000:7.1f} "
              f"{_pct(lat, 0.99) * 1000:7.1f} {errors[route]:6d}")
    print(f"{'all':45} {total:6d} {total / took:7.1f} {statistics.median(all_lat) * 1000:7.1f} "
          f"{_pct(all_lat, 0.99) * 1000:7.1f} {sum(errors.values()):6d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="an existing store (default: build one)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pia-kg-bench-load-"))
    try:
        store = args.store or build_store(tmp)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(store, port)
        try:
            print(f"server pid {server.pid}; RSS at start {_rss_kib(server.pid) // 1024} MiB "
                  f"(with query workers {_tree_rss_kib(server.pid) // 1024} MiB)")
            started = time.monotonic()
            for route in ROUTES:  # the first answer per store state is computed; time it apart
                httpx.get(base + route, timeout=120)
            print(f"first answers (cold, once per store state): {time.monotonic() - started:.1f} s")
            samples: list[int] = []
            sampler = threading.Thread(
                target=_sample_rss, args=(server.pid, args.duration, samples), daemon=True
            )
            sampler.start()
            results, errors, took = load_phase(base, args.clients, args.duration)
            sampler.join()
            print(f"{args.clients} clients, {took:.0f} s, loopback")
            report(results, errors, took)
            print("server RSS during the run (MiB, every tenth of it): "
                  + " ".join(str(k // 1024) for k in samples))
            print(f"server RSS at end {_rss_kib(server.pid) // 1024} MiB "
                  f"(with query workers {_tree_rss_kib(server.pid) // 1024} MiB)")
            answered, status, statuses = runaway_phase(base)
            counts = {s: statuses.count(s) for s in sorted(set(statuses))}
            print(f"20 runaway queries (statuses {counts}); /assessments answered {status} "
                  f"in {answered * 1000:.0f} ms")
            print(f"server RSS after the runaways {_rss_kib(server.pid) // 1024} MiB "
                  f"(with query workers {_tree_rss_kib(server.pid) // 1024} MiB)")
        finally:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
