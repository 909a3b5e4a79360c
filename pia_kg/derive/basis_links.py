"""Direct links from each citation to what rests on it, so that the headline questions are
index lookups whatever the size of the corpus.

An assessment states a legal basis in four places: a 移転先 row (``pia:Transfer``, its
``pia:recipient`` the receiving department), a 提供先 row (``pia:Provision``) and the
assessment itself for 個人番号の利用 (``pia:numberUseBasis``, its ``pia:responsibleDepartment``
the department that uses the number) and for 情報連携 (``pia:networkLinkageBasis``). Asking
"which departments under item 81" over those shapes needs a UNION, which the store evaluates
branch by branch over the whole corpus before joining: the cost grows with the corpus, not
with the answer. So, once per document, the shapes are written as one:

    ?citation pia:basisOf ?party ; pia:inAssessment ?assessment ;
              pia:basisRole "移転先" | "提供先" | "利用" | "情報連携" .
    ?party pia:basisPurpose ?purpose ;
           pia:basisRecipient ?name .       # 移転先, 提供先: the recipient as this document names it
    ?citation pia:basisDepartment ?d .      # 移転先 and 利用: one node per department
    ?d pia:unit ?unit ; rdfs:label ?department ; pia:organizationName ?body .
    ?assessment pia:bodyName ?body .        # names as this document writes them

(the role belongs to the citation: the assessment is the party of both its 利用 and its
情報連携 citations), and a question starts from the item, follows ``pia:meantItem`` back to
its citations and reads the rest by subject: every step an index lookup. The links are
derived with the rest of a document's resolution (pia_kg/derive/documents.py), so loading a
document costs that document.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef
from rdflib.term import Node

from pia_kg.derive import ntriples as nt
from pia_kg.derive.store_reads import construct_lines, select_rows
from pia_kg.store import Store
from pia_kg.vocab import PIA, PREFIXES

__all__ = ["ROLES", "ROLES_IN_ENGLISH", "PREDICATES", "basis_link_triples", "role_in_english"]

#: The role of a party that rests on a citation, as the answers print it.
ROLES = {"transfer": "移転先", "provision": "提供先", "use": "利用", "linkage": "情報連携"}

#: Each role as the impact answers print it (pia_kg/display.py names them in Japanese).
ROLES_IN_ENGLISH = {"provision": "provision", "transfer": "transfer", "use": "number use", "linkage": "network linkage"}


def role_in_english(variable: str) -> str:
    """A SPARQL expression of the role held in ``variable`` (a :data:`ROLES` value) as the
    impact answers print it.

    >>> print(role_in_english("?r"))
    IF(?r = "移転先", "transfer", IF(?r = "提供先", "provision", IF(?r = "利用", "number use", IF(?r = "情報連携", "network linkage", ""))))
    """
    return "".join(f'IF({variable} = "{role}", "{ROLES_IN_ENGLISH[k]}", ' for k, role in ROLES.items()) + '""' + ")" * len(ROLES)


#: Every predicate the links are written with.
PREDICATES = frozenset(
    PIA[n]
    for n in (
        "basisOf", "basisRole", "basisPurpose", "basisRecipient", "inAssessment",
        "basisDepartment", "unit", "organizationName", "bodyName",
    )
)

_PARTIES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items()) + f"""
CONSTRUCT {{
  ?cit pia:basisOf ?party ; pia:basisRole ?role .
  ?party pia:basisPurpose ?purpose ; pia:basisRecipient ?recipient .
}} WHERE {{
  {{
    # a 移転先 or 提供先 row (the departments are read below, in _DEPARTMENTS)
    ?party pia:citation ?cit ; a ?rowType .
    FILTER(?rowType IN (pia:Transfer, pia:Provision))
    OPTIONAL {{ ?party pia:purpose ?purpose }}
    OPTIONAL {{ ?party pia:recipientName ?recipientName }}
    OPTIONAL {{ ?party pia:recipient/rdfs:label ?recipientLabel }}
    BIND(COALESCE(?recipientName, ?recipientLabel) AS ?recipient)
    BIND(IF(?rowType = pia:Transfer, "{ROLES['transfer']}", "{ROLES['provision']}") AS ?role)
  }} UNION {{
    ?party pia:numberUseBasis ?cit ; a pia:Assessment .
    OPTIONAL {{ ?party pia:taskName ?purpose }}
    BIND("{ROLES['use']}" AS ?role)
  }} UNION {{
    ?party pia:networkLinkageBasis ?cit ; a pia:Assessment .
    BIND("{ROLES['linkage']}" AS ?role)
  }}
}}
"""

# The department and its body as this document names them, on a node of the document's own
# (one per citation and department): a unit or a body is shared by every document of its
# body, and each of their graphs repeats its labels, so reading them from the shared node
# would cost as many lookups as the body has documents.
_DEPARTMENTS = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items()) + """
CONSTRUCT {
  ?cit pia:basisDepartment ?dep .
  ?dep a pia:DepartmentUnderBasis ; pia:unit ?unit ; rdfs:label ?department ;
       pia:organizationName ?organization .
  ?a pia:bodyName ?bodyName .
} WHERE {
  {
    { ?party pia:citation ?cit ; a pia:Transfer ; pia:recipient ?unit }
    UNION { ?party pia:numberUseBasis ?cit ; a pia:Assessment ; pia:responsibleDepartment ?unit }
    ?unit rdfs:label ?department .
    OPTIONAL { ?unit pia:body/rdfs:label ?organization }
    BIND(IRI(CONCAT(STR(?cit), "/department/", MD5(STR(?unit)))) AS ?dep)
  } UNION {
    ?a a pia:Assessment ; pia:body/rdfs:label ?bodyName .
  }
}
"""

_IN_ASSESSMENT = nt.iri(PIA.inAssessment)

_CITATIONS_AND_ASSESSMENTS = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items()) + """
SELECT ?x ?kind WHERE {
  { ?x a pia:LegalCitation . BIND("citation" AS ?kind) }
  UNION { ?x a pia:Assessment . BIND("assessment" AS ?kind) }
}
"""


def basis_link_triples(store: Store, citations: Iterable[Node]) -> nt.Triples:
    """The links of the one document ``store`` holds (beside the law), as N-Triples, and of
    ``citations``, the citations its resolution adds (those read from change records).

    >>> from pia_kg.backends.memory_store import MemoryStore
    >>> from rdflib import RDF, Graph, Literal
    >>> s = MemoryStore()
    >>> d = URIRef("https://w3id.org/pia-kg/id/graph/doc/x")
    >>> a, row, cit, unit = (URIRef(f"urn:x:{n}") for n in ("a", "row", "cit", "unit"))
    >>> g = Graph(identifier=d)
    >>> for t in [(a, RDF.type, PIA.Assessment), (cit, RDF.type, PIA.LegalCitation),
    ...           (row, RDF.type, PIA.Transfer), (row, PIA.citation, cit),
    ...           (row, PIA.recipient, unit), (row, PIA.purpose, Literal("児童手当"))]:
    ...     _ = g.add(t)
    >>> s.replace_graphs({d: g})
    >>> links = basis_link_triples(s, []).graph()
    >>> sorted(str(o) for o in links.objects() if not str(o).startswith("https"))
    ['urn:x:a', 'urn:x:row', '児童手当', '移転先']
    """
    out = nt.Triples()
    for construct in (_PARTIES, _DEPARTMENTS):
        out.update(construct_lines(store, construct))
    cited: set[Node] = set(citations)
    assessments: list[URIRef] = []
    for x, kind in select_rows(store, _CITATIONS_AND_ASSESSMENTS):
        if isinstance(x, URIRef):
            (cited.add(x) if str(kind) == "citation" else assessments.append(x))
    for cit in cited:
        for a in assessments:
            out.add(cit.n3(), _IN_ASSESSMENT, a.n3())
    return out
