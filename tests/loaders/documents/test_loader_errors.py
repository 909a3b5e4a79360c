"""Bad input to the assessment loader: a clear error naming file and line, or a warning naming
the line, and never a partial graph (an error is raised before anything is returned)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LAW_DIR, SEED_000, SEED_001, SEED_004

from pia_kg.errors import DocumentKindError, LoaderError
from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.vocab import PIA, RDF


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _lines(seed: Path) -> list[str]:
    return seed.read_text(encoding="utf-8").split("\n")


def test_empty_file(tmp_path):
    p = _write(tmp_path, "empty.txt", "  \n\n")
    with pytest.raises(LoaderError) as err:
        load_assessment(p)
    assert err.value.line == 1 and "empty" in str(err.value) and "empty.txt" in str(err.value)


def test_binary_file(tmp_path):
    p = tmp_path / "scan.txt"
    p.write_bytes(b"%PDF-1.7\n\x00\x01\x02binary")
    with pytest.raises(LoaderError, match="binary"):
        load_assessment(p)


def test_missing_file(tmp_path):
    with pytest.raises(LoaderError, match="no such file"):
        load_assessment(tmp_path / "nope.txt")


def test_document_of_another_kind(tmp_path):
    # A real text of another kind: the law data notes that ship with the law tables.
    text = (LAW_DIR / "SOURCES.md").read_text(encoding="utf-8")
    p = _write(tmp_path, "sources.txt", text)
    with pytest.raises(DocumentKindError) as err:
        load_assessment(p)
    assert "not a 特定個人情報保護評価書" in str(err.value)
    assert err.value.line is not None


def _assessment(doc):
    return next(doc.graph.subjects(RDF.type, PIA.Assessment))


def test_truncated_after_the_cover(tmp_path):
    """Only the cover survived: it loads, says section I is missing and that the text ends early."""
    p = _write(tmp_path, "cut.txt", "\n".join(_lines(SEED_000)[:30]))
    doc = load_assessment(p)
    a = _assessment(doc)
    assert any("section I" in w for w in doc.warnings)
    assert any(w.startswith("cut.txt:30: the text ends early") for w in doc.warnings)
    assert doc.graph.value(a, PIA.endsEarly).toPython() is True
    assert {str(o) for o in doc.graph.objects(a, PIA.partFound)} == {"cover"}
    assert str(doc.graph.value(a, PIA.assessmentNumber)) == "1"


def test_truncated_inside_section_i(tmp_path):
    """Cut after 7. 担当部署 (L98), before section II: section I is read, II is said missing."""
    p = _write(tmp_path, "cut.txt", "\n".join(_lines(SEED_000)[:100]))
    doc = load_assessment(p)
    a = _assessment(doc)
    assert any(w.startswith("cut.txt:100: the text ends early") for w in doc.warnings)
    assert any("section II" in w for w in doc.warnings)
    assert {str(o) for o in doc.graph.objects(a, PIA.partFound)} == {"cover", "basic_info"}
    assert doc.graph.value(a, PIA.taskName) is not None
    assert not list(doc.graph.objects(a, PIA.file))


def test_missing_field_is_a_warning_with_its_line(tmp_path):
    """⑥委託先名 of 委託事項2 (L221) removed: the other contractors stay where they belong."""
    lines = _lines(SEED_000)
    assert lines[220].startswith("⑥委託先名")
    del lines[220]
    p = _write(tmp_path, "000_missing.txt", "\n".join(lines))
    doc = load_assessment(p)
    warns = [w for w in doc.warnings if "委託事項2" in w and "委託先名" in w]
    assert warns == ["000_missing.txt:211: file 1: 委託事項2 has no 委託先名"]
    g = doc.graph
    by_title = {
        str(g.value(o, PIA.order)): g.value(o, PIA.contractorName)
        for o in g.subjects(RDF.type, PIA.Outsourcing)
        if str(g.value(o, PIA.source)).startswith("000_missing.txt#L2")
    }
    assert by_title["2"] is None
    assert str(by_title["3"]) == "株式会社東海道シグマ"  # not shifted up into 委託事項2


def test_missing_department_is_a_warning(tmp_path):
    lines = [ln for ln in _lines(SEED_001) if not ln.startswith("①部署")]
    p = _write(tmp_path, "001_nodept.txt", "\n".join(lines))
    doc = load_assessment(p)
    assert any("担当部署 ①部署" in w or "department" in w for w in doc.warnings)
    a = next(doc.graph.subjects(RDF.type, PIA.Assessment))
    assert doc.graph.value(a, PIA.responsibleDepartment) is None


def test_no_body_is_a_warning(tmp_path):
    """Neither 評価実施機関名 nor any body named: it loads, and says it cannot tell whose it is."""
    blanked = [
        ln.replace("群馬県", "当該団体") for ln in _lines(SEED_004) if ln.strip() != "群馬県知事"
    ]
    p = _write(tmp_path, "004_nobody.txt", "\n".join(blanked))
    doc = load_assessment(p)
    assert any("public body" in w for w in doc.warnings)


def test_size_limit(tmp_path):
    p = _write(tmp_path, "big.txt", "特定個人情報保護評価書(全項目評価書)\n" + "あ" * 5000)
    with pytest.raises(LoaderError, match="too large"):
        load_assessment(p, max_bytes=1000)


def test_not_utf8(tmp_path):
    p = tmp_path / "sjis.txt"
    p.write_bytes("特定個人情報保護評価書(全項目評価書)\n".encode("shift_jis"))
    with pytest.raises(LoaderError, match="UTF-8") as err:
        load_assessment(p)
    assert err.value.line == 1


def test_unreadable_change_table_is_a_warning(tmp_path):
    """A 変更日 cell that is no date: the change history is not read (warning with its line),
    everything else of the assessment loads."""
    lines = _lines(SEED_001)
    k = next(i for i, ln in enumerate(lines) if ln.startswith("令和7年1月14日\t"))
    lines[k] = "令和七年一月某日" + lines[k][len("令和7年1月14日") :]
    p = _write(tmp_path, "001_baddate.txt", "\n".join(lines))
    doc = load_assessment(p)
    assert any(w.startswith(f"001_baddate.txt:{k + 1}: changes not read") for w in doc.warnings)
    a = _assessment(doc)
    assert list(doc.graph.objects(a, PIA.file))


def test_a_part_that_breaks_its_reader_is_a_warning(tmp_path, monkeypatch):
    """Whatever goes wrong inside one part's reader, the document loads without that part and
    says so; no traceback reaches the user."""
    from pia_kg.loaders.documents import assessment

    def extract_risks(src, dg, ctx):  # a layout the risk reader did not foresee
        raise IndexError("list index out of range")

    monkeypatch.setattr(assessment, "PART_EXTRACTORS", (*assessment.PART_EXTRACTORS[:2], extract_risks))
    doc = load_assessment(SEED_001)
    assert any("risks not read: unexpected layout (IndexError" in w for w in doc.warnings)
    assert list(doc.graph.objects(_assessment(doc), PIA.file))
