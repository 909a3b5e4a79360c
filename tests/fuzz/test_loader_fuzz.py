"""A seeded fuzz of the document loader, in the suite: 200 mutations of the seeds.

Each mutated document must load, or fail with a pia-kg error naming the file on one line;
none may raise anything else, take longer than 30 s, or change the store when it fails
(see loader_fuzz.py; ``make fuzz`` runs thousands of cases).
"""

from __future__ import annotations

from collections import Counter

from conftest import SEED_001, SEED_003, SEED_004
from loader_fuzz import MUTATIONS, OUTCOMES, cases, run_fuzz

SEED = 20261130
COUNT = 200


def test_cases_are_reproducible_and_cover_every_mutation() -> None:
    first = [(c.mutation, c.data) for c in cases(SEED, 40)]
    assert first == [(c.mutation, c.data) for c in cases(SEED, 40)]
    assert {m for m, _ in first} == set(MUTATIONS)
    kinds = {c.mutation: c.data for c in cases(SEED, 40)}
    assert b"\x00" in kinds["nuls"]


def test_mutated_seeds_load_or_fail_cleanly() -> None:
    problems: list[str] = []

    def report(case, outcome: str, detail: str, took: float) -> None:
        if outcome not in ("ok", "failed-cleanly"):
            problems.append(f"case {case.number} ({case.mutation} of {case.seed_file}): {outcome}: {detail[-600:]}")

    # The smaller seeds and huge lines up to 200 KB keep the suite quick; `make fuzz`
    # mutates every seed with lines up to 1 MB.
    counts: Counter[str] = run_fuzz(
        SEED, COUNT, limit=30, store_every=10, seeds=[SEED_001, SEED_003, SEED_004],
        huge=200_000, report=report,
    )
    print({o: counts[o] for o in OUTCOMES})
    assert sum(counts.values()) == COUNT
    assert counts["ok"] > 0 and counts["failed-cleanly"] > 0  # the fuzz reaches both sides
    assert not problems, "\n".join(problems)
