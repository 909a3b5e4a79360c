"""What every extractor of one assessment needs to know about the others' results.

The assessment loader reads the cover, section I and the files of section II first, then
hands this context to the extractors of 提供/移転, 変更箇所 and リスク対策 so that they attach
their facts to the same assessment and file nodes and mint departments the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from pia_kg.loaders.documents.builder import DocumentGraph
from pia_kg.loaders.documents.departments import add_body, add_unit, split_unit, split_unit_list
from pia_kg.loaders.documents.form import Form
from pia_kg.loaders.documents.terms import PIA

__all__ = ["FileRef", "AssessmentContext"]


@dataclass(frozen=True)
class FileRef:
    """One 特定個人情報ファイル of the assessment: its order (1-based), node and name."""

    order: int
    iri: URIRef
    name: str
    line: int  # where its name is written (section I.3 or the heading of its section II part)


@dataclass
class AssessmentContext:
    """The assessment node, its body and files, and the department minting shared by all parts.

    ``files`` maps the file order (1 for the first 特定個人情報ファイル, as numbered in section
    I.3 and in the headings of section II) to its ``FileRef``. ``published`` is the 公表日
    (None for a draft or when the cover leaves it blank); ``kind`` is the document kind local
    name (``AssessmentDocument``, ``ChangeListDocument``, ``CommitteeMaterial``); ``level`` the
    level's local name (``BasicLevel`` …) when the cover tells it. ``form`` is the document
    read as a form once, for the extractors to share (each reads its own when it is None).
    """

    dg: DocumentGraph
    assessment: URIRef
    body: str
    kind: str = "AssessmentDocument"
    published: dt.date | None = None
    level: str | None = None
    stated: dict[str, int | None] = field(default_factory=dict)
    files: dict[int, FileRef] = field(default_factory=dict)
    form: Form | None = None
    _units: dict[str, URIRef | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def body_iri(self) -> URIRef:
        return add_body(self.dg.graph, self.body)

    def unit(self, name: str, line: int | None = None) -> URIRef | None:
        """The org:OrganizationalUnit for one department name, created with its parents.

        Returns None when ``name`` holds no unit name (blank, only punctuation). ``line``
        records where the unit was first seen in this document.
        """
        if name in self._units:
            # The unit and its parents are in the graph already, as this name made them; the
            # body's own triples are written again, as add_unit would.
            node = self._units[name]
            if node is not None:
                add_body(self.dg.graph, self.body)
        else:
            path = split_unit(name, self.body)
            node = None if path is None else add_unit(self.dg.graph, self.body, path)
            self._units[name] = node
        if node is None:
            return None
        if line is not None and (node, PIA.source, None) not in self.dg.graph:
            self.dg.provenance(node, line)
        return node

    def units(self, text: str, line: int | None = None) -> list[URIRef]:
        """The units of a cell that names several departments (``A課、B課``), in order."""
        found = []
        for name in split_unit_list(text):
            node = self.unit(name, line)
            if node is not None and node not in found:
                found.append(node)
        return found

    def file_by_name(self, name: str) -> FileRef | None:
        """The file whose name is ``name`` (compared after width and space folding)."""
        from pia_kg.text.widths import compact

        key = compact(name)
        for ref in self.files.values():
            if compact(ref.name) == key:
                return ref
        return None

    def literal_date(self) -> Literal | None:
        return Literal(self.published) if self.published else None
