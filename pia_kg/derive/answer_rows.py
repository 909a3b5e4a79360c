"""The rows of the headline answers, written once per document on the item each row's citation
meant, so that a question from an item reads its rows in one index scan.

"Which departments receive data under item 81" is, per citation that meant an item of the
same 事務, a row of eight columns: the body, the assessment, the department, the source line,
the role, the table and item as cited, the purpose. Read from the basis links
(pia_kg/derive/basis_links.py), each column is a lookup by subject: eight lookups a row, half
a second for the 6,000 rows of item 81 at 5,000 documents, where the store scans an item's
packed rows in 40 ms. So, once per document, every row is written whole:

    ?meant pia:departmentAnswerRow "@ja 青森市\\t…" .  # 移転先 and 利用: a row per department
    ?meant pia:recipientAnswerRow "…" .       # 提供先: a row per 提供先 row
    ?assessment pia:problemAnswerRow "…" .    # a row per problem found in a citation
    ?rows pia:citationAnswerRows "=<resolved item>\\t=81\\t…\\n…" .
                                              # a line per citation an amendment may break,
    ?rows pia:citationRowsOf ?assessment ;    # in one text on the node of its assessment's
          pia:citationRowsTable "番号法別表第一" .  # citations of one table as cited

(the text packed by pia_kg/packed_rows.py), in the document's resolution graph: the rows
come and go with the document, and ``rederive`` writes them again when the law changes what
a citation meant. The basis links stay, for questions the rows do not answer. An amendment
question reads the citations of the tables it ended: grouped by table as cited, they are
found by the table (an index lookup), not by reading every citation row of the corpus to
test its table (2 s for 300,000 rows at 5,000 documents, once per table); and the rows of
each node are one text (:func:`~pia_kg.packed_rows.pack_lines`), read in one look-up, where
a literal a row cost a look-up a row (2.7 s for an amendment's 138,000 rows, 0.2 s as the
2,000 texts of their nodes).
"""

from __future__ import annotations

from rdflib import URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.basis_links import ROLES, role_in_english
from pia_kg.derive.scratch import ScratchStore
from pia_kg.named_queries import get_query
from pia_kg.packed_rows import pack, pack_keyed, pack_lines
from pia_kg.vocab import ID, PIA, PREFIXES, citation_rows_iri

__all__ = ["GROUPED", "KEYED", "ROW_PREDICATES", "answer_row_triples"]

_HEAD = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items()) + "PREFIX dcterms: <http://purl.org/dc/terms/>\n"

# The columns every row reads of its assessment and its citation. The assessment's document
# is looked up from each row (OPTIONAL, then required by the FILTER): as a join, Oxigraph read
# every prov:wasDerivedFrom of a store holding the law beside, the law's 1,800 included
# (2.7 ms a document, for 27 rows).
_ASSESSMENT_AND_CITATION = """
  OPTIONAL { ?a prov:wasDerivedFrom ?doc }
  FILTER(BOUND(?doc))
  OPTIONAL { ?a dcterms:title ?title }
  BIND(COALESCE(?title, STR(?doc)) AS ?assessment)
  OPTIONAL { ?cit pia:citedTable ?cited_table }
  OPTIONAL { ?cit pia:citedItem ?cited_item }
  OPTIONAL { ?cit pia:source ?source }
"""

#: predicate → (the variable naming the node the rows are written on, the named query reading
#: them, whose ``#+ members:`` are the rows' columns in the answer's order, its sort keys
#: first, and the SELECT reading them from a document and its resolution)
_ROWS = {
    PIA.departmentAnswerRow: (
        "meant",
        "departments_under_item",
        _HEAD + """SELECT ?meant ?organization ?assessment ?department ?source ?role ?cited_table
               ?cited_item ?purpose WHERE {
  # the document's departments first (the law's labels are thousands): the LIMIT never cuts
  # a row, it tells Oxigraph the sub-select is small, so that the rest is looked up from it
  { SELECT * WHERE {
    ?cit pia:basisDepartment ?dep ; pia:meantItem ?meant ; pia:basisRole ?role ; pia:basisOf ?party ;
         pia:inAssessment ?a .
  } LIMIT 10000000 }
  ?dep rdfs:label ?department .
  OPTIONAL { ?party pia:basisPurpose ?purpose }
  OPTIONAL { ?dep pia:organizationName ?organization }
""" + _ASSESSMENT_AND_CITATION + "}",
    ),
    PIA.recipientAnswerRow: (
        "meant",
        "recipients_under_item",
        _HEAD + f"""SELECT ?meant ?organization ?assessment ?recipient ?source ?role ?cited_table
               ?cited_item ?purpose WHERE {{
  ?cit pia:meantItem ?meant ; pia:basisRole ?role ; pia:basisOf ?row ; pia:inAssessment ?a .
  FILTER(?role = "{ROLES['provision']}")
  OPTIONAL {{ ?row pia:basisRecipient ?recipient }}
  OPTIONAL {{ ?row pia:purpose ?purpose }}
  OPTIONAL {{ ?a pia:bodyName ?organization }}
""" + _ASSESSMENT_AND_CITATION + "}",
    ),
    # A citation problem, on its assessment: queries/citation_problems.rq, in its order
    # (document, source, problem).
    PIA.problemAnswerRow: (
        "assessment",
        "citation_problems",
        _HEAD + """SELECT * WHERE {
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
}""",
    ),
    # A citation an amendment may break, on its assessment's rows of the table it cites
    # (:data:`GROUPED`): queries/renumbering_impact.rq, in
    # its order (body, assessment, line, source, cited item, citation), a row per role it
    # bases (a 提供/移転 row, or the assessment's 利用 and 情報連携). Citations with a problem
    # are left out (the impact lists them apart). The columns the question joins on (the
    # item the citation resolved to, the item as cited) are written before the row
    # (:data:`KEYED`).
    PIA.citationAnswerRows: (
        "assessment",
        "renumbering_impact",
        _HEAD + """SELECT * WHERE {
  ?citation pia:inAssessment ?assessment ; pia:citedTable ?cited_table ; pia:basisRole ?basisRole ;
            pia:basisOf ?holder .
  FILTER NOT EXISTS { ?citation pia:problem ?anyProblem }
  OPTIONAL { ?citation pia:citedItem ?citedItemLit }
  OPTIONAL { ?citation pia:resolvedItem ?resolved }
  OPTIONAL { ?citation pia:source ?citationSource }
  OPTIONAL { ?citation pia:articleAsWritten ?article }
  OPTIONAL { ?assessment pia:bodyName ?bodyName }
  OPTIONAL { ?holder pia:source ?holderSource }
  OPTIONAL { ?holder pia:basisRecipient ?recipientName }
  OPTIONAL { ?holder pia:annex ?annex }
  BIND(STR(?bodyName) AS ?organization)
  BIND(STR(?citedItemLit) AS ?cited_item)
  BIND(STR(?recipientName) AS ?party)
  BIND(STR(COALESCE(?holderSource, ?citationSource)) AS ?source)
  # the first line, from the source ("FILE#Ls-Le"), and as a text that sorts as the number
  BIND(STRDT(REPLACE(?source, "^.*#L([0-9]+)-L[0-9]+$", "$1"), xsd:integer) AS ?line)
  BIND(SUBSTR(CONCAT("0000000000", STR(?line)), STRLEN(STR(?line)) + 1) AS ?line_key)
  BIND(""" + role_in_english("?basisRole") + """ AS ?role)
}""",
    ),
}

#: The columns written before the packed row, by predicate (pia_kg/packed_rows.py's
#: :func:`~pia_kg.packed_rows.pack_keyed`): read by the question's join (:func:`~pia_kg.packed_rows.split_keyed`), so
#: that it joins on them without unpacking the row.
KEYED = {PIA.citationAnswerRows: ("resolved", "cited_item")}

#: Rows written not on their node but on a node of its rows with one column's value
#: (:func:`~pia_kg.vocab.citation_rows_iri`), which says its node and that value, all in one
#: text, a line each (:func:`~pia_kg.packed_rows.pack_lines`): by predicate, (the column, the
#: predicate to the node, the predicate to the value).
GROUPED = {PIA.citationAnswerRows: ("cited_table", PIA.citationRowsOf, PIA.citationRowsTable)}

#: Every predicate the rows are written with, and their groups'.
ROW_PREDICATES = frozenset(_ROWS) | {p for _, *of in GROUPED.values() for p in of}

# Where the document's resolution is held in the scratch store while its rows are read.
_LINKS = URIRef(ID["graph/scratch/links"])


def answer_row_triples(scratch: ScratchStore, resolution: nt.Triples) -> nt.Triples:
    """The packed answer rows of the one document ``scratch`` holds, whose resolution
    (citations' meant items, basis links) is ``resolution``, as N-Triples.

    >>> from pia_kg.derive.scratch import ScratchStore
    >>> s = ScratchStore()
    >>> doc, a, cit = (f"<urn:x:{n}>" for n in ("doc", "a", "cit"))
    >>> s.load_graph(URIRef("urn:x:doc"), f'''{a} <http://www.w3.org/ns/prov#wasDerivedFrom> {doc} .
    ... {cit} <{PIA.source}> "d.txt#L3-L3" .''')
    >>> links = nt.Triples()
    >>> for p, o in (("meantItem", "<urn:x:item>"), ("basisRole", '"提供先"'), ("basisOf", "<urn:x:row>"),
    ...              ("inAssessment", a)):
    ...     links.add(cit, f"<{PIA[p]}>", o)
    >>> links.add("<urn:x:row>", f"<{PIA.basisRecipient}>", '"厚生労働大臣"')
    >>> print(answer_row_triples(s, links).text().replace(str(PIA), "pia:").replace("\\t", " | "))
    <urn:x:item> <pia:recipientAnswerRow> " | urn:x:doc | 厚生労働大臣 | d.txt#L3-L3 | 提供先 |  |  | " .
    <BLANKLINE>
    """
    out = nt.Triples()
    scratch.load_graph(_LINKS, resolution.text())
    try:
        for predicate, (key, question, select) in _ROWS.items():
            columns = get_query(question).members
            spelled = nt.iri(predicate)
            variables, rows = scratch.query_terms(select)  # type: ignore[misc]
            subject = variables.index(key)
            at = [variables.index(c) for c in columns]
            keyed = [variables.index(c) for c in KEYED.get(predicate, ())]
            grouped = GROUPED.get(predicate)
            groups: dict[str, list[str]] = {}  # grouped: each group node's packed rows
            if grouped is not None:
                by, of, value = variables.index(grouped[0]), nt.iri(grouped[1]), nt.iri(grouped[2])
            for row in rows:
                packed = pack([row[i] for i in at])
                if keyed:
                    packed = pack_keyed([row[i] for i in keyed], packed)
                node = nt.term(row[subject])
                if grouped is None:
                    out.add(node, spelled, nt.literal(packed))
                    continue
                # on the node of the rows with its value (written once), with its other rows
                text = row[by].value
                group = nt.iri(citation_rows_iri(row[subject].value, text))
                if group not in groups:
                    out.add(group, of, node)
                    out.add(group, value, nt.literal(text))
                groups.setdefault(group, []).append(packed)
            for group, packed_rows in groups.items():
                out.add(group, spelled, nt.literal(pack_lines(packed_rows)))
    finally:
        scratch.drop_graphs([_LINKS])
    return out
