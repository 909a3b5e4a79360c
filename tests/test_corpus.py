"""The corpus generator: realistic documents from the seeds, deterministic, read back as
their new bodies with their templates' shape."""

from __future__ import annotations

from rdflib import RDFS

from pia_kg.corpus import TEMPLATES, generate
from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.vocab import PIA


def test_same_seed_same_corpus_other_seed_other_corpus() -> None:
    a = [(d.name, d.text) for d in generate(6, seed=3)]
    assert a == [(d.name, d.text) for d in generate(6, seed=3)]
    assert a != [(d.name, d.text) for d in generate(6, seed=4)]
    assert len({name for name, _ in a}) == 6


def test_generated_documents_read_back_as_their_new_body(tmp_path) -> None:  # noqa: ANN001
    changed_items = 0
    for doc in generate(10, seed=11):
        template_text = doc.template.read_text(encoding="utf-8")
        assert doc.text.count("\n") == template_text.count("\n")
        assert doc.body != TEMPLATES[doc.template.stem]
        path = tmp_path / doc.name
        path.write_text(doc.text, encoding="utf-8")
        graph = load_assessment(path).graph
        bodies = {str(o) for b in graph.objects(None, PIA.body) for o in graph.objects(b, RDFS.label)}
        assert bodies == {doc.body}
        template = load_assessment(doc.template).graph
        # the same rows: within a few triples of the template (a perturbed number may merge
        # two citations of one row into one)
        assert abs(len(graph) - len(template)) <= 10
        cited = sorted(str(o) for o in graph.objects(None, PIA.citedItem))
        changed_items += cited != sorted(str(o) for o in template.objects(None, PIA.citedItem))
    assert changed_items >= 2
