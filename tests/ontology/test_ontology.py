"""The ontology is complete, labelled, consistent for HermiT, and the SHACL shapes catch errors.

Completeness runs both ways: every ``pia:`` term docs/model.md names, and every one the code
(loaders, queries, API, pia_kg, the shapes) uses, must be declared in ``ontology/pia.ttl``,
so the ontology cannot drift behind the code as it grows.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import owlready2
import pytest
from conftest import ALL_SEEDS, REPO
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS

from pia_kg.loaders.documents.assessment import load_assessment
from pia_kg.loaders.law.catalog import find_law_tables
from pia_kg.loaders.law.rdf import version_graph
from pia_kg.ontology import ONTOLOGY_IRI, ontology_graph, ontology_path, shapes_graph, validate
from pia_kg.vocab import DPV, ELI, PIA, SKOS, body_iri, document_iri, fact_iri, unit_iri

XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")

DECLARATION_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}


@pytest.fixture
def onto() -> Graph:
    """A fresh copy per test: reasoning tests add individuals to it."""
    return ontology_graph()


def declared_pia_terms(g: Graph) -> set[str]:
    return {
        str(s)[len(str(PIA)) :]
        for t in DECLARATION_TYPES
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(str(PIA))
    }


def test_ontology_parses_with_header(onto: Graph) -> None:
    header = URIRef(ONTOLOGY_IRI)
    assert (header, RDF.type, OWL.Ontology) in onto
    assert onto.value(header, OWL.versionInfo) is not None
    comments = " ".join(str(c) for c in onto.objects(header, RDFS.comment))
    for vocabulary in ("DPV", "ELI", "ORG", "PROV-O", "SKOS"):
        assert vocabulary in comments, (
            f"ontology comment does not explain the {vocabulary} alignment"
        )
    # Offline reasoning: remote imports would make owlready2 fetch from the internet.
    assert not list(onto.objects(header, OWL.imports))


def test_every_pia_term_is_declared_and_labelled(onto: Graph) -> None:
    used = {
        str(t)[len(str(PIA)) :]
        for triple in onto
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(str(PIA))
    }
    declared = declared_pia_terms(onto)
    assert used - declared == set(), "pia: terms used in pia.ttl but not declared"
    problems = []
    for name in sorted(declared):
        term = PIA[name]
        langs = {lit.language for lit in onto.objects(term, RDFS.label) if isinstance(lit, Literal)}
        if not {"ja", "en"} <= langs:
            problems.append(f"pia:{name} labels in {sorted(filter(None, langs))}, need ja and en")
        if onto.value(term, RDFS.comment) is None:
            problems.append(f"pia:{name} has no rdfs:comment")
    assert not problems, "\n".join(problems)
    # Rough size check: docs/model.md names ~30 classes and individuals and ~100 properties.
    assert len(declared) > 120


def test_each_term_is_declared_as_one_kind_only(onto: Graph) -> None:
    """OWL 2 DL: a property is object, datatype or annotation, never two of them."""
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    clashes = [
        s
        for s in set(onto.subjects(RDF.type, None))
        if sum((s, RDF.type, k) in onto for k in kinds) > 1
    ]
    class_and_property = [
        s
        for s in onto.subjects(RDF.type, OWL.Class)
        if any((s, RDF.type, k) in onto for k in kinds)
    ]
    assert clashes == [] and class_and_property == []


def test_alignment_with_standard_vocabularies(onto: Graph) -> None:
    expected = [
        (PIA.Assessment, RDFS.subClassOf, DPV.DPIA),
        (PIA.Contractor, RDFS.subClassOf, DPV.DataProcessor),
        (PIA.Contractor, RDFS.subClassOf, ORG.Organization),
        (PIA.PublicBody, RDFS.subClassOf, ORG.FormalOrganization),
        (PIA.LawTable, RDFS.subClassOf, ELI.LegalResource),
        (PIA.TableVersion, RDFS.subClassOf, ELI.LegalResource),
        (PIA.TableItem, RDFS.subClassOf, ELI.LegalResourceSubdivision),
        (PIA.SourceDocument, RDFS.subClassOf, PROV.Entity),
        (PIA.versionOf, RDFS.subPropertyOf, ELI.is_member_of),
        (PIA.inVersion, RDFS.subPropertyOf, ELI.is_part_of),
        (PIA.Provision, OWL.disjointWith, PIA.Transfer),
        (PIA.recipient, RDFS.range, ORG.Organization),
        (ORG.OrganizationalUnit, RDFS.subClassOf, ORG.Organization),
        (PIA.FullLevel, RDF.type, PIA.AssessmentLevel),
        (PIA.Renumbered, RDF.type, PIA.CorrespondenceKind),
        (SKOS.exactMatch, RDF.type, OWL.ObjectProperty),
    ]
    missing = [t for t in expected if t not in onto]
    assert missing == []


# --- completeness against the model and the code -------------------------------------------

_PIA_TERM = re.compile(r"(?<![\w-])pia:([A-Za-z_][A-Za-z0-9_]*)")
_PIA_ATTR = re.compile(r"\bPIA\.([A-Za-z_][A-Za-z0-9_]*)|\bPIA\[\s*['\"]([^'\"]+)['\"]\s*\]")


def terms_in_text(text: str, python: bool) -> set[str]:
    found = set(_PIA_TERM.findall(text))
    if python:
        for attr, key in _PIA_ATTR.findall(text):
            found.add(attr or key)
    return found


def test_model_terms_are_declared(onto: Graph) -> None:
    model = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    named = terms_in_text(model, python=False)
    assert len(named) > 100  # the model really was scanned
    missing = sorted(named - declared_pia_terms(onto))
    assert missing == [], f"docs/model.md names pia: terms the ontology does not declare: {missing}"


def code_files() -> list[Path]:
    files: list[Path] = []
    for folder, pattern in (
        ("queries", "*.rq"),
        ("queries", "*.py"),
        ("loaders", "*.py"),
        ("api", "*.py"),
        ("api", "*.html"),
        ("pia_kg", "*.py"),
        ("ontology", "shapes.ttl"),
    ):
        files.extend(sorted((REPO / folder).rglob(pattern)))
    return files


def test_code_uses_only_declared_terms(onto: Graph) -> None:
    declared = declared_pia_terms(onto)
    missing: dict[str, list[str]] = {}
    files = code_files()
    assert any(f.name == "shapes.ttl" for f in files)
    for path in files:
        text = path.read_text(encoding="utf-8")
        for term in terms_in_text(text, python=path.suffix == ".py"):
            if term not in declared:
                missing.setdefault(term, []).append(str(path.relative_to(REPO)))
    assert missing == {}, "pia: terms used in code but not declared in ontology/pia.ttl: " + repr(
        missing
    )


# The standard vocabularies the code writes or queries: each term it uses is declared locally,
# so owlready2 and HermiT know whether it is a class, an object or a datatype property.
_EXTERNAL = {"dpv": DPV, "eli": ELI, "org": ORG, "prov": PROV, "skos": SKOS, "dcterms": DCTERMS}


def external_terms_in_text(text: str, python: bool) -> set[str]:
    found = set()
    for prefix in _EXTERNAL:
        for name in re.findall(rf"(?<![\w-]){prefix}:([A-Za-z_][A-Za-z0-9_]*)", text):
            found.add(f"{prefix}:{name}")
        if python:
            for name in re.findall(rf"\b{prefix.upper()}\.([A-Za-z_][A-Za-z0-9_]*)", text):
                found.add(f"{prefix}:{name}")
    return found


def test_code_uses_only_declared_external_terms(onto: Graph) -> None:
    declared = {s for t in DECLARATION_TYPES for s in onto.subjects(RDF.type, t)}
    missing: dict[str, list[str]] = {}
    for path in code_files():
        text = path.read_text(encoding="utf-8")
        for term in external_terms_in_text(text, python=path.suffix == ".py"):
            prefix, name = term.split(":")
            if URIRef(str(_EXTERNAL[prefix]) + name) not in declared:
                missing.setdefault(term, []).append(str(path.relative_to(REPO)))
    assert missing == {}, "standard terms used in code but not declared in pia.ttl: " + repr(
        missing
    )


# --- OWL 2 reasoning with HermiT ------------------------------------------------------------


def _java() -> str:
    java = shutil.which("java") or ("/usr/bin/java" if Path("/usr/bin/java").exists() else None)
    if java is None:
        pytest.fail("Java is needed for HermiT (owlready2.sync_reasoner) and was not found")
    return java


def reason(graph: Graph, tmp: Path) -> owlready2.World:
    """Load ``graph`` into a fresh owlready2 world and run HermiT; raises if inconsistent."""
    owlready2.JAVA_EXE = _java()
    owlready2.reasoning.JAVA_MEMORY = 500
    tmp.mkdir(parents=True, exist_ok=True)
    rdfxml = tmp / "pia.owl"
    graph.serialize(rdfxml, format="xml")  # owlready2 reads RDF/XML, not Turtle
    world = owlready2.World()
    loaded = world.get_ontology(rdfxml.as_uri()).load()
    assert len(list(loaded.classes())) > 20
    owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    return world


def unsatisfiable(world: owlready2.World) -> list[str]:
    # A class can be empty in every model while the ontology stays consistent; HermiT
    # classifies such classes under owl:Nothing.
    return sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)


def test_hermit_finds_ontology_consistent(onto: Graph, tmp_path: Path) -> None:
    world = reason(onto, tmp_path)
    assert unsatisfiable(world) == []


def test_hermit_reports_unsatisfiable_class(onto: Graph, tmp_path: Path) -> None:
    """A contractor that is also an assessment is empty: organizations are no assessments."""
    onto.add((PIA.Contractor, RDFS.subClassOf, PIA.Assessment))
    assert unsatisfiable(reason(onto, tmp_path)) == [str(PIA.Contractor)]


@pytest.mark.parametrize(
    "first,second",
    [
        (PIA.Provision, PIA.Transfer),  # declared disjoint directly
        (PIA.PublicBody, PIA.Assessment),  # disjoint through org:Organization
    ],
)
def test_hermit_reports_inconsistency(onto: Graph, tmp_path: Path, first, second) -> None:
    """The reasoning test can fail: a node typed as two disjoint classes is caught."""
    node = URIRef("https://w3id.org/pia-kg/id/test/both")
    onto.add((node, RDF.type, OWL.NamedIndividual))
    onto.add((node, RDF.type, first))
    onto.add((node, RDF.type, second))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(onto, tmp_path)


def test_hermit_reports_bad_datatype(onto: Graph, tmp_path: Path) -> None:
    """pia:lineStart is an xsd:integer: a string there contradicts the range."""
    node = URIRef("https://w3id.org/pia-kg/id/test/line")
    onto.add((node, RDF.type, OWL.NamedIndividual))
    onto.add((node, PIA.lineStart, Literal("L12")))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(onto, tmp_path)


# --- SHACL shapes ---------------------------------------------------------------------------


def test_shapes_parse_and_target_the_core_classes() -> None:
    shapes = shapes_graph()
    sh = "http://www.w3.org/ns/shacl#"
    targets = set(shapes.objects(None, URIRef(sh + "targetClass")))
    for cls in (
        PIA.Assessment,
        PIA.LegalCitation,
        PIA.TableItem,
        PIA.TableVersion,
        PIA.Provision,
        PIA.Transfer,
        ORG.OrganizationalUnit,
        PIA.Correspondence,
    ):
        assert cls in targets, f"no shape targets {cls}"


def _hand_made() -> tuple[Graph, dict[str, URIRef]]:
    """A conforming document graph: an assessment, its body and unit, a 移転 with citation."""
    g = Graph()
    doc = document_iri("000_446cb3177695f62c")
    body = body_iri("静岡市")
    top, unit = unit_iri("静岡市", ["市民局"]), unit_iri("静岡市", ["市民局", "市民課"])
    a = fact_iri("000_446cb3177695f62c", "assessment", "main")
    t = fact_iri("000_446cb3177695f62c", "transfer", "別紙2", "1")
    c = fact_iri("000_446cb3177695f62c", "citation", "別紙2", "1")
    g.add((doc, RDF.type, PIA.SourceDocument))
    g.add((doc, PIA.fileName, Literal("000_446cb3177695f62c.txt")))
    g.add((doc, PIA.documentKind, PIA.AssessmentDocument))
    g.add((body, RDF.type, PIA.PublicBody))
    for u, label, parent in ((top, "市民局", body), (unit, "市民局市民課", top)):
        g.add((u, RDF.type, ORG.OrganizationalUnit))
        g.add((u, RDFS.label, Literal(label, lang="ja")))
        g.add((u, ORG.unitOf, parent))
        g.add((u, PIA.body, body))
    g.add((a, RDF.type, PIA.Assessment))
    g.add((a, DCTERMS.title, Literal("住民基本台帳に関する事務 全項目評価書")))
    g.add((a, PIA.body, body))
    g.add((a, PIA.level, PIA.FullLevel))
    g.add((a, PROV.wasDerivedFrom, doc))
    g.add((t, RDF.type, PIA.Transfer))
    g.add((t, PIA.recipient, unit))
    g.add((t, PIA.citation, c))
    g.add((t, PIA.order, Literal(1)))
    g.add((c, RDF.type, PIA.LegalCitation))
    g.add((c, PIA.basisText, Literal("番号法第9条第1項 別表第一の9の項")))
    g.add((c, PIA.citedTable, Literal("番号法別表第一")))
    g.add((c, PIA.citedItem, Literal("9")))
    for node, start, end in ((a, 1, 3), (t, 120, 124), (c, 120, 120)):
        g.add((node, PIA.source, Literal(f"000_446cb3177695f62c.txt#L{start}-L{end}")))
        g.add((node, PIA.lineStart, Literal(start)))
        g.add((node, PIA.lineEnd, Literal(end)))
        g.add((node, PROV.wasDerivedFrom, doc))
    return g, {"assessment": a, "transfer": t, "citation": c, "unit": unit, "doc": doc}


def test_shapes_accept_a_conforming_graph() -> None:
    g, _ = _hand_made()
    conforms, report = validate(g)
    assert conforms, report


def test_shapes_report_each_violation() -> None:
    g, n = _hand_made()
    g.remove((n["assessment"], DCTERMS.title, None))  # no title
    g.remove((n["citation"], PIA.citedTable, None))  # no cited table
    g.set((n["transfer"], PIA.lineStart, Literal(130)))  # starts after it ends
    g.add((n["transfer"], RDF.type, PIA.Provision))  # both 提供 and 移転
    item = URIRef("https://w3id.org/pia-kg/id/law/x/2024-05-27/item/1")
    g.add((item, RDF.type, PIA.TableItem))  # no label, no version
    conforms, report = validate(g)
    assert not conforms
    for expected in (
        "dcterms:title",
        "pia:citedTable",
        "pia:lineEnd",
        "sh:NotConstraintComponent",
        "pia:itemLabel",
        "pia:TableVersion",
    ):
        assert expected in report or expected.split(":")[1] in report, (
            f"{expected} not reported:\n{report}"
        )
    assert report.count("Constraint Violation") >= 6


@pytest.fixture(scope="module")
def seed_graphs() -> dict[str, Graph]:
    """Every seed as the assessment loader reads it (graphs are read-only in these tests)."""
    return {seed.stem[:3]: load_assessment(seed).graph for seed in ALL_SEEDS}


@pytest.fixture(scope="module")
def law_graphs(law_dir: Path) -> dict[str, Graph]:
    return {v.source: version_graph(v) for v in find_law_tables(law_dir)}


@pytest.mark.parametrize("seed", [s.stem[:3] for s in ALL_SEEDS])
def test_shapes_accept_every_loaded_seed(seed_graphs: dict[str, Graph], seed: str) -> None:
    conforms, report = validate(seed_graphs[seed])
    assert conforms, report


def test_shapes_tell_change_lists_from_untitled_assessments(seed_graphs: dict[str, Graph]) -> None:
    """003 is a 変更箇所一覧 alone, so its assessment has no title; as an assessment it fails."""
    g = Graph()
    for triple in seed_graphs["003"]:
        g.add(triple)
    assert not list(g.objects(None, DCTERMS.title))
    for doc in g.subjects(RDF.type, PIA.SourceDocument):
        g.set((doc, PIA.documentKind, PIA.AssessmentDocument))
    conforms, report = validate(g)
    assert not conforms and "dcterms:title" in report


def test_shapes_accept_every_law_table_version(law_graphs: dict[str, Graph]) -> None:
    assert len(law_graphs) >= 8  # the tables listed in ../shared/law/SOURCES.md
    failures = {}
    for source, g in law_graphs.items():
        assert len(set(g.subjects(RDF.type, PIA.TableItem))) > 10, source
        conforms, report = validate(g)
        if not conforms:
            failures[source] = report
    assert failures == {}


def test_shapes_catch_a_table_item_without_label(law_graphs: dict[str, Graph]) -> None:
    source, version = next(iter(law_graphs.items()))
    g = Graph()
    for triple in version:
        g.add(triple)
    item = next(iter(g.subjects(RDF.type, PIA.TableItem)))
    g.remove((item, PIA.itemLabel, None))
    conforms, report = validate(g)
    assert not conforms and str(item) in report and "itemLabel" in report


def test_hermit_finds_loaded_data_consistent(
    onto: Graph, seed_graphs: dict[str, Graph], law_graphs: dict[str, Graph], tmp_path: Path
) -> None:
    """The domain, range and disjointness axioms hold for what the loaders really write.

    xsd:date literals are left out: xsd:date is not in the OWL 2 datatype map, so HermiT
    refuses it (the shapes check those values instead).
    """
    # Two seeds (old and new numbering, with 別紙 rows) and one table version keep HermiT's
    # realization of every individual to a few seconds; the whole store was checked by hand.
    law = [g for source, g in law_graphs.items() if "beppyo1_old_2024" in source]
    assert len(law) == 1
    for g in [seed_graphs["000"], seed_graphs["002"], *law]:
        for s, p, o in g:
            if not (isinstance(o, Literal) and o.datatype == XSD_DATE):
                onto.add((s, p, o))
    individuals = set(onto.subjects(RDF.type, PIA.TableItem)) | set(
        onto.subjects(RDF.type, PIA.Provision)
    )
    assert len(individuals) > 100  # the data really is there: 別表 items and 別紙 rows
    reason(onto, tmp_path)


def test_ontology_path_is_the_packaged_file() -> None:
    assert ontology_path().name == "pia.ttl" and ontology_path().exists()
    assert ontology_path().resolve() == (REPO / "ontology" / "pia.ttl").resolve()


def test_shapes_require_a_check_of_a_history_record_not_of_its_first_record_copy() -> None:
    g, _ = _hand_made()
    record = URIRef("https://w3id.org/pia-kg/id/recorded-renumbering/x")
    first = URIRef("https://w3id.org/pia-kg/id/first-record/x")
    for node, kind in ((record, PIA.RecordedRenumbering), (first, PIA.FirstRecord)):
        g.add((node, RDF.type, kind))
        for p, v in ((PIA.oldTable, "番号法別表第一"), (PIA.oldItem, "56"), (PIA.newTable, "番号法別表"), (PIA.newItem, "81")):
            g.add((node, p, Literal(v)))
    g.add((first, PROV.wasDerivedFrom, URIRef("https://w3id.org/pia-kg/id/graph/derived/history/x")))
    conforms, report = validate(g)
    assert not conforms and report.count("Constraint Violation") == 1, report
    assert "recorded-renumbering/x" in report and "first-record/x" not in report
    g.add((record, PIA.checkStatus, Literal("confirmed")))
    assert validate(g)[0]
