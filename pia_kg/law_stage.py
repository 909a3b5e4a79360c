"""The law stage of a packed named query: evaluated apart, once per store state, and joined.

A question about one item of a law table (departments-under-item, recipients-under-item) is
two stages in one SPARQL text: what the law says of the item — the version in force on the
date, every item meaning the same 事務, the reading, how far the law held answers — and then
the rows of the citations that meant those items. The first reads the law alone: a handful of
rows whatever the corpus, the same for every question with the same parameters until the
store changes. Evaluated inside the whole query it cost 11 ms of 115 at 5,000 documents, and
its columns, projected on each of the 6,000 rows, as much again.

A query declares it with ``#+ law_stage: meant``, naming the variable the stages share. The
stage is the leading sub-select (``{ SELECT [DISTINCT] * WHERE {``, where the parameters are
bound) that does not mention the packed variable. pia-kg evaluates it with the parameters,
once per store state (:meth:`Store.state_token`); then the rest of the query once for each
item it found, bound by a ``VALUES`` in the stage's place, projecting the packed rows alone;
and joins the two here. The file stays one query that any SPARQL endpoint runs
as it is (the SPARQL page offers it so).
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from rdflib.term import Node

from pia_kg.errors import QueryError, ResultLimitError
from pia_kg.named_queries import _LEADING_SUBSELECT, _VAR, _WHERE, inject_values, masked_text
from pia_kg.store import QueryResult, Store

__all__ = ["LawStage", "split_law_stage", "run_staged"]

_SELECT = re.compile(r"\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?", re.IGNORECASE)


def _closing(masked: str, start: int) -> int:
    """The offset of the ``}`` closing the ``{`` at ``start``."""
    depth = 0
    for i in range(start, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise QueryError("a named query's braces do not balance")


@dataclass(frozen=True)
class LawStage:
    """A packed query split in two: ``stage`` (the law stage as a query of its own, projecting
    the shared variable and the answer's other columns), ``scan`` (the rest, projecting the
    packed variable and the shared one, where ``VALUES_AT`` marks the place of the shared
    variable's VALUES), and the answer's ``variables`` (the whole query's projection)."""

    stage: str
    scan: str
    variables: tuple[str, ...]
    key: str
    packed: str

    VALUES_AT = "#+values\n"

    def scan_of(self, item: Node) -> str:
        """The scan with the shared variable bound to ``item``."""
        return self.scan.replace(self.VALUES_AT, f"VALUES ?{self.key} {{ {item.n3()} }}\n", 1)


@lru_cache(maxsize=64)
def split_law_stage(text: str, packed: str, key: str) -> LawStage:
    """``text`` (a query without its ORDER BY) split at its law stage.

    >>> q = ('PREFIX p: <urn:p#>\\nSELECT DISTINCT ?row ?label WHERE {\\n'
    ...      '  { SELECT * WHERE {\\n'
    ...      '    { SELECT DISTINCT * WHERE { ?item p:label ?label } LIMIT 10 }\\n'
    ...      '    ?item p:row ?row . } LIMIT 100 } }')
    >>> s = split_law_stage(q, "row", "item")
    >>> print(s.stage)
    PREFIX p: <urn:p#>
    SELECT DISTINCT ?item ?label WHERE { { SELECT DISTINCT * WHERE { ?item p:label ?label } LIMIT 10 } }
    >>> print(s.scan)
    PREFIX p: <urn:p#>
    SELECT DISTINCT ?row WHERE {
      { SELECT * WHERE {
        #+values
    <BLANKLINE>
        ?item p:row ?row . } LIMIT 100 } }
    >>> s.variables
    ('row', 'label')
    >>> split_law_stage("SELECT ?row WHERE { ?item p:row ?row }", "row", "item")
    Traceback (most recent call last):
    ...
    pia_kg.errors.QueryError: '#+ law_stage:' needs a leading '{ SELECT * WHERE {' sub-select without ?row, binding ?item
    """
    masked = masked_text(text)
    select = _SELECT.search(masked)
    where = _WHERE.search(masked, select.end()) if select else None
    if not select or not where:
        raise QueryError("a named query with a law stage needs a top-level 'SELECT … WHERE {'")
    variables = tuple(_VAR.findall(masked[select.end() : where.start()]))
    uses = re.compile(rf"[?$](?:{re.escape(packed)}|{re.escape(key)})\b")
    at, span = where.end(), None
    while m := _LEADING_SUBSELECT.match(masked, at):
        start = masked.index("{", m.start())
        end = _closing(masked, start) + 1
        found = {u.group(0)[1:] for u in uses.finditer(masked, start, end)}
        if packed not in found:
            span = (start, end) if key in found else None
            break
        at = m.end()
    if span is None or packed not in variables:
        raise QueryError(f"'#+ law_stage:' needs a leading '{{ SELECT * WHERE {{' sub-select without ?{packed}, binding ?{key}")
    start, end = span
    prologue = text[: select.start()]
    columns = " ".join(f"?{v}" for v in (key, *variables) if v != packed)
    stage = f"{prologue}SELECT DISTINCT {columns} WHERE {{ {text[start:end]} }}"
    scan = f"{prologue}{text[select.start():select.end()]}?{packed} {text[where.start():start]}{LawStage.VALUES_AT}{text[end:]}"
    return LawStage(stage, scan, variables, key, packed)


# The law stage's rows per store and state: (token, stage text with its parameters) → the rows
# and, by the text of the shared variable's value, their indexes. Kept by the store object (a
# store made after another was freed may take its id); a few hundred questions' worth,
# emptied when the store's state changes.
_STAGES: weakref.WeakKeyDictionary[Store, tuple[str, dict[str, _Stage]]] = weakref.WeakKeyDictionary()
_KEPT = 256


@dataclass(frozen=True)
class _Stage:
    rows: list[tuple]
    by_key: dict[str, list[int]]
    keys: list[Node]


def _stage_rows(store: Store, text: str, key: str, timeout: float | None, limit: int | None) -> _Stage:
    token = store.state_token()
    kept = _STAGES.get(store)
    if token is not None and kept is not None and kept[0] == token and text in kept[1]:
        return kept[1][text]
    result = store.query(text, timeout=timeout, limit=limit)
    at = result.variables.index(key)
    by_key: dict[str, list[int]] = {}
    keys: list[Node] = []
    for n, row in enumerate(result.rows):
        if row[at] is not None:
            if str(row[at]) not in by_key:
                keys.append(row[at])  # type: ignore[arg-type]
            by_key.setdefault(str(row[at]), []).append(n)
    stage = _Stage(result.rows, by_key, keys)
    if token is not None:
        if kept is None or kept[0] != token or len(kept[1]) >= _KEPT:
            kept = _STAGES[store] = (token, {})
        kept[1][text] = stage
    return stage


def _scan(store: Store, text: str, packed: str, timeout: float | None, limit: int | None) -> list[str]:
    """The texts of the packed rows of the scan ``text`` (the shared variable bound)."""
    result = store.query_texts(text, (packed,), timeout=timeout, limit=limit)
    p = result.variables.index(packed)
    return [r[p] for r in result.rows if r[p] is not None]  # type: ignore[misc]


def run_staged(
    store: Store, stage: LawStage, bindings: Mapping[str, Node], timeout: float | None = None,
    limit: int | None = None,
) -> QueryResult:
    """The rows of a query split by :func:`split_law_stage`, as the whole query gives them
    (its projection, distinct, in no order; the packed rows as plain texts, which is all
    run_query reads of them): its law stage with the query's ``bindings``, from the cache of
    the store's state, then the rest with the stage's items, joined on them."""
    law = _stage_rows(store, inject_values(stage.stage, bindings), stage.key, timeout, limit)
    if not law.keys:
        return QueryResult("select", list(stage.variables), [])
    # the scan once an item, projecting the packed rows alone: Oxigraph reads the text of every
    # value it gives, the same item's IRI on each of its rows too (the 6,000 rows of item 81 at
    # 5,000 documents, three items: 73 ms in one scan, 61 in one an item)
    pairs: dict[tuple[str, int], None] = {}
    deadline = None if timeout is None else time.monotonic() + timeout
    for key in law.keys:
        left = None if deadline is None else max(deadline - time.monotonic(), 0.001)  # one budget for all
        scanned = _scan(store, stage.scan_of(key), stage.packed, left, limit)
        # distinct on (packed row, row of the stage): texts and numbers, hashed in C
        at = law.by_key[str(key)]
        pairs.update(dict.fromkeys((packed, n) for packed in scanned for n in at))
        if limit is not None and len(pairs) > limit:  # each scan is capped alone: so is their sum
            raise ResultLimitError.past(limit, "rows")
    # each answer column from the packed row or from the law stage's row (whose first is the
    # key): the columns before the packed one and after it, made once per row of the stage,
    # then a row is two tuples joined around its packed text (6,000 rows at 5,000 documents)
    stage_at = {v: i for i, v in enumerate((stage.key, *(v for v in stage.variables if v != stage.packed)))}
    at = stage.variables.index(stage.packed)
    before = [stage_at[v] for v in stage.variables[:at]]
    after = [stage_at[v] for v in stage.variables[at + 1 :]]
    heads = [tuple([row[i] for i in before]) for row in law.rows]
    tails = [tuple([row[i] for i in after]) for row in law.rows]
    return QueryResult("select", list(stage.variables), [heads[n] + (packed,) + tails[n] for packed, n in pairs])
