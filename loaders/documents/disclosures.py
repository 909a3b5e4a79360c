"""提供先 and 移転先 of each file (II 5.) and the 別紙 rows they point to, as graph facts.

Each file of section II has a part "5. 特定個人情報の提供・移転" with entries 提供先1..N and
移転先1..N (法令上の根拠, 用途, 提供する情報, 方法 …). An entry may describe its recipients
itself (都道府県知事等, 市民課) or point to a 別紙 that lists them, one row per recipient
or department with the law table item that allows it.

How fields are paired with entries: in reading-order text every field follows its entry's
heading; in layout-order text (labels and values far apart, headings gathered at the end
of a page) they do not, but the template still prints each field once per entry, in entry
order. So the k-th 用途 label of 提供先 belongs to the k-th provision, and the k-th
①法令上の根拠 / ⑦時期・頻度 to the k-th entry in the order their 用途 labels appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from pia_kg.loaders.documents.annex_tables import (
    AnnexTable,
    find_annex_tables,
    join_wrapped,
    split_departments,
)
from pia_kg.loaders.documents.assessment_context import AssessmentContext, FileRef
from pia_kg.loaders.documents.builder import DocumentGraph, integer_literal
from pia_kg.loaders.documents.citations import add_citations
from pia_kg.loaders.documents.form import Form, Occurrence
from pia_kg.loaders.documents.layout import Layout
from pia_kg.loaders.documents.source import SourceText, clean_cell
from pia_kg.loaders.documents.template import (
    CHOICE_MARKER,
    METHOD_OPTIONS,
    NUMBERED_HEADING,
    match_label,
)
from pia_kg.loaders.documents.terms import DPV, PIA
from pia_kg.text.citation import article_as_written, law_abbreviations
from pia_kg.text.form_marks import checkboxes
from pia_kg.text.widths import compact, fold_spaces, nfkc
from pia_kg.vocab import ORG, RDF, RDFS, XSD, body_iri

__all__ = ["Entry", "disclosure_regions", "read_entries", "declared_counts", "extract_disclosures"]

_KINDS = ("provision", "transfer")
_HEADING = {"provision": "provision_heading", "transfer": "transfer_heading"}
_PURPOSE = {"provision": "provision_purpose", "transfer": "transfer_purpose"}
_INFO = {"provision": "provided_information", "transfer": "transferred_information"}
_METHOD = {"provision": "provision_method", "transfer": "transfer_method"}
_CLASS = {"provision": PIA.Provision, "transfer": PIA.Transfer}
_LINK = {"provision": PIA.provision, "transfer": PIA.transfer}
# Checkboxes of the 提供・移転の有無 row, which are not methods.
_NOT_METHOD = re.compile(r"行っている|行っていない|提供・移転しない|委託")
_ANNEX_REF = re.compile(r"別紙\s*(\d+)")
_METHOD_REACH = 25  # lines below a 方法 label where its boxes may be printed in layout order


@dataclass
class Entry:
    """One 提供先N or 移転先N as read: texts as written (cleaned), lines they came from."""

    kind: str
    index: int  # 1-based among entries of its kind in the region
    number: int | None  # N of 提供先N when its heading was found
    name: str = ""
    basis: str = ""
    purpose: str = ""
    information: str = ""
    timing: str = ""
    methods: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    basis_lines: tuple[int, int] | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def start(self) -> int:
        return min(self.lines)

    @property
    def end(self) -> int:
        return max(self.lines)

    @property
    def is_blank(self) -> bool:
        return not (self.name or self.basis or self.purpose)

    @property
    def annexes(self) -> set[str]:
        """The 別紙 this entry points to ("別紙1参照")."""
        text = nfkc(" ".join((self.name, self.basis, self.purpose)))
        return {f"別紙{m}" for m in _ANNEX_REF.findall(text)}


def disclosure_regions(form: Form) -> list[tuple[int, int]]:
    """(first line, last line) of each file's II 4.–5. part, in file order.

    A part starts at the file's "4. 特定個人情報ファイルの取扱いの委託" heading (in
    layout-order text the 提供・移転 fields may come before their own "5." heading), or at
    "5." when there is no 4.; it ends at "6. 特定個人情報の保管・消去", at the next file's
    4., or at the next section heading (II/III). Section III repeats the 4. heading with a
    "[ ] 委託しない" box beside it, which is how the two are told apart.
    """
    regions: list[tuple[int, int]] = []
    open_at: int | None = None
    for row in form.rows:
        first = nfkc(row.cells[0].text)
        if _SECTION.match(first):
            if open_at is not None:
                regions.append((open_at, row.line - 1))
            open_at = None
            continue
        heading = NUMBERED_HEADING.match(first)
        if heading is None:
            continue
        title = compact(heading["title"])
        n = int(heading["n"])
        if n == 4 and re.sub(r"^\d+[.．]", "", compact(nfkc(row.text))) == "特定個人情報ファイルの取扱いの委託":
            if open_at is not None:
                regions.append((open_at, row.line - 1))
            open_at = row.line
        elif n == 5 and title.startswith("特定個人情報の提供・移転(委託に伴う"):
            if open_at is None:
                open_at = row.line
        elif n == 6 and title.startswith("特定個人情報の保管・消去") and open_at is not None:
            regions.append((open_at, row.line - 1))
            open_at = None
    if open_at is not None:
        regions.append((open_at, form.rows[-1].line))
    return regions


_SECTION = re.compile(r"^\s*(?:II|III|IV)\s*特定個人情報ファイルの")


def declared_counts(src: SourceText, region: tuple[int, int]) -> dict[str, int | None]:
    """What 提供・移転の有無 says: "提供を行っている (58) 件" → {"provision": 58, ...}.

    The region is read from ``src.folded_lines``, each line normalised once for every
    reader: NFKC never joins characters across a line break, so these are the region's
    lines normalised as one text.
    """
    text = "\n".join(src.folded_lines[region[0] - 1 : region[1]])
    counts: dict[str, int | None] = {}
    for kind, word in (("provision", "提供"), ("transfer", "移転")):
        m = re.search(rf"{word}を行っている\s*[(（]\s*(\d*)\s*[)）]\s*件", text)
        counts[kind] = int(m[1]) if m and m[1] else None
    return counts


def read_entries(form: Form, region: tuple[int, int]) -> list[Entry]:
    """The non-blank 提供先/移転先 entries of one region, provisions first, in order."""
    lo, hi = region
    by_kind: dict[str, list[Entry]] = {}
    for kind in _KINDS:
        purposes = form.find(_PURPOSE[kind], lo, hi)
        headings = form.find(_HEADING[kind], lo, hi)
        entries = [Entry(kind, i + 1, None) for i in range(len(purposes))]
        for entry, occ in zip(entries, purposes, strict=True):
            entry.purpose = _text(form, occ, entry)
        _pair(form, entries, headings, "heading")
        _pair(form, entries, form.find(_INFO[kind], lo, hi), "information")
        _pair(form, entries, form.find(_METHOD[kind], lo, hi), "method")
        by_kind[kind] = entries
    # Fields the template shares between 提供 and 移転: paired in the order of the 用途 labels.
    both = sorted(
        (e for k in _KINDS for e in by_kind[k]),
        key=lambda e: _purpose_line(form, e, lo, hi),
    )
    _pair(form, both, form.find("disclosure_basis", lo, hi), "basis")
    _pair(form, both, form.find("disclosure_timing", lo, hi), "timing")
    sequential = all(_heading_first(e) for e in both if e.number is not None)
    for entry in both:
        if not sequential and entry.number is not None and len(entry.lines) > 1:
            entry.lines.pop(0)  # a heading printed apart says nothing about where the entry is
        if not entry.name and entry.basis_lines:
            entry.name = _name_above(form, entry.basis_lines[0], lo)
        if sequential:
            _methods_in_segment(form, entry, both, hi)
    return [e for k in _KINDS for e in by_kind[k] if not e.is_blank]


def _purpose_line(form: Form, entry: Entry, lo: int, hi: int) -> int:
    occ = form.find(_PURPOSE[entry.kind], lo, hi)[entry.index - 1]
    return occ.line


def _heading_first(entry: Entry) -> bool:
    return bool(entry.lines) and entry.lines[0] == min(entry.lines)


def _text(form: Form, occ: Occurrence, entry: Entry) -> str:
    value = form.value(occ)
    entry.lines.append(occ.line)
    if value is None:
        return ""
    if re.match(r"^\s*[①-⑳]", value.raw) or (value.start != occ.line and match_label(value.raw.split("\n")[0])):
        return ""  # the form left it blank and the next label was taken for its value
    entry.lines.append(value.end)
    return _clean(value.raw)


def _clean(raw: str) -> str:
    """Plain text of a value; wrapped lines of plain text joined without a space."""
    lines = [clean_cell(part) for part in raw.split("\n")]
    return join_wrapped(lines)


def _pair(form: Form, entries: list[Entry], occs: list[Occurrence], what: str) -> None:
    """Give the k-th label occurrence to the k-th entry (the template prints one per entry)."""
    if len(occs) != len(entries) and entries:
        form_name = form.src.name
        lines = ", ".join(str(o.line) for o in occs)
        entries[0].warnings.append(
            f"{form_name}: {len(occs)} {what} labels (lines {lines}) for {len(entries)} entries"
        )
    for entry, occ in zip(entries, occs, strict=False):
        if what == "heading":
            entry.number = occ.match.item
            entry.lines.insert(0, occ.line)
            value = form.value(occ)
            entry.name = _clean(occ.match.rest) if occ.match.rest else (_clean(value.raw) if value else "")
            if not occ.match.rest and value is not None and value.start == occ.line:
                entry.name = _clean(value.raw)
            elif not occ.match.rest:
                # A heading standing alone has its name in its own row's other cells only.
                row = form.rows[occ.row]
                entry.name = clean_cell(" ".join(c.text for c in row.cells[occ.cell + 1 :]))
        elif what == "method":
            entry.lines.append(occ.line)
            value = form.value(occ)
            raw = value.raw if value else ""
            entry.methods = _checked(raw) or _checked_below(form, occ)
        elif what == "basis":
            entry.basis = _text(form, occ, entry)
            value = form.value(occ)
            entry.basis_lines = (occ.line, value.end if value else occ.line)
        elif what == "information":
            entry.information = _text(form, occ, entry)
        elif what == "timing":
            entry.timing = _text(form, occ, entry)


def _checked(raw: str) -> list[str]:
    found = []
    for line in raw.split("\n"):
        for box in checkboxes(_normalize_boxes(line)):
            label = _method_label(box.label)
            if box.checked and not _NOT_METHOD.search(label) and label not in found:
                found.append(label)
    return found


def _method_label(label: str) -> str:
    """"その他 ( 住基ネット )" as "その他 (住基ネット)"; a bracket the layout cut off is closed."""
    label = re.sub(r"\s*\)", ")", re.sub(r"\(\s*", "(", nfkc(label))).strip()
    return label + ")" if label.count("(") > label.count(")") else label


def _checked_below(form: Form, occ: Occurrence) -> list[str]:
    """Layout order: a method's boxes drift below its label and break apart ("[" on one line,
    "○ ]" and the label on others). Only boxes printed whole on one line ("[ ○ ] 紙") are
    read, up to the next 方法 label and at most a page fragment away; a stray "○" is not."""
    if form.layout is not Layout.PLAIN:
        return []
    hi = occ.line + _METHOD_REACH
    later = [o.line for key in _METHOD.values() for o in form.find(key, occ.line + 1, hi)]
    stop = min(later, default=hi)
    found: list[str] = []
    for line in form.src.lines[occ.line : stop - 1]:
        for box in checkboxes(nfkc(line)):
            label = _method_label(box.label)
            if box.checked and label.startswith(METHOD_OPTIONS) and label not in found:
                found.append(label)
    return found


def _normalize_boxes(raw: str) -> str:
    """"[ ○ ] 紙" and "[<input checked>] 紙" alike; an <input> outside brackets is a box too."""
    text = re.sub(r"(?<!\[)(<input[^>]*>)", r"[\1]", raw)
    return text


def _methods_in_segment(form: Form, entry: Entry, entries: list[Entry], hi: int) -> None:
    """Reading order: the checked boxes anywhere between this heading and the next entry's."""
    start = entry.lines[0]
    later = [e.lines[0] for e in entries if e.lines and e.lines[0] > start]
    stop = min(later) - 1 if later else hi
    raw = "\n".join(form.src.lines[start - 1 : stop])
    # The 提供・移転の有無 row sits inside the first segment in some layouts: not a method.
    methods = _checked(raw)
    if methods:
        entry.methods = methods


def _name_above(form: Form, line: int, lo: int) -> str:
    """Layout order: a heading printed apart leaves its value on the line above ①法令上の根拠."""
    for number in range(line - 1, max(lo, line - 4) - 1, -1):
        text = form.src.lines[number - 1].strip()
        if not text:
            continue
        if (
            match_label(text) is not None
            or "[" in text
            or "]" in text
            or CHOICE_MARKER.search(nfkc(text))
            or re.search(r"人(?:以上|未満)", text)
        ):
            return ""
        return fold_spaces(text)
    return ""


# --- graph ------------------------------------------------------------------------------


def extract_disclosures(src: SourceText, dg: DocumentGraph, ctx: AssessmentContext) -> None:
    """Add every 提供先/移転先 entry of every file, and every 別紙 row, to ``dg``."""
    form = ctx.form if ctx.form is not None and ctx.form.src is src else Form(src)
    entries_by_file: list[tuple[FileRef | None, list[Entry], tuple[int, int]]] = []
    for order, region in enumerate(disclosure_regions(form), start=1):
        file = ctx.files.get(order)
        if file is None:
            dg.warn(f"提供・移転 part of file {order} has no file of that number", region[0])
        entries = read_entries(form, region)
        for entry in entries:
            for w in entry.warnings:
                dg.warn(w, entry.start)
        entries_by_file.append((file, entries, region))
    nodes: dict[tuple[str, str], tuple[URIRef, FileRef | None]] = {}
    for file, entries, _region in entries_by_file:
        for entry in entries:
            node = _add_entry(dg, ctx, file, entry)
            for annex in entry.annexes:
                nodes.setdefault((entry.kind, annex), (node, file))
    if ctx.kind == "ChangeListDocument":
        return  # its 別紙 excerpts are passages of change records, not the assessment's tables
    tables = find_annex_tables(src)
    for table in tables:
        owner = nodes.get((table.kind, table.annex or ""))
        if owner is None:
            dg.warn(f"{table.annex or '別紙'} table is not referred to by any 提供先/移転先", table.header_line)
        _add_annex_rows(dg, ctx, table, owner)
    _check_counts(src, dg, entries_by_file, tables, nodes)


def _add_entry(dg: DocumentGraph, ctx: AssessmentContext, file: FileRef | None, entry: Entry) -> URIRef:
    file_order = str(file.order) if file else "0"
    node = dg.fact(entry.kind, (file_order, str(entry.number or entry.index)), _CLASS[entry.kind], entry.start, entry.end)
    if file is not None:
        dg.add(file.iri, _LINK[entry.kind], node)
    dg.add(node, PIA.order, Literal(entry.number or entry.index, datatype=XSD.integer))
    dg.add(node, PIA.recipientName, entry.name)
    dg.add(node, PIA.purpose, entry.purpose)
    dg.add(node, PIA.providedInformation, entry.information)
    for method in entry.methods:
        dg.add(node, PIA.method, method)
    if entry.name and not entry.annexes and "に定める" not in entry.name:
        recipient = _recipient(dg, ctx, entry.kind, entry.name, entry.start)
        if recipient is not None:
            dg.add(node, PIA.recipient, recipient)
    owner = f"{entry.kind}-{file_order}-{entry.number or entry.index}"
    lines = entry.basis_lines or (entry.start, entry.start)
    cites = add_citations(dg, owner, entry.basis, lines[0], lines[1]) if entry.basis else []
    if cites and not any(dg.graph.value(c, PIA.citedTable) for c in cites):
        # The basis names only articles (住基法第30条の15…) and the 用途 names the tables
        # ("住基法別表第６に掲げる…事務"): one citation per table, keeping the basis text.
        from_purpose = []
        for i, part in enumerate(re.split(r"[・\n]|。", entry.purpose), start=1):
            if "別表" in part or "の表" in part:
                text = _expand_abbreviations(ctx, part)
                found = add_citations(dg, f"{owner}-purpose{i}", text, lines[0], entry.end)
                from_purpose += [c for c in found if dg.graph.value(c, PIA.citedTable)]
        if from_purpose:
            article = dg.graph.value(cites[0], PIA.articleAsWritten)
            for c in cites:
                dg.graph.remove((c, None, None))
            for c in from_purpose:
                dg.graph.set((c, PIA.basisText, Literal(entry.basis)))
                if article is not None:
                    dg.graph.set((c, PIA.articleAsWritten, article))
            cites = from_purpose
    for c in cites:
        dg.add(node, PIA.citation, c)
    return node


def _recipient(dg: DocumentGraph, ctx: AssessmentContext, kind: str, name: str, line: int) -> URIRef | None:
    if kind == "transfer":
        return ctx.unit(name, line) if _looks_like_department(name) else None
    org = body_iri(compact(name))
    dg.graph.add((org, RDF.type, ORG.Organization))
    dg.graph.add((org, RDF.type, DPV.Recipient))
    if dg.graph.value(org, RDFS.label) is None:
        dg.label(org, compact(name))
    return org


def _looks_like_department(name: str) -> bool:
    """A department name, not a description such as 群馬県の他の部署（税務課など）."""
    text = compact(name)
    return not re.search(r"[()（）「」]|など|等$|法|条例|別紙|の他の", text)


def _expand_abbreviations(ctx: AssessmentContext, text: str) -> str:
    """住基条例 → 群馬県住民基本台帳法施行条例 when the document defines it so."""
    for short, full in _abbreviations(ctx.dg.src).items():
        text = text.replace(short, full)
    return text


def _abbreviations(src: SourceText) -> dict[str, str]:
    cache = _ABBREVIATIONS.get(src.sha256)
    if cache is None:
        cache = law_abbreviations(src.text.replace("\n", ""))
        _ABBREVIATIONS[src.sha256] = cache
    return cache


_ABBREVIATIONS: dict[str, dict[str, str]] = {}


def _add_annex_rows(
    dg: DocumentGraph, ctx: AssessmentContext, table: AnnexTable, owner: tuple[URIRef, FileRef | None] | None
) -> None:
    """One node per recipient (or department) per cited item of every row."""
    entry_node, file = owner if owner else (None, None)
    annex = table.annex or "別紙"
    sub = compact(table.subheading) or "-"
    article = article_as_written(table.title)
    canonical = table.canonical_table
    written, basis = table.table_written, table.citation_text
    cls, link = _CLASS[table.kind], _LINK[table.kind]
    for seq, row in enumerate(table.rows, start=1):
        number = row.number or str(seq)
        order = integer_literal(int(number) if number.isdigit() else seq)
        if table.kind == "transfer":
            recipients = split_departments(row.recipient_text)
        else:
            recipients = [join_wrapped(row.recipient_text.split("\n"))] if row.recipient_text.strip() else []
        if not recipients:
            dg.warn(f"{annex} row {number} names no recipient", row.start)
        items = row.items or [None]
        for r_index, recipient in enumerate(recipients, start=1):
            for item in items:
                key = (annex, sub, number, str(r_index), item or "-")
                node = dg.fact(f"{table.kind}-row", key, cls, row.start, row.end)
                dg.add(node, _P_ANNEX, table.annex)
                dg.add(node, _P_ORDER, order)
                dg.add(node, _P_RECIPIENT_NAME, recipient)
                dg.add(node, _P_PURPOSE, row.purpose)
                if entry_node is not None:
                    dg.add(node, _P_ENTRY, entry_node)
                if file is not None:
                    dg.add(file.iri, link, node)
                unit = _recipient(dg, ctx, table.kind, recipient, row.start) if table.kind == "provision" else ctx.unit(recipient, row.start)
                dg.add(node, _P_RECIPIENT, unit)
                cite = dg.fact("citation", key + ("row",), _C_LEGAL_CITATION, row.start, row.end)
                dg.add(cite, _P_BASIS_TEXT, " ".join(t for t in (basis, item or "") if t))
                dg.add(cite, _P_ARTICLE, article)
                dg.add(cite, _P_TABLE_WRITTEN, written)
                dg.add(cite, _P_CITED_TABLE, canonical)
                dg.add(cite, _P_CITED_ITEM, item)
                dg.add(node, _P_CITATION, cite)


# The predicates of a 別紙 row, named once (the loop above writes thousands of rows).
_P_ANNEX, _P_ORDER, _P_RECIPIENT_NAME, _P_PURPOSE, _P_ENTRY, _P_RECIPIENT, _P_CITATION = (
    PIA.annex, PIA.order, PIA.recipientName, PIA.purpose, PIA.entry, PIA.recipient, PIA.citation
)
_C_LEGAL_CITATION, _P_BASIS_TEXT, _P_ARTICLE, _P_TABLE_WRITTEN, _P_CITED_TABLE, _P_CITED_ITEM = (
    PIA.LegalCitation, PIA.basisText, PIA.articleAsWritten, PIA.tableAsWritten, PIA.citedTable,
    PIA.citedItem,
)


def _check_counts(src, dg, entries_by_file, tables, nodes) -> None:
    """Warn when 提供を行っている (N) 件 disagrees with the entries and 別紙 rows found."""
    for _file, entries, region in entries_by_file:
        declared = declared_counts(src, region)
        for kind in _KINDS:
            want = declared.get(kind)
            if want is None:
                continue
            found = 0
            for entry in (e for e in entries if e.kind == kind):
                annex_rows = [
                    t for t in tables if t.kind == kind and t.annex in entry.annexes
                ]
                found += sum(len(t.rows) for t in annex_rows) if annex_rows else 1
            if found != want:
                dg.warn(f"{kind}: the document states {want} 件, {found} were read", region[0])
