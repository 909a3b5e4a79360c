"""The basis links (pia_kg/derive/basis_links.py) say, in direct triples, what the documents
say through three shapes; the headline queries read them instead of a UNION over the corpus.
Checked on the seeds against the shapes themselves, and the old UNION-form query against
the new one."""

from __future__ import annotations

from pia_kg.named_queries import bind_params, get_query, inject_values, run_query
from pia_kg.vocab import PREFIXES

P = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())


def _rows(store, sparql: str) -> set[tuple[str | None, ...]]:  # noqa: ANN001
    return {tuple(None if v is None else str(v) for v in row) for row in store.query(sparql).rows}


def test_every_transfer_provision_and_use_citation_has_its_link(loaded_store) -> None:  # noqa: ANN001
    shapes = _rows(loaded_store, P + """SELECT ?cit ?party ?role WHERE {
      { ?party pia:citation ?cit ; a pia:Transfer . BIND("移転先" AS ?role) }
      UNION { ?party pia:citation ?cit ; a pia:Provision . BIND("提供先" AS ?role) }
      UNION { ?party pia:numberUseBasis ?cit ; a pia:Assessment . BIND("利用" AS ?role) }
      UNION { ?party pia:networkLinkageBasis ?cit ; a pia:Assessment . BIND("情報連携" AS ?role) } }""")
    links = _rows(loaded_store, P + "SELECT ?cit ?party ?role WHERE { ?cit pia:basisOf ?party ; pia:basisRole ?role }")
    assert len(shapes) > 200
    assert links == shapes


def test_units_are_the_recipients_and_responsible_departments(loaded_store) -> None:  # noqa: ANN001
    shapes = _rows(loaded_store, P + """SELECT ?party ?unit WHERE {
      { ?party a pia:Transfer ; pia:citation ?c ; pia:recipient ?unit }
      UNION { ?party a pia:Assessment ; pia:numberUseBasis ?c ; pia:responsibleDepartment ?unit } }""")
    links = _rows(loaded_store, P + """SELECT ?party ?unit WHERE {
      ?cit pia:basisOf ?party ; pia:basisDepartment/pia:unit ?unit }""")
    assert links == shapes


def test_every_citation_points_to_the_assessment_of_its_document(loaded_store) -> None:  # noqa: ANN001
    wrong = _rows(loaded_store, P + """SELECT ?cit WHERE {
      ?cit a pia:LegalCitation .
      FILTER NOT EXISTS { ?cit pia:inAssessment ?a . ?a a pia:Assessment ; prov:wasDerivedFrom ?d .
                          ?cit prov:wasDerivedFrom ?d } }""")
    assert not wrong


UNION_FORM = """
SELECT DISTINCT ?department ?role ?assessment ?source WHERE {
  ?law a pia:LawTable ; rdfs:label ?lawLabel . FILTER(STR(?lawLabel) = STR(?table))
  ?version pia:versionOf ?law .
  ?target pia:itemLabel ?item ; pia:inVersion ?version .
  ?target (skos:exactMatch|^skos:exactMatch|skos:closeMatch|^skos:closeMatch)* ?meant .
  ?cit pia:meantItem ?meant .
  { ?row pia:citation ?cit ; a pia:Transfer ; pia:recipient ?unit . BIND("移転先" AS ?role) }
  UNION { ?an pia:numberUseBasis ?cit ; pia:responsibleDepartment ?unit . BIND("利用" AS ?role) }
  ?unit rdfs:label ?department .
  ?cit prov:wasDerivedFrom ?doc . ?a a pia:Assessment ; prov:wasDerivedFrom ?doc .
  OPTIONAL { ?a dcterms:title ?title } BIND(COALESCE(?title, STR(?doc)) AS ?assessment)
  OPTIONAL { ?cit pia:source ?source }
}"""


def test_departments_under_item_answers_as_the_union_over_the_shapes_did(loaded_store) -> None:  # noqa: ANN001
    """Without ``as_of`` the query reads every version: the same rows as the UNION form."""
    query = get_query("departments_under_item")
    answered = 0
    for table, item in (("番号法別表", "81"), ("番号法別表第一", "94"), ("番号法別表第二", "116")):
        bindings = bind_params(query, {"table": table, "item": item})
        old = _rows(loaded_store, P + inject_values(UNION_FORM, bindings))
        new = {(r["department"], r["role"], r["assessment"], r["source"])
               for r in run_query(loaded_store, query.name, {"table": table, "item": item}).values()}
        assert old == new, (table, item)
        answered += len(old)
    assert answered >= 5
