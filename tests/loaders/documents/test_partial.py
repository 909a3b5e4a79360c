"""Partial documents: every truncation of a seed either loads with a warning naming the line
where the text stops, or is rejected as no assessment at all; a whole page on one line and
oversized input read in linear time."""

from __future__ import annotations

import random

import pytest
from conftest import SEED_000, SEED_001, SEED_002, SEED_004

from pia_kg.errors import LoaderError
from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.loaders.documents.form import Form
from pia_kg.loaders.documents.parts import parts_found
from pia_kg.loaders.documents.source import SourceText
from pia_kg.vocab import PIA, RDF

SEEDS = (SEED_000, SEED_001, SEED_002, SEED_004)


def _cut_points(n: int) -> list[tuple[int, int]]:
    """(seed index, line) pairs, seeded: a line before the seed's 評価実施手続 heading.

    After that heading only 変更箇所 and 別紙 rows follow, which a document may or may not
    have: a cut there cannot be told from a whole document.
    """
    rng = random.Random(20261130)
    limits = []
    for seed in SEEDS:
        form = Form(SourceText.read(seed))
        level = "FocusedLevel" if seed == SEED_001 else "FullLevel"
        limits.append(parts_found(form, level)["procedure"])
    return [(k, rng.randrange(3, limits[k])) for k in (rng.randrange(len(SEEDS)) for _ in range(n))]


@pytest.mark.parametrize("seed_index,line", _cut_points(100))
def test_truncation_is_reported(tmp_path, seed_index, line):
    lines = SEEDS[seed_index].read_text(encoding="utf-8").split("\n")[:line]
    p = tmp_path / "cut.txt"
    p.write_text("\n".join(lines), encoding="utf-8")
    try:
        doc = load_assessment(p)
    except LoaderError as err:  # no cover or kind left: not an assessment
        assert "not a 特定個人情報保護評価書" in str(err) or "too short" in str(err)
        return
    assert any(w.startswith(f"cut.txt:{line}: the text ends early") for w in doc.warnings)
    a = next(doc.graph.subjects(RDF.type, PIA.Assessment))
    assert doc.graph.value(a, PIA.endsEarly).toPython() is True


def test_one_line_page_with_a_duplicated_block_is_linear(tmp_path):
    """A 10 MB text on one line loads or fails cleanly (no hang): reading is linear."""
    page = SEED_004.read_text(encoding="utf-8").replace("\n", " ")
    p = tmp_path / "big.txt"
    p.write_text(page * max(1, 10_000_000 // len(page.encode())), encoding="utf-8")
    try:
        doc = load_assessment(p)
    except LoaderError:
        return
    assert doc.graph


def _count(doc, cls) -> int:
    return len(set(doc.graph.subjects(RDF.type, cls)))


def test_a_document_split_over_two_files(tmp_path):
    """Seed 000 cut before its first file's section II: the first file ends early, the second
    (no cover) loads as a later part with every file, 委託, 提供 and 移転 of the whole."""
    lines = SEED_000.read_text(encoding="utf-8").split("\n")
    form = Form(SourceText.read(SEED_000))
    cut = parts_found(form, "FullLevel")["file_overview"]
    first, second = tmp_path / "part1.txt", tmp_path / "part2.txt"
    first.write_text("\n".join(lines[: cut - 1]), encoding="utf-8")
    second.write_text("\n".join(lines[cut - 1 :]), encoding="utf-8")
    whole, one, two = load_assessment(SEED_000), load_assessment(first), load_assessment(second)
    a1 = next(one.graph.subjects(RDF.type, PIA.Assessment))
    a2 = next(two.graph.subjects(RDF.type, PIA.Assessment))
    assert one.graph.value(a1, PIA.endsEarly).toPython() is True
    assert "cover" not in {str(p) for p in two.graph.objects(a2, PIA.partFound)}
    assert any("later part" in w for w in two.warnings)
    for cls in (PIA.PersonalInformationFile, PIA.Outsourcing, PIA.Provision, PIA.Transfer):
        assert _count(two, cls) == _count(whole, cls) > 0
    assert _count(one, PIA.System) == _count(whole, PIA.System) > 0


def test_text_of_another_kind_is_rejected(tmp_path):
    p = tmp_path / "minutes.txt"
    p.write_text("議事録\n令和6年5月1日\n出席者 5名\n議題 予算について\n", encoding="utf-8")
    with pytest.raises(LoaderError, match="not a 特定個人情報保護評価書"):
        load_assessment(p)
