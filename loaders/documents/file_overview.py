"""Section II 特定個人情報ファイルの概要, once per file: basic facts, 入手・使用 and 委託.

Inside one file's part, the n-th ``委託先名`` (or 委託内容, 再委託の有無 …) belongs to 委託事項n.
Pairing by order rather than by position keeps layout-order text right, where a 委託事項's
heading may come after some of its items.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from pia_kg.loaders.documents.assessment_context import AssessmentContext, FileRef
from pia_kg.loaders.documents.basic_info import Sections, split_file_names
from pia_kg.loaders.documents.form import (
    Form,
    Occurrence,
    Value,
    band_value,
    boxes_in,
    bracket_band,
)
from pia_kg.loaders.documents.layout import Layout
from pia_kg.loaders.documents.source import clean_cell
from pia_kg.loaders.documents.template import SOURCE_OPTIONS
from pia_kg.loaders.documents.terms import PIA
from pia_kg.text.widths import compact, nfkc
from pia_kg.vocab import DCTERMS, ORG, RDF, body_iri

__all__ = ["extract_files"]

_UNIQUE_SOURCES = tuple(o for o in SOURCE_OPTIONS if o != "その他")
_WITHHELD = {"非公開", "-", "―", "—", "－"}


def extract_files(form: Form, ctx: AssessmentContext, sec: Sections, names: list[str]) -> None:
    """One PersonalInformationFile per part of II, named as section I lists them."""
    dg = ctx.dg
    if names and len(names) != len(sec.parts):
        dg.warn(
            f"section I lists {len(names)} 特定個人情報ファイル but section II has {len(sec.parts)} parts",
            sec.parts[0][0] if sec.parts else sec.i_end,
        )
    picker = _Picker(form, sec)
    for k, (lo, hi) in enumerate(sec.parts, start=1):
        heading = form.first("file_names", lo, hi)
        part_name = None
        if heading is not None and (v := form.value(heading)) is not None:
            found = split_file_names(v.text) or [re.sub(r"^[(（]\d+[)）]\s*", "", nfkc(v.text))]
            part_name = found[0]
        name = names[k - 1] if k - 1 < len(names) else part_name
        if name is None:
            dg.warn(f"file {k}: no 特定個人情報ファイル名", lo)
            continue
        if part_name and compact(part_name) != compact(name):
            dg.warn(
                f"file {k}: section II calls it {part_name!r}, section I {name!r}",
                heading.line if heading else lo,
            )
        line = heading.line if heading else lo
        node = dg.fact("file", str(k), PIA.PersonalInformationFile, line, hi)
        dg.label(node, name)
        dg.add(node, PIA.order, k)
        dg.add(ctx.assessment, PIA.file, node)
        ctx.files[k] = FileRef(k, node, name, line)
        _basics(form, ctx, node, k, lo, hi, picker)
        _outsourcing(form, ctx, node, k, lo, hi)


class _Picker:
    """Which occurrence of an item label belongs to file k.

    When section II holds exactly one occurrence per file, the k-th is file k's, wherever the
    layout put it (layout-order text prints some items of file k just before its heading);
    otherwise the first one inside file k's part is taken.
    """

    def __init__(self, form: Form, sec: Sections):
        self.form = form
        self.n = len(sec.parts)
        self.lo, self.hi = sec.parts[0][0], sec.parts[-1][1]

    def occ(self, key: str, k: int, lo: int, hi: int) -> Occurrence | None:
        every = self.form.find(key, self.lo, self.hi)
        if len(every) == self.n:
            return every[k - 1]
        return self.form.first(key, lo, hi)


def _value(form: Form, occ: Occurrence | None) -> tuple[Occurrence | None, Value | None]:
    return occ, (form.value(occ) if occ is not None else None)


def _band(form: Form, occ: Occurrence | None, unit: str, lo: int) -> tuple[str | None, int]:
    """A choice band: next to its label, or (layout order) the first bracketed band below."""
    occ, v = _value(form, occ)
    if occ is None:
        return None, lo
    if v is not None:
        b = band_value(v.raw)
        if b and re.search(rf"\d{unit}", b):
            return b, v.start
    start = occ.row
    for r in form.rows[start : start + 12]:
        b = bracket_band(r.text, unit)
        if b:
            return b, r.line
    return None, occ.line


def _basics(
    form: Form, ctx: AssessmentContext, node: URIRef, k: int, lo: int, hi: int, picker: _Picker
) -> None:
    dg = ctx.dg
    for key, prop, unit, ja in (
        ("subject_count", PIA.subjectCount, "万?人", "②対象となる本人の数"),
        ("record_item_band", PIA.recordItemBand, "項目", "④記録される項目"),
        ("user_count", PIA.userCount, "人", "使用者数"),
    ):
        band, line = _band(form, picker.occ(key, k, lo, hi), unit, lo)
        if band:
            dg.add(node, prop, band)
        else:
            dg.warn(f"file {k}: {ja} not found or not a band", line)
    for key, prop, ja in (
        ("handling_department", PIA.handlingDepartment, "⑥事務担当部署"),
        ("using_department", PIA.usingDepartment, "使用部署"),
    ):
        occ, v = _value(form, picker.occ(key, k, lo, hi))
        if v is None:
            dg.warn(f"file {k}: {ja} not found or blank", occ.line if occ else lo)
            continue
        for unit in ctx.units(v.text, v.start):
            dg.add(node, prop, unit)
    _sources(form, ctx, node, k, picker.occ("acquisition_source", k, lo, hi), lo)


def _sources(
    form: Form, ctx: AssessmentContext, node: URIRef, k: int, occ: Occurrence | None, lo: int
) -> None:
    """Checked 入手元 boxes. In PLAIN layouts only boxes whose label is one of 入手元's own
    options are trusted, since その他 boxes of neighbouring items share the lines."""
    dg = ctx.dg
    if occ is None:
        dg.warn(f"file {k}: ①入手元 not found", lo)
        return
    if form.layout is Layout.TABBED:
        v = form.value(occ, long=True, max_rows=8)
        boxes = boxes_in(v.raw) if v else []
    else:
        # Before the label only 入手元's own options are trusted; after it, every 入手元
        # option (その他 too) up to the first line of the next item's boxes.
        before = form.rows[max(0, occ.row - 6) : occ.row]
        boxes = [b for r in before for b in boxes_in(r.text) if b[0].startswith(_UNIQUE_SOURCES)]
        for r in form.rows[occ.row + 1 : occ.row + 20]:
            found = boxes_in(r.text)
            if r.text.lstrip().startswith("]") or any(
                not b[0].startswith(SOURCE_OPTIONS) for b in found
            ):
                break
            boxes.extend(found)
    checked = [label for label, on in boxes if on]
    if not boxes:
        dg.warn(f"file {k}: ①入手元 checkboxes could not be read", occ.line)
    elif not checked:
        # Some converters drop every tick; an option whose (…) detail is filled in was chosen.
        checked = [label for label, _ in boxes if re.search(r"\(.+\)", label)]
        dg.warn(
            f"file {k}: no ①入手元 box is ticked; options with details taken as chosen", occ.line
        )
    for label in dict.fromkeys(checked):
        dg.add(node, PIA.acquisitionSource, label)


def _outsourcing(
    form: Form, ctx: AssessmentContext, file_node: URIRef, k: int, lo: int, hi: int
) -> None:
    """Every 委託事項N of this file, its items paired by order of appearance."""
    dg = ctx.dg
    items = [o for o in form.find("outsourcing_item", lo, hi)]
    if not items:
        return
    # From the part's start: layout-order text prints a 委託事項's items before its heading.
    start = lo
    end_occ = form.first("provision_any", start, hi)
    end = end_occ.line - 1 if end_occ else hi
    numbers = sorted({o.match.item for o in items if o.match.item})
    heads = {n: next(o for o in items if o.match.item == n) for n in numbers}
    keys = ("outsourcing_content", "contractor", "reoutsourcing", "reoutsourcing_content")
    by_key = {key: form.find(key, start, end) for key in keys}
    positional = form.layout is Layout.TABBED or any(
        len(v) != len(numbers) for v in by_key.values()
    )
    if positional:
        # Items in reading order: each belongs to the 委託事項 heading above it. Layout-order
        # text whose counts do not match is read this way too, with a warning.
        bounds = [heads[n].line for n in numbers] + [end + 1]
        by_item = {
            key: [
                next((o for o in occs if bounds[i] <= o.line < bounds[i + 1]), None)
                for i in range(len(numbers))
            ]
            for key, occs in by_key.items()
        }
        if form.layout is Layout.PLAIN:
            dg.warn(f"file {k}: 委託事項 items do not pair one to one; read by position", start)
    else:
        by_item = {key: list(occs) for key, occs in by_key.items()}
    for key, occs in by_item.items():
        for n, o in zip(numbers, occs, strict=False):
            if o is None:
                dg.warn(f"file {k}: 委託事項{n} has no {_OUT_JA[key]}", heads[n].line)
    untitled: list[tuple[int, URIRef, int]] = []
    for idx, n in enumerate(numbers):
        head = heads[n]
        title_v = form.value(head)
        node = dg.fact("outsourcing", (str(k), str(n)), PIA.Outsourcing, head.line, head.line)
        dg.add(node, PIA.order, n)
        dg.add(file_node, PIA.outsourcing, node)
        last = head.line
        if title_v is not None and not title_v.raw.strip().startswith(("①", "[")):
            dg.add(node, DCTERMS.title, clean_cell(title_v.raw))
        else:
            untitled.append((n, node, head.line))
        first = head.line
        for key, occs in by_item.items():
            occ = occs[idx] if idx < len(occs) else None
            if occ is None:
                continue
            v = form.value(occ, long=key in ("outsourcing_content", "reoutsourcing_content"))
            if v is None:
                if key == "reoutsourcing":
                    v = _bracket_choice(form, occ)
                if v is None:
                    continue
            first, last = min(first, v.start), max(last, v.end)
            _set(ctx, node, key, v)
        dg.provenance(node, first, last)
    lone = None
    if len(untitled) == 1 and form.layout is Layout.PLAIN:
        # Search only where the 委託事項 items are printed, not the whole part.
        first_item = min([o.line for occs in by_key.values() for o in occs] + [h.line for h in heads.values()])
        lone = _lone_line(form, first_item, end)
    for n, node, line in untitled:
        if lone is not None:
            # Layout order printed the one missing title away from its heading.
            dg.add(node, DCTERMS.title, lone[1])
            dg.warn(f"file {k}: 委託事項{n}'s title is printed apart, at line {lone[0]}", line)
        else:
            dg.warn(f"file {k}: 委託事項{n} has no title next to its heading", line)


def _lone_line(form: Form, lo: int, hi: int) -> tuple[int, str] | None:
    """The one line of the part that stands alone and belongs to no label: a title printed apart.

    A line between blank lines, short, not a sentence (。), not a box, choice or bullet, and
    neither a label nor inside any label's value. None unless exactly one line is such.
    """
    taken: set[int] = set()
    for occ in form.occurrences:
        if lo <= occ.line <= hi:
            taken.add(occ.line)
            v = form.value(occ)
            if v is not None:
                taken.update(range(v.start, v.end + 1))
    lines = form.src.lines
    found = []
    for number in range(max(lo, 2), min(hi, len(lines) - 1) + 1):
        text = nfkc(lines[number - 1]).strip()
        if not text or number in taken or lines[number - 2].strip() or lines[number].strip():
            continue
        if 6 <= len(text) <= 60 and not text.endswith("。") and not re.match(r"^[\[\]・※<>()「0-9]", text):
            found.append((number, clean_cell(lines[number - 1])))
    return found[0] if len(found) == 1 else None


_OUT_JA = {
    "outsourcing_content": "①委託内容",
    "contractor": "委託先名",
    "reoutsourcing": "再委託の有無",
    "reoutsourcing_content": "再委託事項",
}


def _bracket_choice(form: Form, occ: Occurrence) -> Value | None:
    """``[ 再委託する`` a few lines below its label (layout-order text)."""
    for r in form.rows[occ.row : occ.row + 10]:
        m = re.search(r"\[\s*(再委託する|再委託しない)", r.text)
        if m:
            return Value(m.group(0), r.line, r.line)
    return None


def _set(ctx: AssessmentContext, node: URIRef, key: str, v: Value) -> None:
    dg = ctx.dg
    if key == "outsourcing_content":
        dg.add(node, PIA.content, _without_choices(v.text))
    elif key == "contractor":
        name = compact(v.text) if len(v.text) < 60 else v.text
        dg.add(node, PIA.contractorName, v.text)
        if name not in _WITHHELD:
            org = body_iri(name)
            dg.graph.add((org, RDF.type, PIA.Contractor))
            dg.graph.add((org, RDF.type, ORG.Organization))
            dg.label(org, v.text)
            dg.add(node, PIA.contractor, org)
    elif key == "reoutsourcing":
        choice = band_value(v.raw) or ""
        if "しない" in choice:
            dg.add(node, PIA.reoutsourcing, False)
        elif "する" in choice:
            dg.add(node, PIA.reoutsourcing, True)
    elif key == "reoutsourcing_content":
        dg.add(node, PIA.reoutsourcingContent, _without_choices(v.text))


def _without_choices(text: str) -> str:
    """A text value without the choice list of a neighbouring item that layout order glued on
    (``… 再委託している。] 1) 再委託する 2) 再委託しない``)."""
    return re.sub(r"\s*\]?\s*(?:<選択肢>)?\s*1\)\s*\S+\s*2\)\s*\S+\s*$", "", text).strip(" ]")
