"""renumbering-impact reads the citation rows written once per document
(pia_kg/derive/answer_rows.py) and answers exactly as the query that looked every column up
from the citations did.

The reference is that query (tests/queries/renumbering_impact_reference.rq: the query before
its rows were derived); both run on the seeds, the real documents of other bodies and a
generated corpus, for the 2024-05-27 renumbering and for an amendment date no table ceased
on, over the whole corpus and for each assessment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pia_kg.corpus import write_corpus
from pia_kg.named_queries import _parse_header, bind_params, inject_values, run_query
from pia_kg.pipeline import load_documents, load_law_dir
from pia_kg.store import open_store

REFERENCE = _parse_header(
    "renumbering_impact", Path(__file__).with_name("renumbering_impact_reference.rq").read_text("utf-8")
)
REALDOCS = Path(__file__).resolve().parents[2].parent / "shared" / "realdocs"


def _key(row: dict) -> tuple:
    return tuple(sorted((k, "" if v is None else (v.n3() if hasattr(v, "n3") else str(v))) for k, v in row.items()))


def _reference(store, params: dict) -> list[tuple]:  # noqa: ANN001
    result = store.query(inject_values(REFERENCE.text, bind_params(REFERENCE, params)))
    return [_key(dict(zip(result.variables, row, strict=True))) for row in result.rows]


def _derived(store, params: dict) -> list[tuple]:  # noqa: ANN001
    return [_key(r) for r in run_query(store, "renumbering_impact", params).dicts()]


@pytest.fixture(scope="module")
def corpus_store(law_dir: Path, seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The law, the seeds, the real documents of other bodies and 30 generated assessments."""
    store = open_store("oxigraph", path=tmp_path_factory.mktemp("renumbering") / "store")
    load_law_dir(store, law_dir)
    corpus = write_corpus(tmp_path_factory.mktemp("corpus"), 30, seed=3)
    sources = [seeds_dir, corpus[0].parent] + ([REALDOCS] if REALDOCS.is_dir() else [])
    load_documents(store, sources)
    yield store
    store.close()


def _assessments(store) -> list[str]:  # noqa: ANN001
    return [str(a) for (a,) in store.query(
        "SELECT DISTINCT ?a WHERE { ?a a <https://w3id.org/pia-kg/ontology#Assessment> } ORDER BY ?a").rows]


@pytest.mark.parametrize("amendment", ["2024-05-27", "2024-05-18", "2025-01-01"])
def test_the_whole_corpus_answers_as_the_lookups_did(corpus_store, amendment: str) -> None:  # noqa: ANN001
    derived = _derived(corpus_store, {"amendment": amendment})
    assert sorted(derived) == sorted(_reference(corpus_store, {"amendment": amendment}))
    if amendment == "2024-05-27":
        assert len(derived) > 500
        changes = {dict(r)["change"] for r in derived}
        assert {'"renumbered"', '"table replaced"'} <= changes, changes


def test_each_assessment_answers_as_the_lookups_did(corpus_store) -> None:  # noqa: ANN001
    assessments = _assessments(corpus_store)
    assert len(assessments) > 30
    whole = run_query(corpus_store, "renumbering_impact", {"amendment": "2024-05-27"}).dicts()
    answered = 0
    for a in assessments:
        params = {"amendment": "2024-05-27", "assessment": a}
        derived = _derived(corpus_store, params)
        assert sorted(derived) == sorted(_reference(corpus_store, params)), a
        answered += bool(derived)
    assert answered == len({str(r["assessment"]) for r in whole}) > 5


def test_rows_come_in_the_answers_order(corpus_store) -> None:  # noqa: ANN001
    """By body, assessment, first line (as a number), source, item as cited."""
    rows = run_query(corpus_store, "renumbering_impact", {"amendment": "2024-05-27"}).dicts()

    def order(r: dict) -> tuple:
        return (str(r["organization"] or ""), str(r["assessment"]), int(r["line"]) if r["line"] is not None else -1,
                str(r["source"] or ""), str(r["cited_item"] or ""))

    assert [order(r) for r in rows] == sorted(order(r) for r in rows)
