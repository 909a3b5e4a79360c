"""Loading one 特定個人情報保護評価書 text into its own graph: the entry point of all extractors.

``load_assessment(path)`` reads the file (``SourceText.read`` checks it is a readable text),
recognises the kind of document (assessment, change list only, committee material around a
draft), reads the cover, section I and the files of section II, then hands an
``AssessmentContext`` to the extractors of 提供/移転, 変更箇所 and リスク対策. A document that
is an assessment loads with whatever parts it holds (warnings say what is missing and where);
one that is none (no cover, no kind) or cannot be decoded raises ``LoaderError`` naming the
file and line, and nothing reaches a store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from pia_kg.errors import LoaderError
from pia_kg.loaders.documents.assessment_context import AssessmentContext
from pia_kg.loaders.documents.basic_info import (
    Sections,
    extract_basic_info,
    find_later_sections,
    find_sections,
)
from pia_kg.loaders.documents.basic_level import extract_basic_level
from pia_kg.loaders.documents.builder import DocumentGraph
from pia_kg.loaders.documents.changes import extract_changes
from pia_kg.loaders.documents.cover import Cover, read_cover
from pia_kg.loaders.documents.disclosures import extract_disclosures
from pia_kg.loaders.documents.file_overview import extract_files
from pia_kg.loaders.documents.form import Form
from pia_kg.loaders.documents.parts import record_parts
from pia_kg.loaders.documents.risks import extract_risks
from pia_kg.loaders.documents.source import SourceText
from pia_kg.loaders.documents.terms import PIA
from pia_kg.vocab import DCTERMS, RDF, XSD, document_graph

__all__ = ["LoadedDocument", "load_assessment", "Extractor"]

Extractor = Callable[[SourceText, DocumentGraph, AssessmentContext], None]


@dataclass
class LoadedDocument:
    """The graph of one document, ready to replace its named graph in a store."""

    doc_id: str
    graph_iri: URIRef
    graph: Graph
    warnings: list[str] = field(default_factory=list)
    kind: str = "AssessmentDocument"
    source: SourceText | None = None
    # What the document says of itself (section I's list of files), for the quality report.
    stated: dict[str, int | None] = field(default_factory=dict)


# The extractors that attach their facts to the assessment the core parts read: each one
# takes the source, the document graph and the shared context.
PART_EXTRACTORS: tuple[Extractor, ...] = (extract_disclosures, extract_changes, extract_risks)


def load_assessment(path: str | Path, *, max_bytes: int | None = None) -> LoadedDocument:
    """Load one document; LoaderError (with file and line) if it is no assessment at all.

    A partial document (an excerpt, a 変更箇所 only, missing last pages) loads: the parts found
    are recorded (``pia:partFound``) and warnings name the line of every field that was
    expected but missing or unreadable, and where the text ends early.
    """
    src = read_source(path, max_bytes=max_bytes)
    form = Form(src)
    if len(form.rows) < 3:
        raise LoaderError(
            "too short to be an assessment (fewer than 3 non-blank lines)", source=src.path, line=1
        )
    cover = read_cover(form)
    dg = DocumentGraph(src)
    g = dg.graph
    g.add((dg.doc, RDF.type, PIA.SourceDocument))
    g.add((dg.doc, PIA.fileName, Literal(src.name)))
    g.add((dg.doc, PIA.sha256, Literal(src.sha256)))
    g.add((dg.doc, PIA.documentKind, PIA[cover.kind]))
    body = cover.body or cover.organization
    if body is None:
        body = UNKNOWN_BODY
        dg.warn("cannot tell which public body this document belongs to: no 評価実施機関名 and "
                "no body named in the text", cover.title_line or 1)
    a = dg.fact("assessment", "main", PIA.Assessment, cover.start, len(src.lines))
    g.add((a, RDF.type, URIRef("https://w3id.org/dpv#DPIA")))
    ctx = AssessmentContext(
        dg, a, body, kind=cover.kind, published=cover.published, level=cover.level, form=form
    )
    _write_cover(dg, ctx, cover)
    if cover.kind == "ChangeListDocument":
        dg.warn(
            "a 変更箇所一覧 (list of changed passages) only: no cover, section I or II to read", 1
        )
    else:
        if cover.title_line == 0:
            dg.warn("no cover: a later part of a document split over several files; "
                    "its parts are read", 1)
        _guarded("sections I and II", dg, _read_sections, form, ctx, cover)
    for extract in PART_EXTRACTORS:
        _extract_part(extract, src, dg, ctx)
    return LoadedDocument(
        src.doc_id, document_graph(src.doc_id), g, list(dg.warnings), cover.kind, src, ctx.stated
    )


def read_source(path: str | Path, *, max_bytes: int | None = None) -> SourceText:
    """The text of a document: a UTF-8 text file, or a PDF's table rows and text (``pdf``)."""
    if Path(path).suffix.lower() == ".pdf":
        from pia_kg.loaders.documents.pdf import read_pdf

        return read_pdf(path, max_bytes=max_bytes)
    return SourceText.read(path, max_bytes=max_bytes)


def _extract_part(extract: Extractor, src: SourceText, dg: DocumentGraph, ctx: AssessmentContext) -> None:
    """Run one part's extractor; a part it cannot read (a 変更日 that is no date, a 別紙 row
    without 項番) is a warning with its line, and the rest of the document still loads."""
    _guarded(extract.__name__.removeprefix("extract_"), dg, extract, src, dg, ctx)


def _guarded(part: str, dg: DocumentGraph, fn: Callable[..., object], *args: object) -> None:
    """``fn(*args)``; an error reading one part becomes a warning naming it (and its line)."""
    before = len(dg.graph)
    try:
        fn(*args)
    except LoaderError as exc:
        dg.warn(f"{part} not read: {exc.reason}", exc.line)
    except Exception as exc:  # a layout no rule foresaw must not cost the whole document
        dg.warn(f"{part} not read: unexpected layout ({type(exc).__name__}: {exc})")
    else:
        return
    if len(dg.graph) != before:
        dg.warn(f"{part}: facts read before the error are kept")


# The body IRI of a document that names none (an excerpt without cover or declaration).
UNKNOWN_BODY = "評価実施機関不明"


def _read_sections(form: Form, ctx: AssessmentContext, cover: Cover) -> None:
    """Sections I and II as far as the document holds them; the parts found, and whether the
    text ends before the form does."""
    dg = ctx.dg
    found = record_parts(form, ctx, cover)
    sec = find_sections(form, cover.start)
    if sec is None:
        sec = find_later_sections(form, cover.start)
        dg.warn("section I (基本情報/関連情報) not found: no ①事務の名称"
                + (" ; section II is read" if sec else "; only the cover is read"), cover.title_line)
        if sec is not None and cover.level != "BasicLevel":
            _read_files(form, ctx, sec, [], found)
        return
    names = extract_basic_info(form, ctx, sec)
    ctx.stated["files"] = len(names) or None
    if cover.level == "BasicLevel":
        extract_basic_level(form, ctx, sec, names)
        return
    _read_files(form, ctx, sec, names, found)


def _read_files(
    form: Form, ctx: AssessmentContext, sec: Sections, names: list[str], found: dict[str, int]
) -> None:
    dg = ctx.dg
    if not sec.parts or (sec.parts[0][0] > sec.parts[0][1]):
        if "file_overview" not in found:
            dg.warn("section II (特定個人情報ファイルの概要) not found: files, 委託 and 提供・移転 "
                    "are not read", len(form.src.lines))
        return
    extract_files(form, ctx, sec, names)
    if not ctx.files:
        dg.warn("section II describes no 特定個人情報ファイル", sec.parts[0][0])


def _write_cover(dg: DocumentGraph, ctx: AssessmentContext, cover: Cover) -> None:
    a = ctx.assessment
    dg.add(a, PIA.body, ctx.body_iri)
    dg.add(a, PIA.isDraft, cover.is_draft)
    if cover.kind == "ChangeListDocument":
        return
    if cover.level:
        # Its label comes from the ontology graph the pipeline loads beside every document.
        dg.add(a, PIA.level, PIA[cover.level])
    for value, ja in (
        (cover.number, "評価書番号"),
        (cover.title, "評価書名"),
        (cover.organization, "評価実施機関名"),
    ):
        if value is None:
            dg.warn(f"cover: {ja} not found or its value could not be placed", cover.title_line)
    dg.add(a, PIA.assessmentNumber, cover.number)
    dg.add(a, DCTERMS.title, cover.title)
    if cover.organization:
        org = dg.fact(
            "organization",
            "main",
            URIRef("http://www.w3.org/ns/org#Organization"),
            cover.organization_line,
        )
        dg.label(org, cover.organization)
        dg.add(org, URIRef("http://www.w3.org/ns/org#unitOf"), ctx.body_iri)
        dg.add(a, PIA.assessingOrganization, org)
    if cover.published:
        dg.add(a, DCTERMS.issued, Literal(cover.published, datatype=XSD.date))
    if cover.material_date:
        dg.add(dg.doc, DCTERMS.created, Literal(cover.material_date, datatype=XSD.date))
    if not cover.published and not cover.is_draft:
        dg.warn("cover: 公表日 is blank", cover.title_line)
    dg.add(a, PIA.templateVersion, cover.template_version)
