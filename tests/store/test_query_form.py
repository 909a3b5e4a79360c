"""The form of a query sent to a remote store, read from its prologue by a pattern, is the
form rdflib's parser reads: for every named query, as run_query sends it, and a few edge cases."""

from __future__ import annotations

import pytest
from rdflib.plugins.sparql.parser import parseQuery

from pia_kg.backends.remote_store import query_form
from pia_kg.named_queries import bind_params, get_query, inject_values, named_queries


def _parsed(text: str) -> str:
    return parseQuery(text)[1].name.replace("Query", "").upper()


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_the_form_of_every_named_query_is_the_parsers(name: str) -> None:
    query = get_query(name)
    params = {p.name: p.example for p in query.params if p.example is not None}
    text = inject_values(query.text, bind_params(query, params))
    assert query_form(text) == _parsed(text)


@pytest.mark.parametrize("text", [
    "#+ description: DESCRIBE in a header comment\nSELECT * WHERE { ?s ?p ?o }",
    "BASE <http://x/#a>\nprefix ex: <http://x/ex#>   # ASK\n  construct { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "PREFIX 項: <http://x/項#>\nASK { ?s 項:p ?o }",
    "DESCRIBE <http://x/a>",
])
def test_edge_cases_read_as_the_parser_reads_them(text: str) -> None:
    assert query_form(text) == _parsed(text)
