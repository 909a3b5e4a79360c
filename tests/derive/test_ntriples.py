"""The derived graphs are written as N-Triples text (pia_kg/derive/ntriples.py): every term
must be spelled as rdflib's N-Triples serializer spells it, so that the text is the graph the
derivations built before, statement for statement."""

from __future__ import annotations

import datetime as dt
import doctest
import importlib
from decimal import Decimal

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from pia_kg.backends.oxigraph_store import to_rdflib
from pia_kg.derive import ntriples as nt

TEXTS = [
    "",
    "児童手当法による児童手当の支給に関する事務",
    'quote " and backslash \\ and \\n written out',
    "line\nbreak\r\ncarriage\ttab",
    "\u2028 line separator, \x00 nul, \x7f del, \ufeff bom",
    "emoji 😀 and combining が",
    "ends with backslash \\",
]


def _rdflib_line(s: URIRef, p: URIRef, o: Literal | URIRef) -> str:
    g = Graph()
    g.add((s, p, o))
    return g.serialize(format="nt").strip() + "\n"


S, P = URIRef("https://w3id.org/pia-kg/id/s"), URIRef("https://w3id.org/pia-kg/ontology#p")


def _line(o: str) -> str:
    t = nt.Triples()
    t.add(nt.iri(S), nt.iri(P), o)
    return t.text()


@pytest.mark.parametrize("text", TEXTS)
def test_literals_are_spelled_as_rdflib_spells_them(text: str) -> None:
    assert _line(nt.literal(text)) == _rdflib_line(S, P, Literal(text))
    assert _line(nt.literal(text, lang="ja")) == _rdflib_line(S, P, Literal(text, lang="ja"))


@pytest.mark.parametrize("text", TEXTS)
def test_oxigraph_terms_are_spelled_as_their_rdflib_conversion(text: str) -> None:
    for term in (ox.Literal(text), ox.Literal(text, language="ja")):
        assert _line(nt.term(term)) == _rdflib_line(S, P, to_rdflib(term))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lexical", "datatype"),
    [("007", XSD.integer), ("1", XSD.boolean), ("0.800", XSD.decimal), ("2024-05-27", XSD.date),
     ("not a date", XSD.date), ("x", URIRef("urn:custom-type"))],
)
def test_typed_oxigraph_literals_are_normalised_as_rdflib_normalises_them(lexical: str, datatype: URIRef) -> None:
    term = ox.Literal(lexical, datatype=ox.NamedNode(str(datatype)))
    assert _line(nt.term(term)) == _rdflib_line(S, P, to_rdflib(term))  # type: ignore[arg-type]


def test_typed_values_are_spelled_as_rdflib_spells_them() -> None:
    assert _line(nt.date(dt.date(2024, 5, 27))) == _rdflib_line(S, P, Literal(dt.date(2024, 5, 27), datatype=XSD.date))
    for n in (0, 7, 1234567):
        assert _line(nt.integer(n)) == _rdflib_line(S, P, Literal(n, datatype=XSD.integer))
    for b in (True, False):
        assert _line(nt.boolean(b)) == _rdflib_line(S, P, Literal(b))
    for x in [i / 1000 for i in range(0, 1001, 7)] + [-0.0, -0.0004, 0.9996, 12.5, 1e-9]:
        expected = Literal(Decimal(f"{x:.3f}"), datatype=XSD.decimal)
        assert _line(nt.decimal(x)) == _rdflib_line(S, P, expected), x


def test_each_statement_is_written_once_and_parses_back() -> None:
    t = nt.Triples()
    for text in TEXTS * 2:
        t.add(nt.iri(S), nt.iri(P), nt.literal(text))
    assert len(t) == len(TEXTS)
    g = t.graph(URIRef("urn:g"))
    assert {str(o) for o in g.objects(S, P)} == set(TEXTS)
    assert g.identifier == URIRef("urn:g")


@pytest.mark.parametrize("name", ["pia_kg.derive.ntriples", "pia_kg.derive.store_reads"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
