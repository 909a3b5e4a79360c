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
    if entry.get("office_name"):  # the excerpt reaches section I
        assert {"basic_info", "related_info"} & set(got["parts"])


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
