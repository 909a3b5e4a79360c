"""What the backends share: SPARQL text for an atomic graph swap, and query time limits."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from rdflib import Graph, URIRef

from pia_kg.errors import QueryTimeoutError

T = TypeVar("T")

# One worker per process is enough: a timed-out query keeps its thread until the engine
# returns (no engine here can be interrupted), but the caller gets its answer on time.
_EXECUTOR = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="pia-kg-query")


def with_timeout(fn: Callable[[], T], timeout: float | None) -> T:
    """Run ``fn``; raise QueryTimeoutError if it takes longer than ``timeout`` seconds."""
    if timeout is None:
        return fn()
    future = _EXECUTOR.submit(fn)
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        raise QueryTimeoutError(
            f"the query ran longer than the {timeout:g} s timeout; narrow it (add a LIMIT or "
            "more specific patterns) or raise the timeout"
        ) from None


def swap_update(graphs: Mapping[URIRef, Graph], drops: Sequence[URIRef] = ()) -> str:
    """One SPARQL Update request that drops and refills each graph: a single transaction."""
    ops = [f"DROP SILENT GRAPH <{g}>" for g in list(graphs) + list(drops)]
    for g, data in graphs.items():
        if len(data):
            body = data.serialize(format="nt")
            ops.append(f"INSERT DATA {{ GRAPH <{g}> {{\n{body}\n}} }}")
    return " ;\n".join(ops)
