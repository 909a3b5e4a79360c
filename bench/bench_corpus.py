"""Benchmark: a generated corpus of N assessments, loaded in added batches, then the headline
questions; every figure beside raw pyoxigraph on the same data in the same run.

    python bench/bench_corpus.py --n 100 1000 [--chunk 100] [--repeat 5] [--json FILE]
    python bench/bench_corpus.py --n 10000 --chunk 500 --load-only   # the load's curve alone

Per N: documents/s and CPU s per document of ``pia-kg load`` (a subprocess per added chunk,
CPU of it and its workers, and how much of it is the workers' (parse, derive) and how much
the writer's, beside the engine's own cost of writing the same quads in the same batches, a
process a chunk as `pia-kg load` writes them),
the cost of each added chunk against the store's size, the cost
of one document more (a whole `pia-kg load`, then `pia-kg remove`) into the N-document store
beside into a store of the law alone, and again once the store is compacted (right after a
load, the engine's merges of what it wrote run in whichever process opens the store), peak
memory (largest resident set of any process), bytes per triple on disk (after the load, and
after `pia-kg compact`), beside pyoxigraph's bulk_load of the exported N-Quads, once whole and once
in the batches ``pia-kg load`` wrote (the engine's own cost per document and its growth with
the store); p50 of each headline query beside a minimal hand-written SPARQL for the same
question on the raw store, as ratios, and for the item questions beside a hand-written query
giving the same rows (the minimal one returns one column of distinct names); and the whole
corpus's impact report as `pia-kg impact` makes it (time, CPU, peak memory, files written);
the whole store exported as N-Quads and the corpus-wide listing of transfers written to a file,
beside raw pyoxigraph dumping the store and running the same SPARQL.
With ``--one-command``, also all N documents in one `pia-kg load` of their folder, as someone
loading the country at once does (CPU per document, peak memory of its largest process).

Targets (issue 11), at 5,000 documents: headline p50 < 100 ms, impact of one body
< 1 s and of the whole corpus < 30 s, each within 3x of the minimal SPARQL; loading
<= 0.15 CPU s/document at any size (the last chunk within 20% of the first); peak memory
< 1 GB; <= 300 bytes/triple.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from pia_kg.backends.oxigraph_store import compaction_record
from pia_kg.corpus import write_corpus
from pia_kg.named_queries import run_query

PIA_KG = str(Path(sys.executable).with_name("pia-kg"))
#: The national corpus the load is extrapolated to (issue 11: under 2 hours on this machine).
NATIONAL = 35_000
REPO = Path(__file__).resolve().parents[1]
P = """PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""
_SAME = "(skos:exactMatch|^skos:exactMatch|skos:closeMatch|^skos:closeMatch)*"
_ITEM = """?law rdfs:label "%s"@ja .
  ?v pia:versionOf ?law ; eli:first_date_entry_in_force ?from .
  OPTIONAL { ?v eli:date_no_longer_in_force ?until }
  FILTER(?from <= "%s"^^<http://www.w3.org/2001/XMLSchema#date> && (!BOUND(?until) || ?until > "%s"^^<http://www.w3.org/2001/XMLSchema#date>))
  ?target pia:inVersion ?v ; pia:itemLabel "%s" ."""

# a citation resolved in a table one of whose versions ceased on the amendment date, and
# where its item went in the version that took effect that day
_DAY = '"2024-05-27"^^<http://www.w3.org/2001/XMLSchema#date>'
_IMPACT = (
    " ?cit pia:resolvedItem ?i . ?i pia:inVersion/pia:versionOf ?law ."
    f" ?ceased pia:versionOf ?law ; eli:date_no_longer_in_force {_DAY} ."
    " OPTIONAL { ?i (skos:exactMatch|skos:closeMatch)* ?new ."
    f" ?new pia:inVersion/eli:first_date_entry_in_force {_DAY} }} }}"
)

# The same rows as the named query, as one would write them by hand: the answer's columns as
# plain OPTIONAL lookups after the item's citations (no reading, law status or meaning).
_ROWS = ("OPTIONAL {{ ?a dcterms:title ?title }} OPTIONAL {{ ?cit pia:citedTable ?cited_table }}"
         " OPTIONAL {{ ?cit pia:citedItem ?cited_item }} OPTIONAL {{ ?cit pia:source ?source }} }}"
         " ORDER BY ?organization ?title {} ?source")
_SAME_ANSWER = {
    "departments_under_item":
        P + "PREFIX dcterms: <http://purl.org/dc/terms/>\nSELECT ?organization ?department ?role ?title"
        " ?cited_table ?cited_item ?purpose ?source WHERE { "
        + _ITEM % ("番号法別表", "2025-01-01", "2025-01-01", "81")
        + f" ?target {_SAME} ?meant . ?cit pia:meantItem ?meant ; pia:basisDepartment ?dep ;"
        " pia:basisRole ?role ; pia:basisOf ?party ; pia:inAssessment ?a . ?dep rdfs:label ?department ."
        " OPTIONAL { ?party pia:basisPurpose ?purpose } OPTIONAL { ?dep pia:organizationName ?organization } "
        + _ROWS.format("?department"),
    "recipients_under_item":
        P + "PREFIX dcterms: <http://purl.org/dc/terms/>\nSELECT ?organization ?recipient ?title"
        " ?cited_table ?cited_item ?purpose ?source WHERE { "
        + _ITEM % ("主務省令第2条の表", "2025-01-01", "2025-01-01", "106")
        + f" ?target {_SAME} ?meant . ?cit pia:meantItem ?meant ; pia:basisRole \"提供先\" ; pia:basisOf ?row ;"
        " pia:inAssessment ?a . OPTIONAL { ?row pia:basisRecipient ?recipient } OPTIONAL { ?row pia:purpose ?purpose }"
        " OPTIONAL { ?a pia:bodyName ?organization } "
        + _ROWS.format("?recipient"),
}

#: The impact report on one body's assessments (`pia-kg impact --body`): the body's
#: assessments looked up by its name, then their rows (pia_kg/impact/report.py).
BODY_REPORT = "impact report of one body"

# (name, named query, params, minimal SPARQL on the raw store) — {doc} is one assessment,
# {body} its body (of tens of assessments: 5,000 generated documents name about 200 bodies).
# The minimal SPARQL reads the same data (the basis links included) with every constant
# written in, and returns only the key column: the least a hand-written query must do.
HEADLINES = [
    ("departments-under-item", "departments_under_item",
     {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"},
     P + "SELECT DISTINCT ?department WHERE { " + _ITEM % ("番号法別表", "2025-01-01", "2025-01-01", "81")
     + f" ?target {_SAME} ?meant . ?cit pia:meantItem ?meant ."
     + " ?cit pia:basisDepartment/rdfs:label ?department }"),
    ("recipients-under-item", "recipients_under_item",
     {"table": "主務省令第2条の表", "item": "106", "as_of": "2025-01-01"},
     P + "SELECT DISTINCT ?row WHERE { " + _ITEM % ("主務省令第2条の表", "2025-01-01", "2025-01-01", "106")
     + f" ?target {_SAME} ?meant . ?cit pia:meantItem ?meant ; pia:basisRole \"提供先\" ; pia:basisOf ?row . }}"),
    ("item-meaning", "item_meaning",
     {"table": "番号法別表", "item": "81", "as_of": "2025-01-01"},
     P + "SELECT ?jimu WHERE { " + _ITEM % ("番号法別表", "2025-01-01", "2025-01-01", "81")
     + " OPTIONAL { ?target pia:jimu ?jimu } }"),
    ("citation-problems (one assessment)", "citation_problems", {"assessment": "{doc}"},
     P + "SELECT ?cit ?kind WHERE { ?cit pia:inAssessment <{doc}> ; pia:problem ?p . ?p pia:problemKind ?kind }"),
    ("renumbering-impact (one assessment)", "renumbering_impact",
     {"amendment": "2024-05-27", "assessment": "{doc}"},
     P + "SELECT ?cit ?new WHERE { ?cit pia:inAssessment <{doc}> ." + _IMPACT),
    ("renumbering-impact (one body)", BODY_REPORT, {"amendment": "2024-05-27", "body": "{body}"},
     P + 'SELECT ?cit ?new WHERE { ?a pia:bodyName "{body}"@ja . ?cit pia:inAssessment ?a .' + _IMPACT),
    ("renumbering-impact (whole corpus)", "renumbering_impact", {"amendment": "2024-05-27"},
     P + "SELECT ?cit ?new WHERE { " + _IMPACT),
]


def peak_mb() -> float:
    """The largest resident set of any `pia-kg` command run by :func:`pia` so far (each
    measured on its own, with its worker processes: not the query children)."""
    return _PEAK_KB[0] / 1024


_PEAK_KB = [0]


def disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


@dataclass
class Used:
    """What one command used: CPU seconds (its own and its workers') and its peak memory."""

    cpu_s: float
    peak_kb: int
    workers_cpu_s: float = 0.0  # of that CPU, its worker processes' (the rest is the writer's)


# Commands are started by a small process made when the benchmark starts. A process's peak
# memory (ru_maxrss) counts the image it replaced at exec, that is the memory of whoever
# started it: started from this process after it has held an export or query results, a
# command 100 MB big was reported at 500 MB.
_LAUNCHER: list[ProcessPoolExecutor] = []


def _launcher() -> ProcessPoolExecutor:
    if not _LAUNCHER:
        _LAUNCHER.append(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")))
    return _LAUNCHER[0]


def _run_command(cmd: list[str]) -> tuple[int, str, float, int, float]:
    """In the launcher: run ``cmd``; (exit code, the end of its stderr, CPU s, peak kB, CPU s
    of its worker processes). Its stderr (warnings, progress) goes to a file: a pipe left
    unread would fill and stop it."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        workers = _Descendants(proc.pid)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            workers.sample()
            time.sleep(_SAMPLE_S)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-500:].decode(errors="replace") if proc.returncode else ""
    return proc.returncode, tail, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, workers.leaves_cpu_s()


_SAMPLE_S = 0.05
_TICK = os.sysconf("SC_CLK_TCK")


class _Descendants:
    """The processes a command started, sampled from /proc: the CPU each had used when last
    seen, and which started others. Its leaves are the worker processes that parse and
    derive; the command (or the round process it hands the store to) is the writer. A
    worker's last ``_SAMPLE_S`` before it ends is not seen: well under a percent of a chunk."""

    def __init__(self, root: int):
        self.root = root
        self.cpu: dict[int, float] = {}
        self.parent: dict[int, int] = {}

    def sample(self) -> None:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            pid, ppid = int(entry.name), int(fields[1])
            if pid == self.root or ppid == self.root or ppid in self.parent:
                self.parent[pid] = ppid
                self.cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICK

    def leaves_cpu_s(self) -> float:
        parents = set(self.parent.values())
        return sum(c for pid, c in self.cpu.items() if pid != self.root and pid not in parents)


def pia(store: Path, *args: str) -> Used:
    """Run one `pia-kg` command (from the launcher); its peak memory (its own and its
    workers') counts in :func:`peak_mb`."""
    code, tail, cpu, peak, workers = _launcher().submit(_run_command, [PIA_KG, "--store", str(store), *args]).result()
    if code:
        raise SystemExit(f"pia-kg {' '.join(args[:2])} failed: {tail}")
    _PEAK_KB[0] = max(_PEAK_KB[0], peak)
    return Used(cpu, peak, workers)


def impact_report(store: Path, out: Path) -> dict[str, float]:
    """The whole corpus's impact report as a person makes it: `pia-kg impact --amendment
    2024-05-27` (the query, the rows, impact.csv/.json/.xlsx/.html), nothing printed."""
    t = time.perf_counter()
    used = pia(store, "impact", "--amendment", "2024-05-27", "--out", str(out), "--show", "0")
    written = sum(f.stat().st_size for f in out.iterdir())
    shutil.rmtree(out, ignore_errors=True)
    return {"wall_s": time.perf_counter() - t, "cpu_s": used.cpu_s, "peak_rss_mb": used.peak_kb / 1024,
            "files_mb": written / 1e6}


_RAW_DUMP = """import sys, pyoxigraph as ox
ox.Store.read_only(sys.argv[1]).dump(sys.argv[2], format=ox.RdfFormat.N_QUADS)"""
_RAW_LISTING = """import sys, pyoxigraph as ox
from pia_kg.named_queries import get_query
n = sum(1 for _ in ox.Store.read_only(sys.argv[1]).query(get_query(sys.argv[2]).text, use_default_graph_as_union=True))"""


def raw_command(code: str, *args: str) -> Used:
    """A few lines of raw pyoxigraph in a process of their own (from the launcher, as the
    commands they are compared with): CPU and peak memory."""
    code_, tail, cpu, peak, _ = _launcher().submit(_run_command, [sys.executable, "-c", code, *args]).result()
    if code_:
        raise SystemExit(f"raw pyoxigraph failed: {tail}")
    return Used(cpu, peak)


def exports(store: Path, out: Path) -> dict[str, dict[str, float]]:
    """The whole store as N-Quads (`pia-kg export`) and the corpus-wide listing of transfers
    to a file (`pia-kg query transfers -o`): time, CPU and peak memory, beside pyoxigraph
    dumping the same store and running the same SPARQL (read, not written)."""
    out.mkdir(parents=True, exist_ok=True)
    runs = {
        "export_nquads": (("export", "-f", "nquads", "-o", str(out / "all.nq")), (_RAW_DUMP, str(store), str(out / "raw.nq"))),
        "transfers_to_file": (("query", "transfers", "-o", str(out / "t.csv")), (_RAW_LISTING, str(store), "transfers")),
    }
    found: dict[str, dict[str, float]] = {}
    for key, (ours, raw) in runs.items():
        t = time.perf_counter()
        used = pia(store, *ours)
        wall = time.perf_counter() - t
        t = time.perf_counter()
        base = raw_command(*raw)
        found[key] = {"wall_s": wall, "cpu_s": used.cpu_s, "peak_rss_mb": used.peak_kb / 1024,
                      "raw_wall_s": time.perf_counter() - t, "raw_cpu_s": base.cpu_s, "raw_peak_rss_mb": base.peak_kb / 1024}
        for f in out.iterdir():
            f.unlink()
    shutil.rmtree(out, ignore_errors=True)
    return found


def triples(path: Path) -> int:
    s = ox.Store.read_only(str(path))
    n = len(s)
    del s
    return n


def _compaction_record(store: Path) -> str:
    """What the store keeps of its last compaction (``STORE.compacted``: a load compacts a
    store that has doubled since), to tell which chunk's load compacted it."""
    try:
        return compaction_record(store).read_text(encoding="ascii")
    except OSError:
        return ""


def load_in_chunks(store: Path, files: list[Path], chunk: int, batch: int) -> dict[str, object]:
    chunks = []
    record = _compaction_record(store)
    for i in range(0, len(files), chunk):
        part = files[i : i + chunk]
        wall0 = time.perf_counter()
        used = pia(store, "load", *map(str, part), "--batch-size", str(batch))
        cpu = used.cpu_s
        wall = time.perf_counter() - wall0
        n_triples = triples(store)
        size = disk_bytes(store)
        now = _compaction_record(store)
        compacted, record = now != record, now
        chunks.append({"docs_before": i, "docs": len(part), "cpu_s": cpu, "wall_s": wall,
                       "workers_cpu_s": used.workers_cpu_s,
                       "cpu_s_per_doc": cpu / len(part), "docs_per_s": len(part) / wall,
                       "triples_after": n_triples, "bytes_per_triple_after": size / max(1, n_triples),
                       "compacted": compacted})
        print(f"  chunk at {i:>5} docs: {len(part)} docs, {cpu / len(part):.3f} CPU s/doc "
              f"(workers {used.workers_cpu_s / len(part):.3f}, writer {(cpu - used.workers_cpu_s) / len(part):.3f}), "
              f"{len(part) / wall:.2f} docs/s wall, {size / max(1, n_triples):.0f} bytes/triple"
              + (" (the load compacted the store: it had doubled since its last compaction)" if compacted else ""),
              flush=True)
    cpu = sum(c["cpu_s"] for c in chunks)
    workers = sum(c["workers_cpu_s"] for c in chunks)
    wall = sum(c["wall_s"] for c in chunks)
    return {"chunks": chunks, "cpu_s_per_doc": cpu / len(files), "docs_per_s": len(files) / wall,
            "workers_cpu_s_per_doc": workers / len(files), "writer_cpu_s_per_doc": (cpu - workers) / len(files),
            "last_vs_first_chunk": last_vs_first(chunks),
            "extrapolated": extrapolate(chunks, NATIONAL) if len(chunks) > 1 else None}


_RAW_CHUNK = """import sys, itertools, pyoxigraph as ox
store, per = ox.Store(sys.argv[1]), int(sys.argv[3])
with open(sys.argv[2], "rb") as f:
    while data := b"".join(itertools.islice(f, per)):
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
store.flush()"""


def raw_in_chunks(nquads: Path, raw_dir: Path, n: int, chunk: int, batch: int) -> dict[str, object]:
    """pyoxigraph's bulk_load of the exported N-Quads into an empty store the way ``pia-kg
    load`` wrote them: a process a chunk of ``chunk`` documents' worth of quads (a `pia-kg
    load` a chunk), and in it one bulk_load per ``batch`` documents' worth (a write group's
    spool file a batch). The engine's own cost per document, and its growth with the store,
    on the same data written the same way: what ours is compared with. (Replayed in one
    process, the engine's merges go on between the chunks and its cost does not grow: at
    5,000 documents 1.06 times the first chunk for the last, where a process a chunk took
    2.2 times.)"""
    with nquads.open("rb") as f:
        total = sum(1 for _ in f)
    per_batch = max(1, round(total / n * batch))
    count = max(1, round(n / chunk))  # a remainder of less than half a chunk goes in the last
    per_chunk = -(-total // count)
    parts = raw_dir.with_name(raw_dir.name + "-parts")
    parts.mkdir(parents=True, exist_ok=True)
    chunks: list[dict[str, float]] = []
    done = 0
    try:
        with nquads.open("rb") as f:
            for i in range(count):
                part = parts / f"{i:05d}.nq"
                with part.open("wb") as out:
                    out.writelines(itertools.islice(f, per_chunk))
                with part.open("rb") as g:
                    quads = sum(1 for _ in g)
                wall0 = time.perf_counter()
                used = raw_command(_RAW_CHUNK, str(raw_dir), str(part), str(per_batch))
                part.unlink()
                docs = quads / total * n
                chunks.append({"docs_before": done / total * n, "docs": docs, "cpu_s": used.cpu_s,
                               "wall_s": time.perf_counter() - wall0, "cpu_s_per_doc": used.cpu_s / docs})
                done += quads
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    return {"chunks": chunks, "cpu_s_per_doc": sum(c["cpu_s"] for c in chunks) / n,
            "last_vs_first_chunk": last_vs_first(chunks),
            "bytes_per_triple": disk_bytes(raw_dir) / total}


def one_command(empty: Path, corpus: Path, n: int, target: Path) -> dict[str, float]:
    """All N documents in one `pia-kg load` of their folder, into a store of the law alone, as
    someone loading the country at once does: CPU per document, documents/s, the peak
    memory of its largest process (rounds of `pipeline.ROUND` documents, each its own
    process, keep the writer's memory from growing with N) and bytes per triple on disk
    (such a load compacts a store it leaves over 3 GiB: `OxigraphStore.worth_compacting`,
    included in its time and CPU)."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(empty, target)
    t = time.perf_counter()
    used = pia(target, "load", str(corpus))
    wall = time.perf_counter() - t
    out = {"cpu_s_per_doc": used.cpu_s / n, "docs_per_s": n / wall, "peak_rss_mb": used.peak_kb / 1024,
           "bytes_per_triple": disk_bytes(target) / triples(target)}
    shutil.rmtree(target, ignore_errors=True)
    print(f"  all {n} documents in one `pia-kg load`: {out['cpu_s_per_doc']:.3f} CPU s/doc, "
          f"{out['docs_per_s']:.2f} docs/s, peak {out['peak_rss_mb']:.0f} MB, "
          f"{out['bytes_per_triple']:.0f} bytes/triple", flush=True)
    return out


def last_vs_first(chunks: list[dict[str, float]]) -> float:
    """CPU per document of the last whole chunk over the first's. A last chunk of less than
    half the others (the remainder of the replay's batches, a few quads) measures the
    engine's fixed costs, not its cost per document: the chunk before it counts.

    >>> last_vs_first([{"docs": 10, "cpu_s_per_doc": 1.0}, {"docs": 10, "cpu_s_per_doc": 1.2},
    ...                {"docs": 0.1, "cpu_s_per_doc": 90.0}])
    1.2
    """
    whole = [c for c in chunks if c["docs"] >= chunks[0]["docs"] / 2]
    return whole[-1]["cpu_s_per_doc"] / whole[0]["cpu_s_per_doc"]


def one_more(store: Path, empty: Path | None, extra: Path, repeat: int) -> dict[str, float]:
    """The cost of adding one document to ``store`` and removing it again (one `pia-kg load`
    and one `pia-kg remove`, each a whole command: start, law, writer, write), beside the
    same into ``empty`` (if given), a store holding the law only: what an added document
    costs whatever the store holds."""
    out: dict[str, float] = {}
    for name, target in (("store", store), ("empty", empty)):
        if target is None:
            continue
        adds, removes = [], []
        for _ in range(repeat):
            for verb, args, into in (("load", [str(extra)], adds), ("remove", [extra.stem], removes)):
                wall0 = time.perf_counter()
                cpu = pia(target, verb, *args).cpu_s
                into.append((time.perf_counter() - wall0, cpu))
        for verb, samples in (("add", adds), ("remove", removes)):
            out[f"{verb}_{name}_wall_s"] = statistics.median(w for w, _ in samples)
            out[f"{verb}_{name}_cpu_s"] = statistics.median(c for _, c in samples)
    return out


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares of y = a + b·x.

    >>> _fit([0, 1, 2], [1, 3, 5])
    (1.0, 2.0)
    """
    n, mx, my = len(xs), sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if n > 1 and sxx else 0.0
    return my - b * mx, b


def _r2(xs: list[float], ys: list[float], a: float, b: float) -> float:
    """How much of the variation of ``ys`` the line a + b·x explains (1: all of it)."""
    my = sum(ys) / len(ys)
    total = sum((y - my) ** 2 for y in ys)
    left = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - left / total if total else 1.0


#: Student's t at 97.5 % for 1 to 12 degrees of freedom (beyond, 2.1 down to 1.96 for many).
_T975 = (12.71, 4.30, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.20, 2.18)


def _slope_error(xs: list[float], ys: list[float], a: float, b: float) -> float:
    """The standard error of the slope ``b`` of the least-squares line a + b·x (0 with fewer
    than three points).

    >>> _slope_error([0, 1, 2], [1, 3, 5], 1.0, 2.0)
    0.0
    >>> round(_slope_error([0, 1, 2, 3], [0, 2, 1, 3], 0.3, 0.8), 3)
    0.424
    """
    n = len(xs)
    if n < 3:
        return 0.0
    mx = sum(xs) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    left = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return (left / (n - 2) / sxx) ** 0.5 if sxx else 0.0


def extrapolate(chunks: list[dict[str, float]], n: int) -> dict[str, float]:
    """Hours to load ``n`` documents, from the wall seconds per document of each added chunk
    against the store's size (at the chunk's middle), under two models of its growth: linear
    in the size (a + b·s, the pessimistic one) and logarithmic (a + b·ln s), each integrated
    from an empty store to ``n``. Extrapolated far past the chunks measured, a linear fit's
    slope is mostly their noise: ``linear_high_h`` is the hours at the top of its 95 %
    interval (the most the chunks allow), ``linear_low_h`` at its bottom (no less than flat).

    >>> extrapolate([{"docs_before": 0, "docs": 10, "wall_s": 10.0},
    ...              {"docs_before": 10, "docs": 10, "wall_s": 20.0}], 20)["linear_h"] * 3600
    30.0
    >>> extrapolate([{"docs_before": 0, "docs": 10, "wall_s": 20.0},
    ...              {"docs_before": 10, "docs": 10, "wall_s": 10.0}], 1000)["linear_h"] * 3600
    1500.0
    >>> falling = extrapolate([{"docs_before": 0, "docs": 10, "wall_s": 20.0},
    ...                        {"docs_before": 10, "docs": 10, "wall_s": 10.0}], 1000)
    >>> falling["linear_h"] == falling["log_h"]  # both flat, at the mean: told as such
    True
    >>> noisy = extrapolate([{"docs_before": 10 * i, "docs": 10, "wall_s": w}
    ...                      for i, w in enumerate([10, 12, 9, 13, 10, 12])], 1000)
    >>> noisy["linear_low_h"] < noisy["linear_h"] < noisy["linear_high_h"]
    True
    """
    import math

    sizes = [c["docs_before"] + c["docs"] / 2 for c in chunks]
    per_doc = [c["wall_s"] / c["docs"] for c in chunks]
    mean = sum(per_doc) / len(per_doc)
    # a cost falling with the store's size (noise over a few small chunks) is taken as flat:
    # a falling line would reach zero, then negative hours
    a, b = _fit(sizes, per_doc)
    a, b = (a, b) if b >= 0 else (mean, 0.0)
    linear = a * n + b * n * n / 2
    fa, fb = _fit(sizes, per_doc)  # the fit as it is, falling or not, for its interval
    t = _T975[min(len(sizes) - 2, len(_T975)) - 1] if len(sizes) > 2 else 0.0
    spread = t * _slope_error(sizes, per_doc, fa, fb)
    middle = sum(sizes) / len(sizes)

    def hours(slope: float) -> float:
        """A line of ``slope`` through the chunks' mean (as every least-squares line is),
        never falling, never below zero at the empty store, integrated to ``n``."""
        slope = max(slope, 0.0)
        start = max(mean - slope * middle, 0.0)
        return (start * n + slope * n * n / 2) / 3600

    logs = [math.log(s) for s in sizes]
    la, lb = _fit(logs, per_doc)
    la, lb = (la, lb) if lb >= 0 else (mean, 0.0)
    logarithmic = la * n + lb * (n * math.log(n) - n)
    return {"documents": n, "linear_h": linear / 3600, "log_h": logarithmic / 3600,
            "linear_r2": _r2(sizes, per_doc, a, b), "log_r2": _r2(logs, per_doc, la, lb),
            "linear_low_h": hours(fb - spread), "linear_high_h": hours(fb + spread)}


def _timed_in_child(conn, store_dir: str, raw_dir: str, name: str, params: dict, sparql: str,
                    repeat: int) -> None:  # noqa: ANN001
    """In a child process (so that a runaway query can be killed): p50 of the named query on
    the pia-kg store, then of the minimal SPARQL on the raw store."""
    from pia_kg.backends.oxigraph_store import OxigraphStore

    store = OxigraphStore(store_dir, read_only=True)
    if name == BODY_REPORT:
        from pia_kg.headlines import body_assessments
        from pia_kg.impact.amendment import amendment_by_key
        from pia_kg.impact.report import build_impact_report

        amendment = amendment_by_key(params["amendment"])
        ours = p50(lambda: len(build_impact_report(
            store, amendment, assessments=body_assessments(store, params["body"])).rows), repeat)
    else:
        ours = p50(lambda: len(run_query(store, name, params).rows), repeat)
    conn.send(("ours", ours))
    raw = ox.Store.read_only(raw_dir)
    theirs = p50(lambda: sum(1 for _ in raw.query(sparql, use_default_graph_as_union=True)), repeat)
    conn.send(("raw", theirs))
    if name in _SAME_ANSWER and "as_of" in params:
        rows = _SAME_ANSWER[name]
        conn.send(("same_answer", p50(lambda: sum(1 for _ in raw.query(rows, use_default_graph_as_union=True)), repeat)))


#: A question quicker than this is asked again until its runs add up to it (at most 1,000
#: runs): the p50 of seven sub-millisecond runs moved by ×2 from one run of the bench to the
#: next (item-meaning: ×2.2 to ×6.1 of raw on the same stores), ours and raw alike.
_QUICK_S = 0.5


def p50(fn, repeat: int) -> tuple[float, int]:  # noqa: ANN001
    samples, rows = [], 0
    while len(samples) < repeat or (sum(samples) < _QUICK_S and len(samples) < 1000):
        t = time.perf_counter()
        rows = fn()
        samples.append(time.perf_counter() - t)
        if samples[-1] > 10 and len(samples) == 2:  # more repeats would not change the verdict
            break
    if len(samples) > 1 and samples[0] > 10:
        samples = samples[1:]  # a slow query's first run read the store's files cold: its second counts
    return statistics.median(samples), rows


def headline_times(store_dir: Path, raw_dir: Path, doc: str, repeat: int, limit: float) -> list[dict[str, object]]:
    import multiprocessing as mp

    out = []
    body = body_of(raw_dir, doc)
    for label, name, params, minimal in HEADLINES:
        bound = {k: v.replace("{doc}", doc).replace("{body}", body) for k, v in params.items()}
        sparql = minimal.replace("{doc}", doc).replace("{body}", body)
        parent, child = mp.Pipe()
        proc = mp.get_context("fork").Process(
            target=_timed_in_child, args=(child, str(store_dir), str(raw_dir), name, bound, sparql, repeat)
        )
        proc.start()
        got: dict[str, tuple[float, int]] = {}
        deadline = time.monotonic() + limit
        wanted = 3 if name in _SAME_ANSWER and "as_of" in bound else 2
        while len(got) < wanted and parent.poll(max(0.0, deadline - time.monotonic())):
            key, value = parent.recv()
            got[key] = value
            deadline = time.monotonic() + limit
        proc.kill()
        proc.join()
        ours, rows = got.get("ours", (None, None))
        theirs, raw_rows = got.get("raw", (None, None))
        ratio = ours / theirs if ours and theirs else None
        same, same_rows = got.get("same_answer", (None, None))
        out.append({"query": label, "p50_s": ours, "rows": rows, "raw_p50_s": theirs,
                    "raw_rows": raw_rows, "ratio": ratio, "timeout_s": limit,
                    "raw_same_answer_p50_s": same, "raw_same_answer_rows": same_rows})
        show = lambda t: f"> {limit:.0f} s (stopped)" if t is None else f"{t * 1000:9.1f} ms"  # noqa: E731
        print(f"  {label:38} {show(ours)} ({rows} rows)   raw {show(theirs)} ({raw_rows})"
              f"   x{ratio:.1f}" if ratio else f"  {label:38} {show(ours)} ({rows} rows)   raw {show(theirs)} ({raw_rows})",
              flush=True)
        if same is not None and ours:
            print(f"  {'':38} the same rows by hand on raw: {show(same)} ({same_rows})   x{ours / same:.2f}", flush=True)
    return out


def body_of(store_dir: Path, assessment: str) -> str:
    """The name of the body that wrote ``assessment``."""
    s = ox.Store.read_only(str(store_dir))
    q = f"SELECT ?b WHERE {{ <{assessment}> <https://w3id.org/pia-kg/ontology#bodyName> ?b }} LIMIT 1"
    found = [r["b"].value for r in s.query(q, use_default_graph_as_union=True)]
    return found[0] if found else ""


def one_assessment(store_dir: Path) -> str:
    s = ox.Store.read_only(str(store_dir))
    q = "SELECT ?a WHERE { ?a a <https://w3id.org/pia-kg/ontology#Assessment> ; <https://w3id.org/pia-kg/ontology#citation>|<https://w3id.org/pia-kg/ontology#numberUseBasis> ?c } ORDER BY ?a LIMIT 1"
    found = [r["a"].value for r in s.query(q, use_default_graph_as_union=True)]
    return found[0] if found else ""


def print_load(load: dict[str, object], load_peak: float) -> None:
    """The chunked load's summary: CPU and speed, growth, peak memory, the national extrapolation."""
    print(f"  load: {load['cpu_s_per_doc']:.3f} CPU s/doc, {load['docs_per_s']:.2f} docs/s, "
          f"last chunk / first = {load['last_vs_first_chunk']:.2f}; peak RSS while loading "
          f"{load_peak:.0f} MB (largest process)",
          flush=True)
    if load["extrapolated"]:
        e = load["extrapolated"]
        if e["linear_h"] == e["log_h"]:  # both fits flat: no chunk cost more as the store grew
            print(f"  {e['documents']} documents would load in {e['linear_h']:.1f} h (time per document "
                  "did not grow with the store: both fits flat, at the mean of the chunks; the linear "
                  f"fit's slope's 95 % interval: {e['linear_low_h']:.1f} to {e['linear_high_h']:.1f} h)", flush=True)
        else:
            print(f"  {e['documents']} documents would load in {e['log_h']:.1f} h (time per document "
                  f"growing with the log of the store, R² {e['log_r2']:.2f}) to {e['linear_h']:.1f} h "
                  f"(growing linearly, R² {e['linear_r2']:.2f}; its slope's 95 % interval: "
                  f"{e['linear_low_h']:.1f} to {e['linear_high_h']:.1f} h)", flush=True)


def run(n: int, args: argparse.Namespace, work: Path) -> dict[str, object]:
    print(f"N = {n}", flush=True)
    files = write_corpus(work / f"corpus-{n}", n, seed=args.seed)
    store = work / f"store-{n}"
    _PEAK_KB[0] = 0  # this N's commands only
    pia(store, "law", "load", str(args.law_dir))
    empty = work / f"store-{n}-law-only"
    shutil.rmtree(empty, ignore_errors=True)
    shutil.copytree(store, empty)
    chunk = args.chunk or max(25, n // 10)
    load = load_in_chunks(store, files, chunk, args.batch)
    load_peak = peak_mb()
    n_triples = triples(store)
    on_disk = disk_bytes(store)
    if args.load_only:
        print(f"  {n_triples} triples; {on_disk / n_triples:.0f} bytes/triple after load", flush=True)
        print_load(load, load_peak)
        return {"n": n, "triples": n_triples, "load": load, "peak_rss_mb_loading": load_peak,
                "bytes_per_triple": on_disk / n_triples}
    whole = one_command(empty, files[0].parent, n, work / f"store-{n}-one-command") if args.one_command else None
    extra = write_corpus(work / f"extra-{n}", 1, seed=args.seed + 1)[0]
    added = one_more(store, empty, extra, 3)
    shutil.rmtree(empty, ignore_errors=True)
    print(f"  one document more: added in {added['add_store_wall_s']:.2f} s wall, {added['add_store_cpu_s']:.2f} CPU s"
          f" (into the law alone: {added['add_empty_wall_s']:.2f} s, {added['add_empty_cpu_s']:.2f} CPU s);"
          f" removed in {added['remove_store_wall_s']:.2f} s (from the law alone: {added['remove_empty_wall_s']:.2f} s)",
          flush=True)
    search_db = store.with_name(store.name + "-search.sqlite")  # texts and search index
    search_bytes = search_db.stat().st_size if search_db.exists() else 0
    s = ox.Store(str(store))
    nquads = work / f"export-{n}.nq"
    s.dump(str(nquads), format=ox.RdfFormat.N_QUADS)
    del s
    t = time.perf_counter()
    pia(store, "compact")
    compact_s = time.perf_counter() - t
    compacted = disk_bytes(store)
    # Right after a load, the engine still merges what the bulk loader wrote (RocksDB's
    # compactions, in whichever process has the store open): the same document into the
    # compacted store is what pia-kg's own work costs.
    settled = one_more(store, None, extra, 3)
    added.update({f"{k}_compacted": v for k, v in settled.items()})
    print(f"  one document more into the compacted store: {settled['add_store_wall_s']:.2f} s wall, "
          f"{settled['add_store_cpu_s']:.2f} CPU s; removed in {settled['remove_store_wall_s']:.2f} s", flush=True)
    raw_dir = work / f"raw-{n}"
    t, c = time.perf_counter(), time.process_time()
    raw = ox.Store(str(raw_dir))
    raw.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    raw_load = {"wall_s": time.perf_counter() - t, "cpu_s": time.process_time() - c}
    raw_bytes = disk_bytes(raw_dir)
    print(f"  {n_triples} triples; {on_disk / n_triples:.0f} bytes/triple after load, "
          f"{compacted / n_triples:.0f} after `pia-kg compact` ({compact_s:.1f} s); raw bulk_load "
          f"{raw_bytes / n_triples:.0f} bytes/triple, {raw_load['wall_s']:.1f} s; search index and "
          f"texts {search_bytes / 1e6:.0f} MB ({search_bytes / n / 1e3:.0f} kB/document)", flush=True)
    del raw
    replay = raw_in_chunks(nquads, work / f"raw-chunked-{n}", n, chunk, args.batch)
    shutil.rmtree(work / f"raw-chunked-{n}", ignore_errors=True)
    print(f"  raw bulk_load in the same batches, a process a chunk: {replay['cpu_s_per_doc'] * 1000:.0f} CPU ms/doc, "
          f"last chunk / first = {replay['last_vs_first_chunk']:.2f}, "
          f"{replay['bytes_per_triple']:.0f} bytes/triple", flush=True)
    queries = headline_times(store, raw_dir, one_assessment(store), args.repeat, args.query_timeout)
    report = impact_report(store, work / f"reports-{n}")
    print(f"  `pia-kg impact --amendment 2024-05-27` (whole corpus, four files): {report['wall_s']:.1f} s, "
          f"{report['cpu_s']:.1f} CPU s, peak {report['peak_rss_mb']:.0f} MB, {report['files_mb']:.0f} MB written",
          flush=True)
    written = exports(store, work / f"exports-{n}")
    for key, w in written.items():
        print(f"  {key}: {w['wall_s']:.1f} s, {w['cpu_s']:.1f} CPU s, peak {w['peak_rss_mb']:.0f} MB "
              f"(raw pyoxigraph {w['raw_wall_s']:.1f} s, peak {w['raw_peak_rss_mb']:.0f} MB: "
              f"x{w['cpu_s'] / max(w['raw_cpu_s'], 1e-9):.2f} CPU, x{w['peak_rss_mb'] / max(w['raw_peak_rss_mb'], 1e-9):.2f} memory)",
              flush=True)
    result = {"n": n, "triples": n_triples, "load": load, "one_document_more": added, "exports": written,
              "peak_rss_mb_loading": load_peak,
              "bytes_per_triple": on_disk / n_triples,
              "bytes_per_triple_compacted": compacted / n_triples, "compact_s": compact_s,
              "raw_bytes_per_triple": raw_bytes / n_triples, "raw_bulk_load": raw_load,
              "raw_bulk_load_in_batches": replay,
              "search_index_bytes": search_bytes,
              "queries": queries, "impact_report": report, "one_command": whole}
    # Where a document's CPU goes: the workers (parse, derive, index entry) and the writer,
    # beside the engine's own cost of writing the same quads in the same batches.
    print(f"  load CPU by part: workers {load['workers_cpu_s_per_doc'] * 1000:.0f} ms/doc, writer "
          f"{load['writer_cpu_s_per_doc'] * 1000:.0f} ms/doc (raw bulk_load of the same quads in the same "
          f"batches: {replay['cpu_s_per_doc'] * 1000:.0f})", flush=True)
    print_load(load, load_peak)
    if not args.keep:
        shutil.rmtree(raw_dir, ignore_errors=True)
        nquads.unlink(missing_ok=True)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--chunk", type=int, default=0, help="documents per `pia-kg load` (default N/10)")
    ap.add_argument("--batch", type=int, default=25, help="documents per transaction")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--law-dir", type=Path, default=Path(os.environ.get("PIA_KG_LAW_DIR", REPO.parent / "shared" / "law")))
    ap.add_argument("--work", type=Path, default=None, help="folder for corpora and stores (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the raw store and the export")
    ap.add_argument("--query-timeout", type=float, default=120, help="seconds before a query is stopped")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--load-only", action="store_true",
                    help="only the load in chunks and its curve (CPU, growth, memory, the national "
                         "extrapolation): for an N past what the whole run affords")
    ap.add_argument("--one-command", action="store_true",
                    help="also load all N documents in one `pia-kg load` (its peak memory, CPU per document)")
    args = ap.parse_args()
    _launcher().submit(int).result()  # started while this process is small (see _LAUNCHER)
    work = args.work or Path(tempfile.mkdtemp(prefix="pia-kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = [run(n, args, work) for n in args.n]
    finally:
        _launcher().shutdown()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
