"""Every real excerpt in ../shared/realdocs loads, with the cover values index.json gives.

The excerpts come from other bodies, in the layouts text-extraction sites serve (one cell per
line, a page on one line, host-page lines, letter-spaced text, layout order). Values compare
without white space (a converter's spaces are layout, not text).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO

from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.loaders.documents.cover import template_version
from pia_kg.text.wareki import wareki_to_date
from pia_kg.text.widths import compact
from pia_kg.vocab import DCTERMS, PIA, RDF, RDFS

REALDOCS = REPO.parent / "shared" / "realdocs"
INDEX = json.loads((REALDOCS / "index.json").read_text(encoding="utf-8")) if REALDOCS.exists() else []
LEVEL = {"基礎項目評価書": "BasicLevel", "重点項目評価書": "FocusedLevel", "全項目評価書": "FullLevel"}
FIELDS = ("organization", "title", "assessment_number", "level", "published", "form")

pytestmark = pytest.mark.skipif(not INDEX, reason="../shared/realdocs not present")


def _read(path: Path) -> dict[str, str | None]:
    doc = load_assessment(path)
    g = doc.graph
    a = next(g.subjects(RDF.type, PIA.Assessment))
    org = g.value(a, PIA.assessingOrganization)
    issued = g.value(a, DCTERMS.issued)
    level = g.value(a, PIA.level)
    return {
        "organization": str(g.value(org, RDFS.label)) if org else None,
        "title": str(g.value(a, DCTERMS.title) or "") or None,
        "assessment_number": str(g.value(a, PIA.assessmentNumber) or "") or None,
        "level": str(level).rsplit("#", 1)[-1] if level else None,
        "published": str(issued) if issued else None,
        "form": str(g.value(a, PIA.templateVersion) or "") or None,
        "parts": sorted(str(p) for p in g.objects(a, PIA.partFound)),
        "office_name": str(g.value(a, PIA.taskName) or "") or None,
    }


def _expected(entry: dict) -> dict[str, str | None]:
    published = wareki_to_date(entry["published"]) if entry["published"] else None
    return {
        "organization": entry["organization"],
        "title": entry["title"],
        "assessment_number": entry["assessment_number"],
        "level": LEVEL[entry["level"]],
        "published": published.isoformat() if published else None,
        "form": template_version(entry["form"]) if entry["form"] else None,
    }


def _same(a: str | None, b: str | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and compact(a) == compact(b))


@pytest.mark.parametrize("entry", INDEX, ids=[e["file"] for e in INDEX])
def test_realdoc_cover(entry):
    got = _read(REALDOCS / entry["file"])
    want = _expected(entry)
    wrong = {f: (got[f], want[f]) for f in FIELDS if not _same(got[f], want[f])}
    assert wrong == {}
    assert "cover" in got["parts"]
    if entry.get("office_name"):  # the excerpt reaches section I: ①事務の名称 is read
        assert {"basic_info", "related_info"} & set(got["parts"])
        assert _same(got["office_name"], entry["office_name"])


def test_realdoc_accuracy_per_field(capsys):
    """Per-field accuracy over all excerpts (printed; every field must be right)."""
    right = dict.fromkeys(FIELDS, 0)
    for entry in INDEX:
        got, want = _read(REALDOCS / entry["file"]), _expected(entry)
        for f in FIELDS:
            right[f] += _same(got[f], want[f])
    with capsys.disabled():
        print("\nrealdocs cover accuracy:", {f: f"{n}/{len(INDEX)}" for f, n in right.items()})
    assert right == dict.fromkeys(FIELDS, len(INDEX))


# The same excerpts in the other layouts converters produce: the reader must not depend on
# the layout each excerpt happens to come in.
VARIANTS = {
    "page_on_one_line": lambda s: " ".join(ln.strip() for ln in s.split("\n") if ln.strip()),
    "letter_spaced": lambda s: "\n".join(" ".join(ln) if len(ln) < 200 else ln for ln in s.split("\n")),
    "host_page_lines": lambda s: "Sign in\nby user\n12\nviews\nReport\nComments\nTranscript\n" + s,
    "crlf": lambda s: s.replace("\n", "\r\n"),
    "kangxi_radicals": lambda s: s.replace("一", "\u2f00").replace("人", "\u2f08"),
    "full_width_digits": lambda s: s.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_realdocs_in_other_layouts(tmp_path, variant, capsys):
    """Every excerpt loads in every layout, with at least 95% of cover fields right."""
    right = total = 0
    wrong = []
    for entry in INDEX:
        p = tmp_path / entry["file"]
        p.write_text(VARIANTS[variant]((REALDOCS / entry["file"]).read_text(encoding="utf-8")), encoding="utf-8")
        got, want = _read(p), _expected(entry)
        for f in FIELDS:
            total += 1
            if _same(got[f], want[f]):
                right += 1
            else:
                wrong.append((entry["file"], f, got[f], want[f]))
    with capsys.disabled():
        print(f"\n{variant}: {right}/{total} cover fields right", wrong or "")
    assert right >= 0.95 * total, wrong


def test_realdoc_graphs_conform_to_the_shapes():
    """The partial graphs of the excerpts still satisfy ontology/shapes.ttl."""
    from rdflib import Graph

    from pia_kg.ontology import ontology_graph, validate

    g = Graph()
    for entry in INDEX:
        g += load_assessment(REALDOCS / entry["file"]).graph
    g += ontology_graph()  # the level individuals' labels
    conforms, report = validate(g)
    assert conforms, report


def test_long_host_page_naming_a_committee_is_no_committee_material(tmp_path):
    """Fifty host-page lines naming a 教育委員会 before the cover: still the assessment itself,
    not material around a draft."""
    host = "\n".join(f"関連資料 {k} 兵庫県教育委員会" for k in range(50))
    p = tmp_path / "015.txt"
    p.write_text(host + "\n" + (REALDOCS / "015.txt").read_text(encoding="utf-8"), encoding="utf-8")
    doc = load_assessment(p)
    a = next(doc.graph.subjects(RDF.type, PIA.Assessment))
    assert doc.kind == "AssessmentDocument"
    assert doc.graph.value(a, PIA.isDraft).toPython() is False
