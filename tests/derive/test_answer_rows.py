"""The packed answer rows answer as the basis links read triple by triple did: every column of
every row, for every item the seeds and the real excerpts cite, with and without a date, in the
same order (pia_kg/derive/answer_rows.py, pia_kg/packed_rows.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, SEEDS_DIR
from rdflib import Literal, URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.answer_rows import KEYED, answer_row_triples
from pia_kg.derive.scratch import ScratchStore
from pia_kg.named_queries import (
    bind_params,
    get_query,
    inject_values,
    run_query,
    run_sparql,
    unpacked,
)
from pia_kg.packed_rows import lines, split_keyed, unpack
from pia_kg.vocab import PIA, PREFIXES, citation_rows_iri

REALDOCS = REPO.parent / "shared" / "realdocs"

# The rows as the queries read them before the rows were packed: each column by a lookup.
_CITATION_COLUMNS = """
  OPTIONAL { ?a dcterms:title ?title }
  BIND(COALESCE(?title, STR(?doc)) AS ?assessment)
  OPTIONAL { ?cit pia:citedTable ?cited_table }
  OPTIONAL { ?cit pia:citedItem ?cited_item }
  OPTIONAL { ?cit pia:source ?source }
}"""
_ROWS_BY_LOOKUPS = {
    "departments_under_item": """
    ?cit pia:meantItem ?meant ; pia:basisDepartment ?dep ; pia:basisRole ?role ;
         pia:basisOf ?party ; pia:inAssessment ?a .
    ?dep rdfs:label ?department .
    ?a prov:wasDerivedFrom ?doc .
  } LIMIT 10000000 }
  OPTIONAL { ?party pia:basisPurpose ?purpose }
  OPTIONAL { ?dep pia:organizationName ?organization }
""" + _CITATION_COLUMNS,
    "recipients_under_item": """
    ?cit pia:meantItem ?meant ; pia:basisRole ?role ; pia:basisOf ?row ; pia:inAssessment ?a .
    FILTER(sameTerm(?role, "提供先"))
    ?a prov:wasDerivedFrom ?doc .
  } LIMIT 10000000 }
  OPTIONAL { ?row pia:basisRecipient ?recipient }
  OPTIONAL { ?row pia:purpose ?purpose }
  OPTIONAL { ?a pia:bodyName ?organization }
""" + _CITATION_COLUMNS,
}


@pytest.fixture(scope="module")
def store(law_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The law, the seeds and the real excerpts of other bodies."""
    from pia_kg.pipeline import load_documents, load_law_dir
    from pia_kg.store import open_store

    s = open_store("oxigraph", path=tmp_path_factory.mktemp("rows") / "store")
    load_law_dir(s, law_dir)
    load_documents(s, [SEEDS_DIR, REALDOCS], workers=1)
    yield s
    s.close()


def _by_lookups(store, name: str, params: dict[str, str]) -> list[tuple]:  # noqa: ANN001
    query = get_query(name)
    text = inject_values(query.text, bind_params(query, params))
    head, _, _ = text.partition(f"?meant pia:{'department' if name.startswith('dep') else 'recipient'}AnswerRow ?row .")
    head = re.sub(r"SELECT DISTINCT \?row .*?\nWHERE", "SELECT DISTINCT " + " ".join(f"?{c}" for c in query.columns)
                  + "\nWHERE", head, count=1, flags=re.S)
    prefixes = "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
    return run_sparql(store, prefixes + head + _ROWS_BY_LOOKUPS[name]).rows


def _cited_items(store) -> list[tuple[str, str]]:  # noqa: ANN001
    """Every (table, item) some citation meant, by its table's label."""
    sparql = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items()) + """
    SELECT DISTINCT ?table ?item WHERE {
      ?cit pia:meantItem ?i . ?i pia:itemLabel ?item ; pia:inVersion/pia:versionOf/rdfs:label ?table .
      FILTER(LANG(?table) = "ja")
    } ORDER BY ?table ?item"""
    return [(str(t), str(i)) for t, i in run_sparql(store, sparql).rows]


@pytest.mark.parametrize("name", ["departments_under_item", "recipients_under_item"])
def test_packed_rows_answer_as_the_lookups_did(store, name: str) -> None:  # noqa: ANN001
    items = _cited_items(store)
    assert len(items) > 50
    answered = 0
    for table, item in items:
        for as_of in (None, "2023-01-01", "2025-01-01"):
            params = {"table": table, "item": item} | ({"as_of": as_of} if as_of else {})
            rows = run_query(store, name, params)
            expected = _by_lookups(store, name, params)
            # the same rows, every term the same (language tags included)
            assert sorted(map(repr, rows.rows)) == sorted(map(repr, expected)), (table, item, as_of)
            # in the answer's order: by reading, then body, assessment, department or recipient, source
            keys = [tuple(str(r[rows.variables.index(c)]) for c in
                          ("reading", "organization", "assessment", rows.variables[1], "source")) for r in rows.rows]
            assert keys == sorted(keys), (table, item, as_of)
            answered += len(rows.rows)
    assert answered > 200


def test_a_row_keeps_quotes_line_breaks_and_tags() -> None:
    """Values with the codec's special characters (tab, line feed, backslash, a kind's first
    character) and language tags come back as they went in."""
    s = ScratchStore()
    a, cit, dep = "<urn:x:a>", "<urn:x:cit>", "<urn:x:dep>"
    name = nt.literal('say "hi"\\ \n\t 部署', lang="ja")
    s.load_graph(URIRef("urn:x:doc"), f'{a} <http://www.w3.org/ns/prov#wasDerivedFrom> <urn:x:doc> .\n'
                  f'{dep} <http://www.w3.org/2000/01/rdf-schema#label> {name} .\n'
                  f'{a} <http://purl.org/dc/terms/title> "^評価書" .\n'
                  f'<urn:x:row> <{PIA.basisPurpose}> {nt.literal("<b>@x")} .\n')
    links = nt.Triples()
    for p, o in (("meantItem", "<urn:x:item>"), ("basisRole", '"移転先"'), ("basisOf", "<urn:x:row>"),
                 ("inAssessment", a), ("basisDepartment", dep)):
        links.add(cit, f"<{PIA[p]}>", o)
    rows = answer_row_triples(s, links).graph()
    row = unpack(str(rows.value(URIRef("urn:x:item"), PIA.departmentAnswerRow)),
                 get_query("departments_under_item").members)
    assert row["department"] == Literal('say "hi"\\ \n\t 部署', lang="ja")
    assert row["organization"] is None and row["assessment"] == Literal("^評価書")
    assert row["purpose"] == Literal("<b>@x") and row["role"] == Literal("移転先")


# The problems as queries/citation_problems.rq read them before the rows were packed.
_PROBLEMS_BY_LOOKUPS = """
SELECT ?assessment ?source ?cited_table ?cited_item ?purpose ?problem ?expected_table
       ?expected_item ?evidence ?document ?title ?comment ?agreement ?as_of ?method ?law_status
WHERE {
  ?cit pia:inAssessment ?assessment ; pia:problem ?p .
  ?assessment prov:wasDerivedFrom ?doc .
  ?doc pia:fileName ?document .
  ?p pia:problemKind ?problem .
  OPTIONAL { ?assessment dcterms:title ?title }
  OPTIONAL { ?p rdfs:comment ?comment }
  OPTIONAL { ?p pia:expectedTable ?expected_table }
  OPTIONAL { ?p pia:expectedItem ?expected_item }
  OPTIONAL { ?p pia:evidence ?evidence }
  OPTIONAL { ?cit pia:source ?source }
  OPTIONAL { ?cit pia:citedTable ?cited_table }
  OPTIONAL { ?cit pia:citedItem ?cited_item }
  OPTIONAL { ?cit pia:agreement ?agreement }
  OPTIONAL { ?cit pia:asOf ?as_of }
  OPTIONAL { ?cit pia:resolutionMethod ?method }
  OPTIONAL { ?cit pia:lawStatus ?law_status }
  OPTIONAL { ?cit pia:basisOf/pia:basisPurpose ?purpose }
}"""


def test_packed_problems_answer_as_the_lookups_did(store) -> None:  # noqa: ANN001
    query = get_query("citation_problems")
    head = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    head += "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
    every = run_query(store, "citation_problems")
    assessments = sorted({str(r[0]) for r in every.rows})
    assert len(assessments) >= 3 and len(every.rows) > 10, (assessments, len(every.rows))
    for assessment in [None, *assessments]:
        params = {"assessment": assessment} if assessment else {}
        rows = run_query(store, "citation_problems", params)
        expected = run_sparql(store, head + inject_values(_PROBLEMS_BY_LOOKUPS, bind_params(query, params)))
        assert rows.variables == expected.variables
        assert sorted(map(repr, rows.rows)) == sorted(map(repr, expected.rows)), assessment
        keys = [tuple(str(r[rows.variables.index(c)]) for c in ("document", "source", "problem")) for r in rows.rows]
        assert keys == sorted(keys), assessment


@pytest.mark.parametrize(
    ("name", "params", "least"),
    [("departments_under_item", {"table": "番号法別表", "item": "81"}, 6),
     ("recipients_under_item", {"table": "番号法別表第二", "item": "89"}, 2),
     ("citation_problems", {}, 6)],
)
def test_pia_kg_orders_packed_rows_as_sparql_does(store, name: str, params: dict[str, str], least: int) -> None:  # noqa: ANN001
    """run_query sorts a packed query's rows itself: in the order its ORDER BY gives in the
    store, and a page of them is that slice."""
    query = get_query(name)
    by_sparql = unpacked(run_sparql(store, inject_values(query.text, bind_params(query, params))),
                         query.packed, query.columns, query.members)
    rows = run_query(store, name, params).rows
    assert len(rows) >= least and rows == by_sparql.rows
    assert run_query(store, name, params, first=3, skip=1).rows == rows[1:4]


def test_citation_rows_sit_on_their_assessment_and_table(store) -> None:  # noqa: ANN001
    """Each citation row is on the node of its assessment's rows of the table its citation
    names (answer_rows.GROUPED), by which renumbering-impact finds it, one node a pair, in
    its one text of rows, a line each, each once and in order."""
    head = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())
    nodes = store.query(head + """SELECT ?node ?assessment ?table ?keyed WHERE {
      ?node pia:citationRowsOf ?assessment ; pia:citationRowsTable ?table ; pia:citationAnswerRows ?keyed }""").rows
    assert len({node for node, *_ in nodes}) == len(nodes) > 10
    tables, count = set(), 0
    for node, assessment, table, keyed in nodes:
        assert node == citation_rows_iri(str(assessment), str(table))
        rows = lines(str(keyed))
        assert rows == sorted(set(rows)) and all(rows)
        for row in rows:
            cells = unpack(split_keyed(row, len(KEYED[PIA.citationAnswerRows]))[1],
                           get_query("renumbering_impact").members)
            assert cells["assessment"] == assessment
            cited = store.query(f"SELECT ?t WHERE {{ <{cells['citation']}> <{PIA.citedTable}> ?t }}").rows
            assert [str(t) for (t,) in cited] == [str(table)], cells["citation"]
            count += 1
        tables.add(str(table))
    assert count > 50 and {"番号法別表第一", "番号法別表第二"} <= tables, tables
