"""What the derivations read from a store, as Python values rather than rdflib terms.

A worker derives each document in a scratch Oxigraph store (pia_kg/derive/documents.py) and
reads a few thousand terms back per document, almost all of them names and texts that end
up as ``str``. Converting each to an rdflib term first cost more than the queries. So on an
Oxigraph store the answers are read from Oxigraph's own terms (``query_terms``), and a term
becomes a :data:`Value`, which every reader here treats exactly as it treated the rdflib
term (``str()``, a date, a number, an IRI compared with a minted one):

- an IRI or a blank node: the rdflib term (``URIRef``, ``BNode``);
- a plain or language-tagged string: its text, a ``str``;
- any other typed literal (dates, numbers, booleans): the rdflib ``Literal``, so that its
  Python value and normalised lexical form are rdflib's.

Any other store answers through ``query``, with its rdflib terms as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.term import Node

from pia_kg.backends.oxigraph_store import to_rdflib
from pia_kg.derive import ntriples as nt
from pia_kg.store import Store

__all__ = ["Value", "value", "select", "select_rows", "construct_lines"]

#: A term as the derivations read it (see the module docstring).
Value = Node | str | None

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Value:
    """An Oxigraph term as a :data:`Value`.

    >>> value(ox.Literal("子育て支援課", language="ja"))
    '子育て支援課'
    >>> value(ox.NamedNode("urn:x"))
    rdflib.term.URIRef('urn:x')
    >>> value(ox.Literal("2024-05-27", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))).toPython()
    datetime.date(2024, 5, 27)
    """
    if type(term) is ox.Literal:
        if term.language or term.datatype.value == _XSD_STRING:
            return term.value
    elif term is None:
        return None
    return to_rdflib(term)


def _terms(store: Store, sparql: str) -> object | None:
    """Oxigraph's own answer, or None when ``store`` answers in rdflib terms only."""
    query_terms = getattr(store, "query_terms", None)
    return None if query_terms is None else query_terms(sparql)


def select_rows(store: Store, sparql: str) -> list[tuple[Value, ...]]:
    """The rows of a SELECT, each cell a :data:`Value`."""
    raw = _terms(store, sparql)
    if raw is None:
        return list(store.query(sparql).rows)
    _, rows = raw  # type: ignore[misc]
    return [tuple(map(value, row)) for row in rows]


def select(store: Store, sparql: str) -> list[dict[str, Value]]:
    """The rows of a SELECT as dicts by variable name, each cell a :data:`Value`."""
    raw = _terms(store, sparql)
    if raw is None:
        return store.query(sparql).dicts()
    variables, rows = raw  # type: ignore[misc]
    return [dict(zip(variables, map(value, row), strict=True)) for row in rows]


def construct_lines(store: Store, sparql: str) -> Iterable[str]:
    """The triples of a CONSTRUCT as N-Triples lines, spelled by :mod:`ntriples`."""
    raw = _terms(store, sparql)
    if raw is None:
        found = store.query(sparql).graph
        return [] if found is None else _graph_lines(found)
    return [f"{nt.term(t.subject)} {nt.term(t.predicate)} {nt.term(t.object)} .\n" for t in raw]  # type: ignore[union-attr]


def _graph_lines(graph: Graph) -> list[str]:
    out = []
    for s, p, o in graph:
        obj = nt.literal(str(o), datatype=o.datatype, lang=o.language) if isinstance(o, Literal) else o.n3()
        out.append(f"{s.n3()} {p.n3()} {obj} .\n")
    return out
