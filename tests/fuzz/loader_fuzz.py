"""Seeded fuzz of the document loader: mutated seeds must load or fail cleanly, in time.

Each case is a seed document mutated one way (truncated, a block duplicated or dropped,
bytes flipped, re-encoded to Shift_JIS or UTF-16, a huge line, binary, NULs, an era year
that overflows, …), chosen by a seeded random generator so a failure can be replayed.
Every case runs in a worker process under a watchdog and is counted as one of:

* ``ok``              loaded;
* ``failed-cleanly``  a pia-kg error (PiaKgError) whose message is one line naming the file;
* ``unnamed``         a pia-kg error whose message does not name the file, or spans lines;
* ``traceback``       any other exception escaped ``load_assessment``;
* ``hang``            no answer within the per-case limit (the worker is killed);
* ``partial-write``   a load that failed changed the store (its export differs).

A failed case, and every ``store_every``-th case, is also loaded through
``pipeline.load_documents`` into a store holding a seed, whose N-Quads export must be
byte-identical after a failure.

Run outside pytest (``make fuzz``)::

    python tests/fuzz/loader_fuzz.py --seed 1 --count 2000
    python tests/fuzz/loader_fuzz.py --seed 1 --save 468 --out case.txt   # replay one
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.connection
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "data" / "assessments").glob("*.txt"))
# The store every store check starts from: the smallest seed (its graphs and derived ones).
BASE_SEED = REPO / "data" / "assessments" / "003_629faf11296c78e3.txt"
OUTCOMES = ("ok", "failed-cleanly", "unnamed", "traceback", "hang", "partial-write")

Mutation = Callable[[random.Random, bytes], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _span(rng: random.Random, n: int, most: int) -> tuple[int, int]:
    start = rng.randrange(max(n, 1))
    return start, min(n, start + rng.randint(1, most))


def truncate_bytes(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def truncate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    return b"\n".join(lines[: rng.randrange(len(lines) + 1)])


def duplicate_block(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    a, b = _span(rng, len(lines), 120)
    return b"\n".join(lines[:b] + lines[a:b] * rng.randint(1, 3) + lines[b:])


def delete_block(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    a, b = _span(rng, len(lines), 200)
    return b"\n".join(lines[:a] + lines[b:])


def swap_blocks(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    a, b = _span(rng, len(lines), 60)
    c, d = _span(rng, len(lines), 60)
    if c < b:
        return data
    return b"\n".join(lines[:a] + lines[c:d] + lines[b:c] + lines[a:b] + lines[d:])


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 64)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def reencode(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    codec = rng.choice(["shift_jis", "cp932", "euc_jp", "utf-16", "utf-16-le", "utf-32", "iso2022_jp"])
    return text.encode(codec, errors="replace")


def huge_line(rng: random.Random, data: bytes, most: int = 1_000_000) -> bytes:
    lines = _lines(data)
    unit = rng.choice([b"x", "あ".encode(), b"|", "　".encode(), "①".encode(), b"1"])
    lines.insert(rng.randrange(len(lines) + 1), unit * (rng.randint(10_000, most) // len(unit)))
    return b"\n".join(lines)


def binary(rng: random.Random, data: bytes) -> bytes:
    junk = rng.randbytes(rng.randint(1, 50_000))
    return junk if rng.random() < 0.3 else data[: len(data) // 2] + junk + data[len(data) // 2 :]


def nuls(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        at = rng.randrange(len(out) + 1)
        out[at:at] = b"\x00" * rng.randint(1, 8)
    return bytes(out)


def era_overflow(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    year = rng.choice(["9999999999", "0", "００", "九九九九九九九九九九", "-1", "1" * 400])
    era = rng.choice(["令和", "平成", "昭和", "大正", "明治"])
    for old in ("令和", "平成"):
        text = text.replace(f"{old}", f"{era}{year}年{rng.choice(['', '13月', '2月30日'])}", 3)
    return text.encode("utf-8")


def number_junk(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 20)):
        i = rng.randrange(len(lines))
        lines[i] = lines[i].replace(b"1", b"9" * rng.randint(2, 400))
    return b"\n".join(lines)


def line_endings(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"\n", rng.choice([b"\r\n", b"\r", b"\n\n", b"\x0b", "\u2028".encode()]))


def degenerate(rng: random.Random, data: bytes) -> bytes:
    return rng.choice([b"", b"\xef\xbb\xbf", b"\n" * 1000, b" " * 5000, b"\xff\xfe", data[:3], b"\x00" * 100])


MUTATIONS: dict[str, Mutation] = {
    f.__name__: f
    for f in (
        truncate_bytes, truncate_lines, duplicate_block, delete_block, swap_blocks, flip_bytes,
        reencode, huge_line, binary, nuls, era_overflow, number_junk, line_endings, degenerate,
    )
}


@dataclass(frozen=True)
class Case:
    number: int
    seed_file: str
    mutation: str
    data: bytes

    @property
    def file_name(self) -> str:
        return f"fuzz_{self.number:05d}_{self.mutation}.txt"


def cases(
    seed: int, count: int, *, seeds: list[Path] | None = None, huge: int = 1_000_000
) -> Iterator[Case]:
    """``count`` mutated documents, the same for the same arguments; ``huge`` bounds the
    length of an inserted huge line."""
    rng = random.Random(seed)
    pool = seeds or SEEDS
    texts = {p: p.read_bytes() for p in pool}
    names = sorted(MUTATIONS)
    for n in range(count):
        base = rng.choice(pool)
        name = names[n % len(names)] if n < len(names) else rng.choice(names)
        if name == "huge_line":
            data = huge_line(rng, texts[base], most=huge)
        else:
            data = MUTATIONS[name](rng, texts[base])
        yield Case(n, base.name, name, data)


# ---- the worker process ---------------------------------------------------------------


def _classify(path: Path) -> tuple[str, str]:
    from pia_kg.errors import PiaKgError
    from pia_kg.loaders.documents.assessment import load_assessment

    try:
        load_assessment(path)
    except PiaKgError as exc:
        message = str(exc)
        if path.name in message and "\n" not in message:
            return "failed-cleanly", message
        return "unnamed", message
    except BaseException:  # noqa: BLE001 (the very thing counted)
        return "traceback", traceback.format_exc(limit=-6)
    return "ok", ""


class _StoreCheck:
    """A store holding the base seed; a failed load must leave its export as it was."""

    def __init__(self) -> None:
        from pia_kg.pipeline import load_documents
        from pia_kg.store import open_store

        self.store = open_store("oxigraph")
        load_documents(self.store, [BASE_SEED])
        self.before = self._export()

    def _export(self) -> bytes:
        from pia_kg.store import ExportFormat

        return self.store.export(ExportFormat.nquads)

    def partial_write(self, path: Path) -> bool:
        from pia_kg.pipeline import load_documents, remove_documents

        try:
            load_documents(self.store, [path])
        except Exception:  # noqa: BLE001 (any failure: the store must be as it was)
            return self._export() != self.before
        remove_documents(self.store, [path.stem])
        self.before = self._export()
        return False


def _serve(conn: multiprocessing.connection.Connection) -> None:
    check: _StoreCheck | None = None
    while True:
        job = conn.recv()
        if job is None:
            return
        path, with_store = Path(job[0]), job[1]
        outcome, detail = _classify(path)
        if with_store or outcome != "ok":
            check = check or _StoreCheck()
            if check.partial_write(path):
                outcome, detail = "partial-write", detail or "the store changed"
        conn.send((outcome, detail))


class Harness:
    """Runs cases in a worker process; a case past ``limit`` seconds is a hang (worker killed)."""

    def __init__(self, folder: Path, *, limit: float = 30, store_every: int = 10):
        self.folder = folder
        self.limit = limit
        self.store_every = store_every
        self._ctx = multiprocessing.get_context("spawn")
        self._start()

    def _start(self) -> None:
        self.conn, child = self._ctx.Pipe()
        self.proc = self._ctx.Process(target=_serve, args=(child,), daemon=True)
        self.proc.start()
        child.close()

    def run(self, case: Case) -> tuple[str, str, float]:
        path = self.folder / case.file_name
        path.write_bytes(case.data)
        started = time.monotonic()
        self.conn.send((str(path), case.number % self.store_every == 0))
        # The store check needs time of its own; the limit is for the load.
        if not self.conn.poll(self.limit * 2):
            self.proc.kill()
            self.proc.join()
            self._start()
            outcome: tuple[str, str] = ("hang", f"no answer within {self.limit * 2:g} s")
        else:
            try:
                outcome = self.conn.recv()
            except EOFError:  # the worker died (a crash of the interpreter itself)
                self.proc.join()
                self._start()
                outcome = ("traceback", f"the worker died (exit code {self.proc.exitcode})")
        path.unlink()
        took = time.monotonic() - started
        if outcome[0] in ("ok", "failed-cleanly") and took > self.limit:
            outcome = ("hang", f"took {took:.1f} s")
        return outcome[0], outcome[1], took

    def close(self) -> None:
        self.conn.send(None)
        self.proc.join(timeout=10)
        if self.proc.is_alive():
            self.proc.kill()


def run_fuzz(
    seed: int, count: int, *, limit: float = 30, store_every: int = 10,
    seeds: list[Path] | None = None, huge: int = 1_000_000,
    report: Callable[[Case, str, str, float], None] | None = None,
) -> Counter[str]:
    """Counts of each outcome over ``count`` cases."""
    counts: Counter[str] = Counter({o: 0 for o in OUTCOMES})
    with tempfile.TemporaryDirectory(prefix="pia-kg-fuzz-") as tmp:
        harness = Harness(Path(tmp), limit=limit, store_every=store_every)
        try:
            for case in cases(seed, count, seeds=seeds, huge=huge):
                outcome, detail, took = harness.run(case)
                counts[outcome] += 1
                if report:
                    report(case, outcome, detail, took)
        finally:
            harness.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--limit", type=float, default=30, help="seconds per case before it is a hang")
    parser.add_argument("--store-every", type=int, default=10)
    parser.add_argument("--save", type=int, metavar="N", help="write case N to --out and stop (to replay it)")
    parser.add_argument("--out", type=Path, default=Path("fuzz-case.txt"))
    args = parser.parse_args(argv)
    if args.save is not None:
        case = next(c for c in cases(args.seed, args.save + 1) if c.number == args.save)
        args.out.write_bytes(case.data)
        print(f"case {case.number}: {case.mutation} of {case.seed_file} -> {args.out}")
        return 0
    bad: list[str] = []
    by_mutation: Counter[tuple[str, str]] = Counter()

    def report(case: Case, outcome: str, detail: str, took: float) -> None:
        by_mutation[(case.mutation, outcome)] += 1
        if outcome not in ("ok", "failed-cleanly"):
            first = detail.strip().splitlines()[-1] if detail.strip() else ""
            bad.append(f"case {case.number} ({case.mutation} of {case.seed_file}, {took:.1f} s): {outcome}: {first}")
        if (case.number + 1) % 100 == 0:
            print(f"… {case.number + 1} cases", file=sys.stderr, flush=True)

    started = time.monotonic()
    counts = run_fuzz(args.seed, args.count, limit=args.limit, store_every=args.store_every, report=report)
    print(f"seed {args.seed}, {args.count} cases in {time.monotonic() - started:.0f} s")
    for outcome in OUTCOMES:
        print(f"  {outcome:15} {counts[outcome]}")
    for mutation in sorted(MUTATIONS):
        row = ", ".join(f"{o} {by_mutation[(mutation, o)]}" for o in OUTCOMES if by_mutation[(mutation, o)])
        print(f"    {mutation:16} {row}")
    for line in bad[:50]:
        print("  " + line)
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
