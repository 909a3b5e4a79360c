"""A whole seed rendered to a PDF gives the same transfers, provisions, systems and files as
its text (seed 000: 別紙 tables of 141 rows running over pages; seed 001: 重点項目)."""

from __future__ import annotations

import pytest
from conftest import SEED_000, SEED_001
from pdf_render import render_text
from rdflib import Graph, URIRef

from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.text.widths import compact
from pia_kg.vocab import PIA, RDF, RDFS


def _text(g: Graph, node: URIRef, p: URIRef) -> str:
    v = g.value(node, p)
    return compact(str(v)) if v is not None else ""


def _facts(g: Graph) -> dict[str, list]:
    def disclosures(cls: URIRef) -> list:
        out = []
        for n in g.subjects(RDF.type, cls):
            cites = sorted(
                (_text(g, c, PIA.citedTable), _text(g, c, PIA.citedItem)) for c in g.objects(n, PIA.citation)
            )
            out.append((_text(g, n, PIA.recipientName), _text(g, n, PIA.purpose), tuple(cites)))
        return sorted(out)

    a = next(g.subjects(RDF.type, PIA.Assessment))
    return {
        "provisions": disclosures(PIA.Provision),
        "transfers": disclosures(PIA.Transfer),
        "systems": sorted(_text(g, s, RDFS.label) for s in g.objects(a, PIA.system)),
        "files": sorted(_text(g, f, RDFS.label) for f in g.objects(a, PIA.file)),
    }


@pytest.mark.parametrize("seed", [SEED_000, SEED_001], ids=["000", "001"])
def test_seed_pdf_gives_the_same_facts(tmp_path, seed):
    pdf = tmp_path / (seed.stem + ".pdf")
    render_text(seed.read_text(encoding="utf-8"), pdf)
    want = _facts(load_assessment(seed).graph)
    got = _facts(load_assessment(pdf).graph)
    assert want["provisions"] and want["transfers"] and want["systems"] and want["files"]
    assert got == want
