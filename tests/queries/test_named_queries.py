"""Named queries: headers, declared parameters, safe binding, one runner on every backend."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from pia_kg.errors import ParameterError, QueryError, ResultLimitError, UnknownQueryError
from pia_kg.named_queries import (
    NamedQuery,
    Param,
    bind_params,
    get_query,
    inject_values,
    named_queries,
    query_variables,
    run_query,
    run_sparql,
)
from pia_kg.store import open_store


def test_every_named_query_has_a_title_and_an_ascii_snake_case_name() -> None:
    queries = named_queries()
    assert queries, "no named queries installed"
    for name, q in queries.items():
        assert name.isascii() and name == name.lower() and "-" not in name, name
        assert q.title.strip(), name
        assert q.description.strip(), name


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_declared_params_match_the_variables_the_query_uses(name: str) -> None:
    q = named_queries()[name]
    used = query_variables(q.text)
    for p in q.params:
        assert p.name in used, f"{name}: parameter {p.name} is declared but never used"
        assert p.example is not None, f"{name}: parameter {p.name} has no example"


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_parses_with_its_example_values_on_every_engine(name: str) -> None:
    q = named_queries()[name]
    text = inject_values(q.text, bind_params(q, {p.name: p.example for p in q.params}))
    for backend in ("memory", "oxigraph"):
        result = run_sparql(open_store(backend), text)
        assert result.kind == "select", name


def test_hyphenated_names_are_accepted() -> None:
    name = next(iter(named_queries()))
    assert get_query(name.replace("_", "-")).name == name


def test_unknown_query_lists_the_known_ones() -> None:
    with pytest.raises(UnknownQueryError, match="known: "):
        get_query("no-such-query")


QUERY = NamedQuery(
    name="t",
    title="t",
    description="t",
    text='SELECT ?s ?item WHERE { ?s <http://example.org/item> ?item . FILTER(!BOUND(?since) || true) } # WHERE { in a comment\n',
    params=(
        Param("item", "string", required=True, example="81"),
        Param("since", "date", example="2025-01-01"),
        Param("n", "integer", default="3", example="3"),
    ),
)


def test_missing_required_parameter_names_it() -> None:
    with pytest.raises(ParameterError, match="needs parameter 'item'"):
        bind_params(QUERY, {})


def test_wrongly_typed_parameter_says_what_is_expected() -> None:
    with pytest.raises(ParameterError, match="YYYY-MM-DD"):
        bind_params(QUERY, {"item": "81", "since": "2025-13-45"})
    with pytest.raises(ParameterError, match="whole number"):
        bind_params(QUERY, {"item": "81", "n": "three"})


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(ParameterError, match="no parameter 'itme'"):
        bind_params(QUERY, {"itme": "81"})


def test_defaults_apply_and_optional_params_stay_unbound() -> None:
    bound = bind_params(QUERY, {"item": "81"})
    assert bound == {"item": Literal("81"), "n": Literal(3)}


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_injection_attempt_is_just_a_literal(backend: str) -> None:
    store = open_store(backend)
    g = Graph()
    g.add((URIRef("http://example.org/a"), URIRef("http://example.org/item"), Literal("81")))
    store.replace_graph(URIRef("http://example.org/g"), g)
    evil = '81" } ; DROP ALL #'
    text = inject_values(QUERY.text, bind_params(QUERY, {"item": evil}))
    assert run_sparql(store, text).rows == []
    assert store.triple_count() == 1
    text = inject_values(QUERY.text, bind_params(QUERY, {"item": "81"}))
    assert run_sparql(store, text).values() == [{"s": "http://example.org/a", "item": "81"}]


def test_values_go_into_the_top_level_where_not_a_comment() -> None:
    text = inject_values(QUERY.text, {"item": Literal("81")})
    assert text.index('VALUES ?item { "81" }') < text.index("?s <http://example.org/item>")


def test_query_without_where_cannot_take_parameters() -> None:
    with pytest.raises(QueryError, match="WHERE"):
        inject_values("SELECT * { ?s ?p ?o }", {"x": Literal(1)})


def test_row_cap_is_enforced() -> None:
    store = open_store("memory")
    g = Graph()
    for i in range(5):
        g.add((URIRef(f"http://example.org/s{i}"), URIRef("http://example.org/p"), Literal(i)))
    store.replace_graph(URIRef("http://example.org/g"), g)
    assert len(run_sparql(store, "SELECT * WHERE { ?s ?p ?o }", limit=5).rows) == 5
    with pytest.raises(ResultLimitError, match="over the cap of 4"):
        run_sparql(store, "SELECT * WHERE { ?s ?p ?o }", limit=4)


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_no_named_query_repeats_a_row_on_the_seeds(name: str, loaded_store) -> None:  # noqa: ANN001
    # Shared nodes (bodies, units, levels) sit in several graphs; the union must not double rows.
    q = named_queries()[name]
    text = inject_values(q.text, bind_params(q, {p.name: p.example for p in q.params if p.required}))
    result = run_sparql(loaded_store, text)
    assert len(result.rows) == len(set(result.rows)), f"{name} returns duplicate rows"


@pytest.fixture(scope="module")
def small_stores(loaded_store):  # noqa: ANN001, ANN201
    """The same small dataset (``small_dataset``: cut from the loaded seeds) on both engines."""
    from small_dataset import small_dataset

    graphs = small_dataset(loaded_store)
    stores = {backend: open_store(backend) for backend in ("oxigraph", "memory")}
    for store in stores.values():
        store.replace_graphs(graphs)
    return stores


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_gives_the_same_rows_on_rdflib_and_oxigraph(
    name: str, small_stores  # noqa: ANN001
) -> None:
    q = named_queries()[name]
    text = inject_values(q.text, bind_params(q, {p.name: p.example for p in q.params if p.required}))
    on_oxigraph = run_sparql(small_stores["oxigraph"], text)
    on_rdflib = run_sparql(small_stores["memory"], text)
    assert on_oxigraph.rows, f"{name} answers nothing on the small dataset: the comparison would prove nothing"
    assert on_oxigraph.variables == on_rdflib.variables

    def cell(t):  # noqa: ANN001, ANN202
        # Oxigraph writes decimals canonically (0), rdflib as given (0.000): compare values.
        if isinstance(t, Literal) and t.datatype in (XSD.decimal, XSD.double, XSD.integer):
            return repr(float(t))
        return "" if t is None else str(t)

    def canonical(result):  # noqa: ANN001, ANN202
        return sorted(tuple(cell(t) for t in row) for row in result.rows)

    assert canonical(on_oxigraph) == canonical(on_rdflib), name


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_every_named_query_ends_with_its_order(name: str) -> None:
    """``run_query(first=N)`` appends a LIMIT: valid because each query ends with its ORDER BY
    (and the first rows are then the first of its own order)."""
    lines = [line for line in named_queries()[name].text.splitlines() if line.strip()]
    assert lines[-1].startswith("ORDER BY")


def test_first_rows_are_the_first_of_the_whole_answer(loaded_store) -> None:  # noqa: ANN001
    whole = run_query(loaded_store, "citation_problems", {})
    first = run_query(loaded_store, "citation_problems", {}, first=3)
    assert len(whole.rows) > 3 and first.rows == whole.rows[:3]


def test_unordered_gives_the_same_rows_without_the_stores_sort(loaded_store) -> None:  # noqa: ANN001
    """A caller that orders the rows itself (the national impact report) has the store skip
    its sort: every row, the same ones."""
    from pia_kg.named_queries import run_query as run

    params = {"amendment": "2024-05-27"}
    ordered = run(loaded_store, "renumbering_impact", params).values()
    unordered = run(loaded_store, "renumbering_impact", params, unordered=True).values()
    assert len(ordered) > 100

    def key(row: dict[str, str | None]) -> tuple[str, ...]:
        return tuple(sorted((k, v or "") for k, v in row.items()))

    assert sorted(map(key, unordered)) == sorted(map(key, ordered))


@pytest.mark.parametrize(("name", "params"), [("renumbering_impact", {"amendment": "2024-05-27"}), ("transfers", {})])
def test_a_query_about_many_values_gives_the_rows_of_each(
    name: str, params: dict[str, str], loaded_store, monkeypatch  # noqa: ANN001
) -> None:
    """A report on a body's or the country's assessments asks about many in one query (its
    VALUES a row each, so many a query): the rows are those of the assessments asked one
    by one, whether the query's rows are packed and joined (renumbering-impact) or read as
    they are (transfers)."""
    from pia_kg import named_queries
    from pia_kg.impact.report import cited_assessments
    from pia_kg.named_queries import run_query_each

    every = cited_assessments(loaded_store)
    assert len(every) >= 3
    one_by_one = sorted(repr(r) for a in every for r in run_query(loaded_store, name, {**params, "assessment": a}).rows)
    assert len(one_by_one) > 50
    def asked() -> list[str]:
        return sorted(repr(r) for result in run_query_each(loaded_store, name, params, "assessment", every) for r in result.rows)

    assert asked() == one_by_one
    monkeypatch.setattr(named_queries, "EACH_AT_MOST", 2)  # more than one query
    assert len(list(run_query_each(loaded_store, name, params, "assessment", every))) > 1
    assert asked() == one_by_one
    with pytest.raises(ParameterError, match="IRI"):
        run_query_each(loaded_store, name, params, "assessment", [every[0], "not an iri"])


def test_a_cap_on_many_values_caps_their_rows_together(loaded_store, monkeypatch) -> None:  # noqa: ANN001
    """``limit`` is the cap of the whole answer, not of each of its queries: queries of two
    values each, every one under the cap, are refused together past it."""
    from pia_kg import named_queries
    from pia_kg.impact.report import cited_assessments
    from pia_kg.named_queries import run_query_each

    monkeypatch.setattr(named_queries, "EACH_AT_MOST", 2)
    every = cited_assessments(loaded_store)
    counts = [len(r.rows) for r in run_query_each(loaded_store, "transfers", {}, "assessment", every)]
    assert len(counts) > 1 and max(counts) > 0
    total = sum(counts)
    assert sum(len(r.rows) for r in run_query_each(loaded_store, "transfers", {}, "assessment", every, limit=total)) == total
    cap = total - 1
    assert max(counts) <= cap  # each query alone is under it
    with pytest.raises(ResultLimitError, match=f"more than {cap} rows, over the cap of {cap}"):
        list(run_query_each(loaded_store, "transfers", {}, "assessment", every, limit=cap))


def test_only_a_query_that_declares_it_is_asked_about_many_values(loaded_store) -> None:  # noqa: ANN001
    """A query whose LIMITs around its parameters were not written for many values (or whose
    parameters bind its law stage) is not asked about many at once."""
    from pia_kg.named_queries import run_query_each

    with pytest.raises(QueryError, match="one item at a time"):
        run_query_each(loaded_store, "departments_under_item", {"table": "番号法別表"}, "item", ["81", "82"])
    with pytest.raises(QueryError, match="one assessment at a time"):
        run_query_each(loaded_store, "assessments", {}, "assessment", ["urn:a", "urn:b"])


def test_a_listing_of_every_assessment_is_read_a_few_assessments_at_a_time_in_its_order(
    loaded_store, monkeypatch  # noqa: ANN001
) -> None:
    """A corpus-wide listing ordered first by its assessment (the transfers) is read two
    assessments a query here (a hundred in use): the rows of the whole answer, in its order,
    without the store sorting the corpus before the first row."""
    from pia_kg import named_queries
    from pia_kg.named_queries import stream_query

    whole = run_query(loaded_store, "transfers")
    asked: list[str] = []
    real = loaded_store.select_rows
    monkeypatch.setattr(loaded_store, "select_rows", lambda text: asked.append(text) or real(text))
    monkeypatch.setattr(named_queries, "EACH_AT_MOST", 2)
    variables, rows = stream_query(loaded_store, "transfers")
    assert variables == whole.variables and list(rows) == whole.rows and len(whole.rows) > 100
    assert len(asked) >= 2 and all("VALUES (?assessment)" in t or "VALUES ?assessment" in t for t in asked)
    one = whole.rows[0][0]
    variables, rows = stream_query(loaded_store, "transfers", {"assessment": str(one)})
    assert list(rows) == [r for r in whole.rows if r[0] == one]


@pytest.mark.parametrize("spill", [3, None])
def test_a_packed_listing_of_every_assessment_is_read_a_few_assessments_at_a_time(
    spill: int | None, loaded_store, monkeypatch  # noqa: ANN001
) -> None:
    """The corpus-wide renumbering impact (rows packed, joined and ordered in Python) is read
    two assessments a query here, its rows sorted as they come (in runs on disk past three
    rows held): the rows of the whole answer in its order; given an assessment, its own."""
    from pia_kg import named_queries, sorted_rows
    from pia_kg.named_queries import stream_query

    params = {"amendment": "2024-05-27"}
    whole = run_query(loaded_store, "renumbering_impact", params)
    assert len(whole.rows) > 100
    asked: list[str] = []
    real = loaded_store.query_texts
    monkeypatch.setattr(loaded_store, "query_texts", lambda text, *a, **k: asked.append(text) or real(text, *a, **k))
    monkeypatch.setattr(named_queries, "EACH_AT_MOST", 2)
    if spill:
        monkeypatch.setattr(sorted_rows, "SPILL_ROWS", spill)
    variables, rows = stream_query(loaded_store, "renumbering_impact", params)

    def key(row: tuple) -> tuple:  # noqa: ANN001 (rows equal on every ordering column may come in any order)
        return tuple("" if v is None else str(v) for v in row)

    got = list(rows)
    assert variables == whole.variables
    assert [r[:3] for r in got] == [r[:3] for r in whole.rows]  # assessment, organization, source: the order
    assert sorted(got, key=key) == sorted(whole.rows, key=key)
    assert len(asked) >= 3 and all(re.search(r"VALUES \([^)]*\?assessment\b", t) for t in asked)
    one = whole.rows[0][0]
    variables, rows = stream_query(loaded_store, "renumbering_impact", {**params, "assessment": str(one)})
    assert list(rows) == [r for r in whole.rows if r[0] == one]
