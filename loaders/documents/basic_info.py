"""Section I 基本情報 of an assessment, and where sections I and II begin and end.

Section boundaries are found from the template's labels rather than from headings alone,
because layout-order text may print a section's items before its heading: I runs from the
first 事務の名称 to the first item that only section II has; each file's part of II starts at
its ``特定個人情報ファイルの概要`` heading; II ends where section III repeats the file names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from pia_kg.loaders.documents.assessment_context import AssessmentContext
from pia_kg.loaders.documents.citations import add_citations, add_free_text_citations
from pia_kg.loaders.documents.form import Form, Occurrence, Value, band_value, boxes_in
from pia_kg.loaders.documents.layout import Layout
from pia_kg.loaders.documents.source import clean_cell
from pia_kg.loaders.documents.template import CONNECTION_OPTIONS, match_label
from pia_kg.loaders.documents.terms import PIA
from pia_kg.text.widths import compact, nfkc

__all__ = ["Sections", "find_sections", "find_later_sections", "extract_basic_info", "split_file_names"]

_II_ONLY = ("subject_count", "record_item_band", "handling_department", "acquisition_source")
_III_HEADING = re.compile(
    r"^\s*(?:III|Ⅲ)[\s\u3000]*(?:特定個人情報ファイルの取扱いプロセスにおける)?リスク対策"
)


@dataclass(frozen=True)
class _Row:
    row: int


@dataclass(frozen=True)
class Sections:
    """Line ranges (inclusive): section I and one range per file part of section II."""

    i_start: int
    i_end: int
    parts: tuple[tuple[int, int], ...]


def find_sections(form: Form, start: int) -> Sections | None:
    """The ranges of I and of each file's part of II; None when no 事務の名称 is found."""
    task = form.first("task_name", start)
    if task is None:
        return None
    return _sections_from(form, form.rows[max(0, task.row - 3)].line, task.row)


def find_later_sections(form: Form, start: int) -> Sections | None:
    """The file parts of section II in a file without section I (a later part of a split
    document); None when it holds no ``特定個人情報ファイルの概要`` heading either."""
    if form.first("file_overview", start) is None:
        return None
    return _sections_from(form, start, -1)


def _sections_from(form: Form, i_start: int, task_row: int) -> Sections:
    task = _Row(task_row)
    # A heading is the first cell of its row; the same words inside a change record are not.
    # On a page joined into one line, the 項目一覧 shares the 事務の名称's line: only what
    # comes after it (by row) can start section II.
    headings = [o for o in form.find("file_overview", i_start) if o.cell == 0 and o.row > task.row]
    ii_items = [o.line for k in _II_ONLY for o in form.find(k, i_start) if o.row > task.row]
    candidates = [h.line for h in headings[:1]] + ([min(ii_items)] if ii_items else [])
    first_ii = min(candidates) if candidates else len(form.src.lines) + 1
    i_end = first_ii - 1
    starts = [i_end + 1] + [h.line for h in headings[1:]]
    last_heading = headings[-1].line if headings else i_end + 1
    end = _section_iii_start(form, last_heading, headings) - 1
    parts = []
    for k, s in enumerate(starts):
        e = starts[k + 1] - 1 if k + 1 < len(starts) else end
        parts.append((s, e))
    return Sections(i_start, i_end, tuple(parts))


def _section_iii_start(form: Form, after: int, headings) -> int:
    """First line of section III: its heading, or a file name block no II heading precedes."""
    heading_rows = {h.row for h in headings}
    for o in form.find("file_names", after + 1):
        if o.cell == 0 and not any(o.row - r in (1, 2, 3) for r in heading_rows):
            return o.line
    for r in form.rows[form.index_of_line(after + 1) :]:
        if _III_HEADING.match(nfkc(r.cells[0].text)):
            return r.line
    return len(form.src.lines) + 1


def split_file_names(text: str) -> list[str]:
    """``- (1) 住民基本台帳ファイル - (2) 本人確認情報ファイル`` → the two names."""
    t = nfkc(text)
    parts = re.split(r"(?:^|\s|-)\s*[(（]\d+[)）]\s*|\n", t)
    names = [p.strip(" -\t") for p in parts]
    return [n for n in names if n and "ファイル" in n]


def extract_basic_info(form: Form, ctx: AssessmentContext, sec: Sections) -> list[str]:
    """Write section I facts onto the assessment; return the file names section I lists."""
    dg, a = ctx.dg, ctx.assessment
    lo, hi = sec.i_start, sec.i_end

    def one(key: str, *, long: bool = False) -> Value | None:
        occ = form.first(key, lo, hi)
        if occ is None:
            dg.warn(f"section I has no {key} label ({_JA.get(key, key)})", lo)
            return None
        v = form.value(occ, long=long)
        if v is None:
            dg.warn(f"{_JA.get(key, key)} is blank or its value could not be placed", occ.line)
        return v

    task = form.first("task_name", lo, hi)
    if form.layout is Layout.PLAIN and task is not None:
        name = task_name(form, task)
        if name is None:
            dg.warn("①事務の名称 is blank or its value could not be placed", task.line)
        dg.add(a, PIA.taskName, name)
    elif (v := one("task_name")) is not None:
        dg.add(a, PIA.taskName, v.text)
    if (v := one("task_description", long=True)) is not None:
        dg.add(a, PIA.taskDescription, v.text)
        for c in add_free_text_citations(dg, "task-description", v.text, v.start, v.end):
            dg.add(a, PIA.freeTextCitation, c)
    if (v := one("subject_count_band")) is not None:
        dg.add(a, PIA.subjectCountBand, band_value(v.raw))
    if ctx.level != "BasicLevel":  # 様式2 lists its systems in one cell: see basic_level
        _systems(form, ctx, lo, hi)
    names: list[str] = []
    if (v := one("file_names", long=True)) is not None:
        names = split_file_names(v.raw if form.layout is Layout.PLAIN else v.text)
    if (v := one("number_use_basis", long=True)) is not None:
        dg.add(a, PIA.numberUseBasisText, v.text)
        for c in add_citations(dg, "number-use", v.text, v.start, v.end):
            dg.add(a, PIA.numberUseBasis, c)
    if (v := one("linkage_done")) is not None:
        dg.add(a, PIA.networkLinkage, band_value(v.raw))
    linkage = form.first("linkage_basis", lo, hi)
    if linkage is not None and (v := form.value(linkage, long=True)) is not None:
        dg.add(a, PIA.networkLinkageBasisText, v.text)
        for c in add_citations(dg, "linkage", v.text, v.start, v.end):
            dg.add(a, PIA.networkLinkageBasis, c)
    if (v := one("department")) is not None:
        unit = ctx.unit(v.text, v.start)
        if unit is not None:
            dg.add(a, PIA.responsibleDepartment, unit)
    if (v := one("department_head")) is not None:
        dg.add(a, PIA.departmentHead, compact(v.text))
    return names


def task_name(form: Form, occ: Occurrence) -> str | None:
    """①事務の名称 in plain text: one line, the label's rest or the row after it.

    Layout order prints a column of labels (①事務の名称 ②事務の概要 ③システムの名称) before
    their values: the first value after that column is the name. A page joined on one line
    runs the name on into the description; a name is cut before the first sentence.
    """
    text = occ.match.rest
    k = occ.row + 1
    while not text and k < len(form.rows) and k - occ.row <= 6:
        cell = form.rows[k].cells[0].text
        if match_label(cell) is None:
            text = cell
        k += 1
    name = clean_cell(text)
    head, _, tail = name.partition(" ")
    if tail and len(tail) > 20 and re.search(r"[、。]", tail):
        name = head
    return name or None


def _systems(form: Form, ctx: AssessmentContext, lo: int, hi: int) -> None:
    """Every システムN: name, function text, and (tabbed layouts) the checked connections."""
    dg = ctx.dg
    names = form.find("system_name", lo, hi)
    if not names:
        dg.warn("section I names no システム (①システムの名称)", lo)
        return
    headings = form.find("system_heading", lo, hi)
    used: set[int] = set()
    for i, occ in enumerate(names):
        order = None
        for h in reversed(headings):
            if h.row < occ.row and occ.row - h.row <= 4 and h.match.item not in used:
                order = h.match.item
                break
        if order is None:
            order = next(n for n in range(1, 1000) if n not in used)
        used.add(order)
        v = form.value(occ)
        if v is None:
            dg.warn(
                f"システム{order}: ①システムの名称 is blank or its value could not be placed",
                occ.line,
            )
            continue
        nxt = names[i + 1].line - 1 if i + 1 < len(names) else hi
        # A name is one line; a ※ note wrapped under it is not part of the name.
        name = clean_cell(v.raw.split("\n")[0])
        node = dg.fact("system", str(order), PIA.System, occ.line, v.start)
        dg.label(node, name)
        dg.add(node, PIA.order, order)
        dg.add(ctx.assessment, PIA.system, node)
        fn = form.first("system_function", occ.line, nxt)
        if fn is not None and (fv := form.value(fn, long=True, max_rows=_rows_before_boxes(form, fn))) is not None:
            dg.add(node, PIA.functionText, fv.text)
            _extend(dg, node, fv.end)
        else:
            dg.warn(
                f"システム{order}: ②システムの機能 not found next to its label",
                fn.line if fn else occ.line,
            )
        _connections(form, ctx, node, order, occ.line, nxt)


def _rows_before_boxes(form: Form, occ) -> int:
    """Rows of a long value before a checkbox fragment ("[ ○ ] その他", "] 税務システム"):
    layout order prints the next item's boxes right under the text."""
    rows = form.rows[occ.row + 1 : occ.row + 61]
    for n, row in enumerate(rows):
        if re.match(r"^\s*[\[\]]", row.text):
            return n
    return len(rows)


def _connections(
    form: Form, ctx: AssessmentContext, node: URIRef, order: int, lo: int, hi: int
) -> None:
    dg = ctx.dg
    conns = form.find("system_connection", lo, hi)
    if not conns:
        if form.layout is Layout.PLAIN:
            # Layout order may print the label away from its system (004: before section I).
            dg.warn(f"システム{order}: 他のシステムとの接続 not printed beside the system; not extracted", lo)
        return
    if form.layout is Layout.PLAIN:
        # Layout-order text scatters a box's "[" and its "○ ]" and label over several lines and
        # mixes systems; reading them would invent connections.
        dg.warn(
            f"システム{order}: 他のシステムとの接続 checkboxes are scattered by the layout; not extracted",
            conns[0].line,
        )
        return
    seen: dict[str, bool] = {}
    end = conns[0].line
    for c in conns:
        v = form.value(c, long=True, max_rows=12)
        if v is None:
            continue
        end = max(end, v.end)
        for label, checked in boxes_in(v.raw):
            if not any(label.startswith(opt) for opt in CONNECTION_OPTIONS):
                continue
            seen[label] = seen.get(label, False) or checked
    for label, checked in seen.items():
        if checked:
            dg.add(node, PIA.connectedSystem, label)
    _extend(dg, node, end)


def _extend(dg, node: URIRef, end: int) -> None:
    """Widen a fact's provenance to cover a value that ends further down."""
    start = int(dg.graph.value(node, PIA.lineStart))
    if end > int(dg.graph.value(node, PIA.lineEnd)):
        dg.provenance(node, start, end)


_JA = {
    "task_name": "①事務の名称",
    "task_description": "②事務の内容",
    "subject_count_band": "③対象人数",
    "file_names": "特定個人情報ファイル名",
    "number_use_basis": "個人番号の利用 法令上の根拠",
    "linkage_done": "情報連携 ①実施の有無",
    "department": "担当部署 ①部署",
    "department_head": "②所属長(の役職名)",
}
