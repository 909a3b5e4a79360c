"""Which parts of the form a document holds, and whether its text ends before the form does.

A heading counts where it starts a part, not where the 項目一覧 (table of contents) lists it:
a heading next to another heading or to the 項目一覧 row is part of that listing (layout order
may print some of the listing before the 項目一覧 row itself), unless the run already listed it.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Literal

from pia_kg.loaders.documents.assessment_context import AssessmentContext
from pia_kg.loaders.documents.cover import Cover
from pia_kg.loaders.documents.form import Form
from pia_kg.loaders.documents.skeleton import SKELETONS, part_of_heading
from pia_kg.loaders.documents.source import clean_cell
from pia_kg.loaders.documents.terms import PIA
from pia_kg.vocab import XSD

__all__ = ["parts_found", "record_parts"]


def parts_found(form: Form, level: str, start: int = 1) -> dict[str, int]:
    """Part key -> the line its heading starts, for every part of ``level`` found after ``start``.

    A heading next to another heading (or to 項目一覧) is an entry of the listing, unless the
    same part was already listed in that run of headings: then the part itself starts there.
    """
    rows = form.rows[form.index_of_line(start) :]
    kinds = [_kind(clean_cell(r.cells[0].text), level) if len(r.cells[0].text) < 120 else None for r in rows]
    found: dict[str, int] = {}
    listed: set[str] = set()
    for k, part in enumerate(kinds):
        if part is None:
            listed = set()
            continue
        if part == "contents":
            continue
        neighbours = kinds[max(0, k - 1) : k] + kinds[k + 1 : k + 2]
        if any(n is not None for n in neighbours) and part not in listed:
            listed.add(part)
            continue
        found.setdefault(part, rows[k].line)
    return found


@lru_cache(maxsize=1 << 14)  # the rows of a form repeat; this is asked of every one
def _kind(text: str, level: str) -> str | None:
    """``contents`` for the 項目一覧 row, the part key for a part heading, else None."""
    if text.replace(" ", "") == "項目一覧":
        return "contents"
    part = part_of_heading(text, level)
    return part.key if part else None


def record_parts(form: Form, ctx: AssessmentContext, cover: Cover) -> dict[str, int]:
    """Write ``pia:partFound`` for the cover and every part found, and ``pia:endsEarly``;
    warn, with the last line, when the text stops before the form's last required part."""
    dg, a = ctx.dg, ctx.assessment
    if cover.level is None:
        dg.warn("the level (基礎項目/重点項目/全項目) cannot be told; parts not checked", cover.title_line)
        return {}
    found = parts_found(form, cover.level, cover.start)
    if "related_info" not in found and "basic_info" not in found and form.first("task_name", cover.start):
        first_i = SKELETONS[cover.level].parts[0].key
        found[first_i] = form.first("task_name", cover.start).line  # type: ignore[union-attr]
    if cover.title or cover.number or cover.organization:
        dg.add(a, PIA.partFound, "cover")
    for key in found:
        dg.add(a, PIA.partFound, key)
    skeleton = SKELETONS[cover.level]
    ends_early = skeleton.last_required not in found
    dg.add(a, PIA.endsEarly, Literal(ends_early, datatype=XSD.boolean))
    if ends_early:
        missing = [p.title for p in skeleton.parts if p.key not in found]
        last = len(form.src.lines)
        dg.warn(
            f"the text ends early (truncated or an excerpt): it stops at line {last} before "
            f"{skeleton.part(skeleton.last_required).title}; parts not found: {'、'.join(missing)}",
            last,
        )
    return found
