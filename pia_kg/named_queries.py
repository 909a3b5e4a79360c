"""Named queries: ``queries/*.rq`` files, their typed parameters, and the one runner.

A named query is a SPARQL file whose header declares it::

    #+ title: Departments under an item
    #+ description: Which departments receive data under a table item, as of a date.
    #+ params:
    #+   - name: item
    #+     type: string
    #+     required: true
    #+     example: "81"

The file stem (ASCII snake_case) is its name and URL slug; ``departments-under-item`` is
accepted for ``departments_under_item``. ``run_query(store, name, params)`` serves the CLI,
the API and the web page alike.

Parameters are never pasted into the query text as strings: each value is parsed to an RDF
term of its declared type and bound with an inline ``VALUES`` block at the start of the
top-level ``WHERE`` group, so ``81" } ; DROP ALL #`` is just a literal that matches nothing.
An optional parameter that is not given stays unbound (queries test it with ``BOUND``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from operator import itemgetter

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from pia_kg.collector import collector_paused
from pia_kg.errors import ParameterError, QueryError, ResultLimitError, UnknownQueryError
from pia_kg.packed_rows import row_terms
from pia_kg.store import QueryResult, Store

__all__ = [
    "PARAM_TYPES",
    "Param",
    "NamedQuery",
    "named_queries",
    "get_query",
    "bind_params",
    "inject_values",
    "without_order",
    "masked_text",
    "with_parts",
    "query_variables",
    "order_variables",
    "run_query",
    "run_query_each",
    "EACH_AT_MOST",
    "run_sparql",
    "stream_query",
    "unpacked",
]

PARAM_TYPES = ("iri", "string", "date", "integer", "decimal", "boolean")


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    required: bool = False
    default: str | None = None
    example: str | None = None
    description: str = ""

    def parse(self, raw: object) -> Node:
        """The RDF term for a raw value (CLI string, query-string value, JSON value)."""
        text = str(raw).strip()
        try:
            if self.type == "iri":
                if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|^`\\]*$", text):
                    raise ValueError("not an absolute IRI")
                return URIRef(text)
            if self.type == "date":
                return Literal(dt.date.fromisoformat(text), datatype=XSD.date)
            if self.type == "integer":
                return Literal(int(text), datatype=XSD.integer)
            if self.type == "decimal":
                return Literal(float(text), datatype=XSD.decimal)
            if self.type == "boolean":
                if text.lower() not in ("true", "false", "1", "0"):
                    raise ValueError("not true/false")
                return Literal(text.lower() in ("true", "1"), datatype=XSD.boolean)
        except ValueError as exc:
            example = f" (e.g. {self.example})" if self.example else ""
            raise ParameterError(
                f"parameter {self.name!r} must be {_TYPE_WORDS[self.type]}{example}; got {text!r} ({exc})",
                param=self.name,
            ) from None
        return Literal(text)


_TYPE_WORDS = {
    "iri": "an absolute IRI",
    "string": "text",
    "date": "a date as YYYY-MM-DD",
    "integer": "a whole number",
    "decimal": "a number",
    "boolean": "true or false",
}


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    #: The variable whose values are packed rows (pia_kg/packed_rows.py), and the answer's
    #: columns once they are unpacked: the query's own and the packed ones, in that order.
    packed: str | None = None
    columns: tuple[str, ...] = ()
    #: The members of each packed row, in order (its cells, pia_kg/packed_rows.py): the
    #: answer's sort order, in which pia_kg/derive/answer_rows.py writes them.
    members: tuple[str, ...] = ()
    #: ``module:function`` completing the rows of a packed query from what its SPARQL read
    #: (``function(store, result, bindings, timeout)``, each cell of ``result`` a plain text:
    #: law-wide facts read once and joined in memory,
    #: pia_kg/impact/renumbering.py), before they are ordered and unpacked.
    join: str | None = None
    #: The variable a packed query's law stage shares with the rest (pia_kg/law_stage.py):
    #: the stage is evaluated apart, once per store state and parameters, and joined on it.
    law_stage: str | None = None
    #: The parameters it may be asked about many values of at once (``#+ each:``,
    #: :func:`run_query_each`): up to ``EACH_AT_MOST`` in its VALUES block, which no LIMIT
    #: around it may then cut (its author checked: the LIMIT over the rows of one value).
    each: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return self.name

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "params": [p.__dict__ for p in self.params],
        }


def _parse_header(name: str, text: str) -> NamedQuery:
    header = "\n".join(
        line[3:] if line.startswith("#+ ") else line[2:]
        for line in text.splitlines()
        if line.startswith("#+")
    )
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"queries/{name}.rq: header is not valid YAML: {exc}") from None
    if not isinstance(meta, dict) or "title" not in meta:
        raise QueryError(f"queries/{name}.rq: header needs at least '#+ title: …'")
    params = []
    for raw in meta.get("params") or []:
        if raw.get("type", "string") not in PARAM_TYPES:
            raise QueryError(
                f"queries/{name}.rq: parameter {raw.get('name')!r} has type {raw.get('type')!r}; "
                f"known: {', '.join(PARAM_TYPES)}"
            )
        params.append(
            Param(
                name=str(raw["name"]),
                type=raw.get("type", "string"),
                required=bool(raw.get("required", False)),
                default=None if raw.get("default") is None else str(raw["default"]),
                example=None if raw.get("example") is None else str(raw["example"]),
                description=str(raw.get("description", "")),
            )
        )
    packed, columns = meta.get("packed"), tuple(str(c) for c in meta.get("columns") or ())
    members = tuple(str(c) for c in meta.get("members") or ())
    if packed:
        order_variables(text)  # a packed query orders by variables alone (run_query sorts it)
    join = meta.get("join")
    if join and (not packed or not re.fullmatch(r"[\w.]+:\w+", str(join))):
        raise QueryError(f"queries/{name}.rq: '#+ join:' names a module:function completing a packed query's rows")
    law_stage = meta.get("law_stage")
    if law_stage:
        from pia_kg.law_stage import split_law_stage

        if not packed or join or not re.fullmatch(r"[A-Za-z_]\w*", str(law_stage)):
            raise QueryError(f"queries/{name}.rq: '#+ law_stage:' names the variable a packed query (without a join) shares with its law stage")
        try:
            split_law_stage(without_order(text), str(packed), str(law_stage))
        except QueryError as exc:
            raise QueryError(f"queries/{name}.rq: {exc}") from None
    each = tuple(str(e) for e in meta.get("each") or ())
    if law_stage and each or set(each) - {p.name for p in params}:
        raise QueryError(f"queries/{name}.rq: '#+ each:' names parameters of a query without a law stage")
    if not (bool(packed) == bool(columns) == bool(members)):
        raise QueryError(f"queries/{name}.rq: '#+ packed:' names a variable, '#+ columns:' the answer's columns "
                         "and '#+ members:' the packed row's; one is missing")
    return NamedQuery(
        name=name,
        title=str(meta["title"]),
        description=str(meta.get("description", "")).strip(),
        text=text,
        params=tuple(params),
        packed=str(packed) if packed else None,
        columns=columns,
        members=members,
        join=str(join) if join else None,
        law_stage=str(law_stage) if law_stage else None,
        each=each,
    )


@cache
def named_queries() -> dict[str, NamedQuery]:
    """Every named query shipped in ``pia_kg.queries``, by name."""
    found = {}
    for entry in sorted(resources.files("pia_kg.queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[: -len(".rq")]
            found[name] = _parse_header(name, with_parts(name, entry.read_text(encoding="utf-8")))
    return found


_INCLUDE = re.compile(r"^([ \t]*)# include: (\S+)[ \t]*$", re.MULTILINE)


def with_parts(name: str, text: str, read: Callable[[str], str] | None = None) -> str:
    r"""``text`` with each line ``# include: parts/x.rq`` replaced by that file of the queries
    folder (read by ``read``), indented as the line: one text for a part several queries
    share (the law stage of the item questions), each query still whole SPARQL once loaded.

    >>> with_parts("q", "SELECT * WHERE {\n  # include: parts/p.rq\n}", {"parts/p.rq": "?s ?p ?o .\n"}.__getitem__)
    'SELECT * WHERE {\n  ?s ?p ?o .\n}'
    >>> with_parts("q", "  # include: parts/none.rq", {}.__getitem__)
    Traceback (most recent call last):
    ...
    pia_kg.errors.QueryError: queries/q.rq, line 1: no part 'parts/none.rq' to include
    """
    def part(path: str) -> str:
        return resources.files("pia_kg.queries").joinpath(path).read_text(encoding="utf-8")

    def include(m: re.Match[str]) -> str:
        try:
            body = (read or part)(m.group(2))
        except (KeyError, OSError):
            line = text.count("\n", 0, m.start()) + 1
            raise QueryError(f"queries/{name}.rq, line {line}: no part {m.group(2)!r} to include") from None
        return "\n".join(m.group(1) + row if row else row for row in body.rstrip("\n").split("\n"))

    return _INCLUDE.sub(include, text)


def get_query(name: str) -> NamedQuery:
    """The named query ``name`` (hyphens accepted for underscores); UnknownQueryError else."""
    queries = named_queries()
    key = name.strip().replace("-", "_")
    if key not in queries:
        raise UnknownQueryError(name, queries)
    return queries[key]


def bind_params(query: NamedQuery, raw: Mapping[str, object]) -> dict[str, Node]:
    """Typed terms for the given raw values, defaults applied; ParameterError when wrong."""
    unknown = sorted(set(raw) - {p.name for p in query.params})
    if unknown:
        known = ", ".join(p.name for p in query.params) or "none"
        raise ParameterError(
            f"query {query.name!r} has no parameter {unknown[0]!r}; its parameters: {known}",
            param=unknown[0],
        )
    bound: dict[str, Node] = {}
    for p in query.params:
        value = raw.get(p.name)
        if value is None or value == "":
            value = p.default
        if value is None or value == "":
            if p.required:
                example = f", e.g. {p.name}={p.example}" if p.example else ""
                raise ParameterError(
                    f"query {query.name!r} needs parameter {p.name!r}{example}", param=p.name
                )
            continue
        bound[p.name] = p.parse(value)
    return bound


# Tokens that may contain braces or the word WHERE without meaning them.
_SKIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def masked_text(text: str) -> str:
    """``text`` with its strings, IRIs and comments blanked out, offsets kept: what is left
    is the query's own braces, keywords and variables.

    >>> masked_text('SELECT ?x WHERE { ?x <urn:p> "}" } # }')
    'SELECT ?x WHERE { ?x             }    '
    """
    return _SKIP.sub(lambda m: " " * len(m.group(0)), text)


_LEADING_SUBSELECT = re.compile(
    r"\s*\{\s*SELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*\s*WHERE\s*\{", re.IGNORECASE
)


def _top_level_where(text: str) -> int:
    """Offset just after the ``{`` of the top-level WHERE group (strings, IRIs, comments skipped)."""
    masked = masked_text(text)
    depth = 0
    for i, ch in enumerate(masked):
        if ch == "{":
            if depth == 0:
                m = _WHERE.search(masked, 0, i + 1)
                if m and m.end() == i + 1:
                    return i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
    raise QueryError("a named query needs an explicit top-level 'WHERE {' to bind parameters")


@lru_cache(maxsize=512)
def _binding_point(text: str) -> int:
    r"""Where parameters are bound: just inside the top-level WHERE group or, when that group
    opens with a ``{ SELECT [DISTINCT] * WHERE {`` sub-select (the index-lookup core of a query, see
    queries/departments_under_item.rq), just inside that one, so that the store starts its
    lookups from the bound values; ``SELECT *`` passes them on to the rest of the query.

    >>> q = 'SELECT ?x WHERE {  # core { here\n { SELECT * WHERE { ?x ?p ?o } LIMIT 9 } }'
    >>> q[_binding_point(q):]
    ' ?x ?p ?o } LIMIT 9 } }'
    """
    at = _top_level_where(text)
    masked = masked_text(text)
    while m := _LEADING_SUBSELECT.match(masked, at):
        at = m.end()
    return at


_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
_LIMIT_OFFSET = re.compile(r"(?<![?$\w])(?:LIMIT|OFFSET)\b", re.IGNORECASE)  # not ?limit


@lru_cache(maxsize=512)
def without_order(text: str) -> str:
    r"""The query without its top-level ORDER BY clause (strings, IRIs and comments skipped;
    a LIMIT or OFFSET after it kept); unchanged when it has none.

    >>> without_order('SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p "ORDER BY" } ORDER BY ?x } }\nORDER BY DESC(?x)')
    'SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p "ORDER BY" } ORDER BY ?x } }\n'
    >>> without_order("SELECT ?x WHERE { ?x ?p ?o } # ORDER BY ?x")
    'SELECT ?x WHERE { ?x ?p ?o } # ORDER BY ?x'
    >>> without_order("SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x LIMIT 5")
    'SELECT ?x WHERE { ?x ?p ?o } LIMIT 5'
    >>> without_order("SELECT ?limit WHERE { ?s ?p ?limit } ORDER BY ?limit")
    'SELECT ?limit WHERE { ?s ?p ?limit } '
    """
    masked = masked_text(text)
    end = masked.rfind("}")
    found = _ORDER_BY.search(masked, end + 1) if end >= 0 else None
    if not found:
        return text
    rest = _LIMIT_OFFSET.search(masked, found.end())
    return text[: found.start()] + (text[rest.start() :] if rest else "")


def inject_values(text: str, bindings: Mapping[str, Node] | Sequence[Mapping[str, Node]]) -> str:
    r"""The query with its bindings in one ``VALUES`` block at the start of its WHERE group
    (:func:`_binding_point`): one row, or a row for each mapping of ``bindings`` (which
    bind the same names). One block, not a block a variable: Oxigraph joins separate blocks
    before it looks anything up, and then hash-joins the first pattern over the store
    (item-meaning: 1.0 ms where one row takes 0.06).

    >>> inject_values("SELECT * WHERE { ?s ?p ?o }", {"p": URIRef("urn:p")})
    'SELECT * WHERE {\n  VALUES ?p { <urn:p> } ?s ?p ?o }'
    >>> inject_values("SELECT * WHERE { ?s ?p ?o }", {"p": URIRef("urn:p"), "o": Literal("81")})
    'SELECT * WHERE {\n  VALUES (?p ?o) { (<urn:p> "81") } ?s ?p ?o }'
    >>> inject_values("SELECT * WHERE { ?s ?p ?o }", [{"p": URIRef("urn:p")}, {"p": URIRef("urn:q")}])
    'SELECT * WHERE {\n  VALUES ?p { <urn:p> <urn:q> } ?s ?p ?o }'
    """
    rows = [bindings] if isinstance(bindings, Mapping) else list(bindings)
    if not rows:
        raise ValueError("no rows of bindings to inject")  # none would mean no answer, not every one
    names = list(rows[0])
    if not names:
        return text
    if any(list(row) != names for row in rows):
        raise ParameterError(f"every row of bindings must bind {', '.join(names)}")
    at = _binding_point(text)
    if len(names) == 1:
        block = f"\n  VALUES ?{names[0]} {{ {' '.join(row[names[0]].n3() for row in rows)} }}"
    else:
        tuples = " ".join("(" + " ".join(row[n].n3() for n in names) + ")" for row in rows)
        block = f"\n  VALUES ({' '.join('?' + n for n in names)}) {{ {tuples} }}"
    return text[:at] + block + text[at:]


_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def query_variables(text: str) -> set[str]:
    """Every variable name the query text uses (outside strings, IRIs and comments)."""
    masked = _SKIP.sub(" ", text)
    return set(_VAR.findall(masked))


def run_sparql(
    store: Store, sparql: str, *, timeout: float | None = None, limit: int | None = None
) -> QueryResult:
    """Evaluate SPARQL text on ``store``; ResultLimitError past ``limit`` rows or triples."""
    return store.query(sparql, timeout=timeout, limit=limit)


def run_query(
    store: Store,
    name: str,
    params: Mapping[str, object] | None = None,
    *,
    timeout: float | None = None,
    limit: int | None = None,
    first: int | None = None,
    skip: int = 0,
    unordered: bool = False,
) -> QueryResult:
    """Run named query ``name`` with ``params`` (raw values, checked and typed) on ``store``;
    ``first``: only its first rows after the ``skip`` first, in its order (a page of a
    corpus-wide answer), where ``limit`` is a cap whose crossing is an error; ``unordered``:
    the same rows in any order, for a caller that orders them itself (the store then holds
    no sort of the whole answer: 420 of the 790 MB that the national impact query took).

    Raises UnknownQueryError, ParameterError, QueryError, QueryTimeoutError, ResultLimitError,
    OutdatedStoreError.
    """
    query = get_query(name)
    bindings = bind_params(query, params or {})
    return _run_bound(store, query, [bindings], bindings, timeout, limit, first, skip, unordered)


#: Values of one parameter a query is asked about at once (:func:`run_query_each`).
EACH_AT_MOST = 100


def run_query_each(
    store: Store,
    name: str,
    params: Mapping[str, object] | None,
    over: str,
    values: Sequence[object],
    *,
    timeout: float | None = None,
    limit: int | None = None,
) -> Iterator[QueryResult]:
    """:func:`run_query`'s rows for each of ``values`` of its parameter ``over`` (the others
    ``params``), in no order: a result for each query of ``EACH_AT_MOST`` values, its VALUES
    block a row for each, for a query that declares ``over`` in ``#+ each:`` (a caller that
    reads them one by one holds a hundred values' rows at a time). A report on a body's or
    the country's assessments asks about many: Oxigraph still looks each one's rows up by
    index, and a query costs it about 0.6 ms before it reads a row (the renumbering impact
    of 400 assessments at 5,000 documents: 0.74 ms an assessment asked one by one, 0.18
    fifty at a time).

    Raises as :func:`run_query` does (every value checked before the first query; ``limit``
    caps the rows of all the queries together), and QueryError for a parameter the query
    does not declare so.
    """
    query = get_query(name)
    if over not in query.each:
        raise QueryError(f"query {name!r} is asked about one {over} at a time ('#+ each:' does not name it)")
    rows = [bind_params(query, {**(params or {}), over: value}) for value in values]
    shared = {k: term for k, term in rows[0].items() if k != over} if rows else {}  # what a join is given

    def results() -> Iterator[QueryResult]:
        left = limit  # of the cap, what the queries before left to the next
        for at in range(0, len(rows), EACH_AT_MOST):
            try:
                result = _run_bound(store, query, rows[at : at + EACH_AT_MOST], shared, timeout, left, None, 0, True)
            except ResultLimitError:
                raise ResultLimitError.past(limit or 0) from None  # the cap the caller set, not what was left of it
            if left is not None:
                left -= len(result.rows)
            yield result

    return results()


def _run_bound(
    store: Store, query: NamedQuery, rows: Sequence[Mapping[str, Node]], fixed: Mapping[str, Node],
    timeout: float | None, limit: int | None, first: int | None, skip: int, unordered: bool,
) -> QueryResult:
    """``query`` with its parameters' ``rows`` in its VALUES block (a query with a law stage:
    in its stage, one row), ``fixed`` those every row binds alike (what a join is given)."""
    if query.packed:
        text = without_order(query.text) if query.law_stage else inject_values(without_order(query.text), rows)
        return _run_packed(store, query, text, fixed, timeout, limit, first, skip, unordered)
    text = inject_values(without_order(query.text) if unordered else query.text, rows)
    if first is not None:  # the named queries end with their ORDER BY, never with a LIMIT
        text += f"\nLIMIT {int(first)}" + (f" OFFSET {int(skip)}" if skip else "")
    return run_sparql(store, text, timeout=timeout, limit=limit)


def stream_query(
    store: Store, name: str, params: Mapping[str, object] | None = None
) -> tuple[list[str], Iterator[tuple[Node | None, ...]]]:
    """:func:`run_query`'s columns and rows, the rows as the store gives them: a corpus-wide
    listing written to a file (178,000 transfers at 5,000 documents) is not held in Python
    (pia-kg query -o held 850 MB for it, where the engine's sort takes 370). A query whose
    rows are packed is joined and ordered here, so its rows are read whole first; not given a
    parameter it may be asked about many values of, a hundred values a query, its rows
    sorted in bounded runs (:func:`_packed_in_pieces`).

    A listing ordered first by a parameter it may be asked about many values of (``#+
    each:``) and not given one, the transfers of every assessment, is read ``EACH_AT_MOST``
    values at a time in that order (:func:`_every`): the same rows in the same order, whose
    first come at once and whose sort the store holds for a hundred assessments, not for the
    corpus (at 5,000 documents the engine sorted the transfers for 61 s before the first row).

    Raises as :func:`run_query` does.
    """
    query = get_query(name)
    bindings = bind_params(query, params or {})
    if query.packed:
        over = next((p for p in query.each if p in _EVERY and p not in bindings), None)
        if over is not None:
            return _packed_in_pieces(store, query, bindings, over)
        result = _run_bound(store, query, [bindings], bindings, None, None, None, 0, False)
        return result.variables, iter(result.rows)
    by = _ordered_by_each(query, bindings)
    batches = _over_every(store, bindings, by) if by else []
    if not batches:
        return store.select_rows(inject_values(query.text, bindings))
    variables, first = store.select_rows(inject_values(query.text, batches[0]))

    def rows() -> Iterator[tuple[Node | None, ...]]:
        yield from first
        for batch in batches[1:]:
            yield from store.select_rows(inject_values(query.text, batch))[1]

    return variables, rows()


#: What a parameter that a listing is read by, value by value, ranges over (:func:`_every`).
_EVERY = {
    "assessment": "SELECT DISTINCT ?v WHERE { ?v a <https://w3id.org/pia-kg/ontology#Assessment> }",
}


def _ordered_by_each(query: NamedQuery, bindings: Mapping[str, Node]) -> str | None:
    """The parameter ``query`` is ordered by first, when it may be asked about many values
    of it and ``bindings`` give none (None otherwise).

    >>> _ordered_by_each(get_query("transfers"), {})
    'assessment'
    >>> _ordered_by_each(get_query("transfers"), {"assessment": URIRef("urn:a")}) is None
    True
    """
    try:
        order = order_variables(query.text)
    except QueryError:  # ordered by an expression
        return None
    first = order[0] if order else None
    return first if first in query.each and first in _EVERY and first not in bindings else None


def _over_every(store: Store, bindings: Mapping[str, Node], parameter: str) -> list[list[dict[str, Node]]]:
    """``bindings`` with each value of ``parameter`` in the store (:func:`_every`), in its
    order, ``EACH_AT_MOST`` a list: the VALUES rows of a listing read in pieces."""
    values = _every(store, parameter)
    return [
        [{**bindings, parameter: value} for value in values[at : at + EACH_AT_MOST]]
        for at in range(0, len(values), EACH_AT_MOST)
    ]


def _every(store: Store, parameter: str) -> list[URIRef]:
    """Every value of ``parameter`` in the store, in the order SPARQL orders IRIs (by code
    point, as Python compares texts)."""
    return sorted(URIRef(str(row[0])) for row in store.query(_EVERY[parameter]).rows if row[0] is not None)


def _run_packed(
    store: Store, query: NamedQuery, text: str, bindings: Mapping[str, Node], timeout: float | None,
    limit: int | None, first: int | None, skip: int, unordered: bool,
) -> QueryResult:
    """:func:`run_query` of a query whose rows are packed (pia_kg/packed_rows.py), ``text``
    without its ORDER BY and with its ``bindings`` (which its join is given too; a query with
    a law stage gets them in the stage, pia_kg/law_stage.py): written by
    the derivation, so refused on a store an older one derived; ordered here, by the ORDER
    BY's variables, where Oxigraph compares the store's own texts by reading them again at
    each comparison (40 of 120 ms at 5,000 documents, where Python sorts the 6,000 rows in 5)."""
    from pia_kg.derive.derivation_format import check_current

    check_current(store, query.title.lower())
    # its rows are built in a few passes of new tuples, texts and terms (pia_kg/collector.py)
    with collector_paused():
        return _packed_rows(store, query, text, bindings, timeout, limit, first, skip, unordered)


def _packed_rows(
    store: Store, query: NamedQuery, text: str, bindings: Mapping[str, Node], timeout: float | None,
    limit: int | None, first: int | None, skip: int, unordered: bool,
) -> QueryResult:
    result = _packed_result(store, query, text, bindings, timeout, limit)
    if not unordered:
        sort_rows(result.rows, [result.variables.index(k) for k in order_variables(query.text)])
    if first is not None:
        result.rows[:] = result.rows[skip : skip + first]
    return unpacked(result, query.packed or "", query.columns, query.members)


def _packed_result(
    store: Store, query: NamedQuery, text: str, bindings: Mapping[str, Node], timeout: float | None, limit: int | None
) -> QueryResult:
    """The rows of a packed query as the store and its join give them: packed, in no order."""
    if query.law_stage:
        from pia_kg.law_stage import run_staged, split_law_stage

        stage = split_law_stage(text, query.packed or "", query.law_stage)
        result = run_staged(store, stage, bindings, timeout=timeout, limit=limit)
    else:  # the packed rows as plain texts, all that is read of them (and all a join reads)
        texts = None if query.join else (query.packed or "",)
        result = store.query_texts(text, texts, timeout=timeout, limit=limit)
    if query.join:
        result = _joiner(query.join)(store, result, bindings, timeout)
    return result


def _packed_order(query: NamedQuery, result: QueryResult) -> Callable[[Sequence[object]], tuple[str, ...]]:
    """The sort key of ``result``'s packed rows in ``query``'s order."""
    return order_of([result.variables.index(k) for k in order_variables(query.text)])


def _packed_in_pieces(
    store: Store, query: NamedQuery, bindings: Mapping[str, Node], over: str
) -> tuple[list[str], Iterator[tuple[Node | None, ...]]]:
    """:func:`stream_query` of a packed query not given ``over``, a parameter it may be asked
    about many values of: asked ``EACH_AT_MOST`` values at a time, its packed rows sorted
    whole as they come (:class:`~pia_kg.sorted_rows.SortedRows`: past ``SPILL_ROWS`` in runs
    on disk) and spread as they are read. The corpus-wide renumbering impact held its every
    row spread into terms at once: about 138,000 rows at 5,000 documents, a million at
    35,000."""
    from pia_kg.derive.derivation_format import check_current
    from pia_kg.sorted_rows import SortedRows

    check_current(store, query.title.lower())
    text = without_order(query.text)
    rows: SortedRows[tuple[tuple[str, ...], tuple[Node | None, ...]]] = SortedRows(key=itemgetter(0))
    variables: list[str] | None = None
    with collector_paused():
        for batch in _over_every(store, bindings, over):
            result = _packed_result(store, query, inject_values(text, batch), bindings, None, None)
            key, variables = _packed_order(query, result), result.variables
            rows.extend((key(row), tuple(row)) for row in result.rows)
    if variables is None:  # nothing to ask about: no row
        return list(query.columns), iter(())
    spread = _spreader(variables, query.packed or "", query.columns, query.members)
    return list(query.columns), (spread(row) for _, row in rows)


def order_of(at: Sequence[int]) -> Callable[[Sequence[object]], tuple[str, ...]]:
    """The sort key of rows ordered as an ORDER BY of plain literals orders them by their
    values at ``at``: unbound first, then by code point, value by value. Each value is " "
    and its text (unbound: empty), a plain string: Python compares those itself, where rdflib
    compares its terms in Python code (sorting 140,000 rows by a list of terms took 1 s, by
    this 0.3).

    >>> rows = [("b", None), ("a", "z"), (None, "y"), ("a", None), ("a\\x00", "a"), ("a", "")]
    >>> sorted(rows, key=order_of([0, 1])) == sorted(rows, key=lambda r: [(v is not None, v or "") for v in r])
    True
    >>> [r[1] for r in sorted(rows, key=order_of([1]))]
    [None, None, '', 'a', 'y', 'z']
    """
    at = tuple(at)
    return lambda row: tuple([_sort_text(row[i]) for i in at])


def _sort_text(value: object) -> str:
    """A value's place in an ORDER BY of plain literals, as a string Python compares: "" for
    none (first), else " " and its text."""
    return "" if value is None else " " + str(value)


def _column_text(at: int) -> Callable[[Sequence[object]], str]:
    return lambda row: _sort_text(row[at])


def sort_rows(rows: list[Sequence[object]], at: Sequence[int]) -> None:
    """Sort ``rows`` in place as :func:`order_of` orders them, a stable sort a column from
    the last: each key one string, where order_of's are tuples of new strings, compared
    again at each comparison (the 6,000 rows of item 81 at 5,000 documents: 23 ms -> 7).

    >>> rows = [("b", None), ("a", "z"), (None, "y"), ("a", None), ("a\\x00", "a"), ("a", "")]
    >>> sort_rows(got := list(rows), [1, 0]); got == sorted(rows, key=order_of([1, 0]))
    True
    """
    for i in reversed(at):
        rows.sort(key=_column_text(i))


def order_key(values: Sequence[object]) -> tuple[str, ...]:
    """:func:`order_of` a whole row.

    >>> order_key(("81", None))
    (' 81', '')
    """
    return order_of(range(len(values)))(values)


@cache
def _joiner(spec: str):  # noqa: ANN202
    """The function a ``#+ join:`` header names (``module:function``)."""
    from importlib import import_module

    module, function = spec.split(":")
    return getattr(import_module(module), function)


@lru_cache(maxsize=512)
def order_variables(text: str) -> tuple[str, ...]:
    """The variables of the query's top-level ORDER BY, which must be nothing else (a packed
    query's, ordered by :func:`run_query` as SPARQL orders plain literals: by code point,
    unbound first).

    >>> order_variables("SELECT ?a ?b WHERE { { SELECT * WHERE {} ORDER BY ?c } } ORDER BY ?a ?b")
    ('a', 'b')
    >>> order_variables("SELECT ?a WHERE { } ORDER BY DESC(?a)")
    Traceback (most recent call last):
    ...
    pia_kg.errors.QueryError: a packed query orders by variables alone, not by 'DESC(?a)'
    """
    masked = masked_text(text)
    found = _ORDER_BY.search(masked, masked.rfind("}") + 1)
    if not found:
        return ()
    names = []
    clause = masked[found.end() :]
    for word in clause.split():
        if not re.fullmatch(r"[?$][A-Za-z_][A-Za-z0-9_]*", word):
            raise QueryError(f"a packed query orders by variables alone, not by {word!r}")
        names.append(word[1:])
    return tuple(names)


def unpacked(result: QueryResult, packed: str, columns: tuple[str, ...], members: Sequence[str]) -> QueryResult:
    """``result`` with its ``packed`` column (a packed row a cell, its ``members`` in order:
    pia_kg/packed_rows.py) spread into ``columns``: each from the row's own variables, else
    from its packed row (its rows are taken: ``result`` is left empty).

    >>> r = QueryResult("select", ["row", "n"], [(Literal("x\\t"), Literal("1"))])
    >>> unpacked(r, "row", ("a", "n", "b"), ("a", "b")).values()
    [{'a': 'x', 'n': '1', 'b': None}]
    >>> unpacked(r, "row", ("a", "c"), ("a", "b"))
    Traceback (most recent call last):
    ...
    pia_kg.errors.QueryError: column 'c' is neither a variable of the query nor a member of its packed rows
    """
    spread = _spreader(result.variables, packed, columns, members)
    # row by row in place: each packed text is let go as its row is spread (the national
    # impact answer held both, its packed and its spread rows, at once)
    rows = result.rows
    for n, row in enumerate(rows):
        rows[n] = spread(row)
    result.rows = []
    return QueryResult("select", list(columns), rows)


def _spreader(
    variables: Sequence[str], packed: str, columns: Sequence[str], members: Sequence[str]
) -> Callable[[Sequence[Node | None]], tuple[Node | None, ...]]:
    """What spreads a row of ``variables`` into ``columns`` (:func:`unpacked`)."""
    at = variables.index(packed)
    own = {v: i for i, v in enumerate(variables) if v != packed}
    for c in columns:
        if c not in own and c not in members:
            raise QueryError(f"column {c!r} is neither a variable of the query nor a member of its packed rows")
    # each column: its index in the row's own values followed by its packed row's cells
    width, count = len(variables), len(members)
    pick = _picker([own[c] if c in own else width + members.index(c) for c in columns])
    none = (None,) * count

    def spread(row: Sequence[Node | None]) -> tuple[Node | None, ...]:
        cells = none if row[at] is None else row_terms(str(row[at]), count)
        return pick((*row, *cells))

    return spread


def _picker(at: Sequence[int]) -> Callable[[Sequence[object]], tuple]:
    """The values at ``at`` of a sequence, as a tuple (picked in C: ``itemgetter``).

    >>> _picker([2, 0])("abc"), _picker([1])("abc"), _picker([])("abc")
    (('c', 'a'), ('b',), ())
    """
    if len(at) > 1:
        return itemgetter(*at)
    return (lambda seq: (seq[at[0]],)) if at else (lambda seq: ())
