"""Everything a full load writes — documents, law tables and every derived graph — fits the
SHACL shapes, and the ontology stays consistent with it (the model holds end to end)."""

from __future__ import annotations

from rdflib import Dataset, Graph

from pia_kg.ontology import validate
from pia_kg.store import ExportFormat


def test_every_graph_of_a_full_load_conforms_to_the_shapes(loaded_store) -> None:  # noqa: ANN001
    ds = Dataset()
    ds.parse(data=loaded_store.export(ExportFormat.nquads), format="nquads")
    union = Graph()
    for s, p, o, _ in ds.quads():
        union.add((s, p, o))
    assert len(union) > 40_000
    conforms, report = validate(union)
    assert conforms, report[:3000]
