"""Department names as organizational units: one node per unit per body, whatever the spacing.

Documents write the same department as ``市民局戸籍管理課``, ``市民局 戸籍管理課`` or
``静岡市　市民局　戸籍管理課``; a name is cut into its levels (局 / 部 / 課 / 室 / 係 …) by the
suffix each level ends with, so every spelling gives the same path and so the same IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, URIRef

from pia_kg.loaders.documents.builder import text_literal
from pia_kg.loaders.documents.terms import PIA
from pia_kg.text.widths import compact
from pia_kg.vocab import ORG, RDF, RDFS, body_iri, unit_iri

__all__ = ["UNIT_SUFFIXES", "UnitPath", "split_unit", "split_unit_list", "add_body", "add_unit"]

# Suffixes that close one level of a Japanese administrative unit, longest first so that
# センター wins over 所 and 区役所 over 所. 部 and 局 are the upper levels; 課/室/係 the lower.
UNIT_SUFFIXES: tuple[str, ...] = (
    "センター",
    "グループ",
    "事務所",
    "区役所",
    "市役所",
    "保健所",
    "支所",
    "本部",
    "局",
    "部",
    "課",
    "室",
    "係",
    "班",
    "署",
)
# Characters that separate several departments written in one cell.
_LIST_SEP = re.compile(r"[、,，;；\n]|及び|および")


@dataclass(frozen=True)
class UnitPath:
    """A unit as its path from the top (``["市民局", "戸籍管理課"]``), without the body."""

    segments: tuple[str, ...]

    @property
    def name(self) -> str:
        return "".join(self.segments)

    @property
    def level(self) -> str:
        return unit_level(self.segments[-1])


def unit_level(segment: str) -> str:
    """The level a segment names (局, 部, 課, センター …), or "" when no known suffix ends it."""
    for suffix in UNIT_SUFFIXES:
        if segment.endswith(suffix):
            return suffix
    return ""


def split_unit(name: str, body: str | None = None) -> UnitPath | None:
    """Cut a department name into levels; None when nothing is left of it.

    The body's own name in front (静岡市市民局…) is dropped, since the unit already belongs
    to the body. Parts written with spaces are cut at the spaces and then at the suffixes; a
    tail without a known suffix stays one segment rather than being lost.
    """
    text = compact(name)
    if body:
        b = compact(body)
        if text.startswith(b) and len(text) > len(b):
            text = text[len(b) :]
    text = text.strip("・()（）「」")
    if not text:
        return None
    segments = _cut(text)
    pos = sum(len(s) for s in segments)
    if pos < len(text):
        tail = text[pos:]
        # A tail like 長 (…課長) is a post, not a unit; anything else is kept as its own level.
        if segments and tail in {"長", "等"}:
            pass
        else:
            segments.append(tail)
    return UnitPath(tuple(segments)) if segments else None


def _cut(text: str) -> list[str]:
    """Cut at the earliest suffix that closes a segment of plausible length.

    A one-character suffix (部, 課 …) needs two characters before it, so that 内部統制課 or
    課税課 stay whole; a longer suffix (区役所, センター) needs one (各区役所).
    """
    segments: list[str] = []
    start = 0
    i = start
    while i < len(text):
        hit = None
        for suffix in UNIT_SUFFIXES:
            if text.startswith(suffix, i):
                need = 2 if len(suffix) == 1 else 1
                if i - start >= need:
                    hit = suffix
                    break
        if hit:
            segments.append(text[start : i + len(hit)])
            start = i = i + len(hit)
        else:
            i += 1
    return segments


def split_unit_list(text: str) -> list[str]:
    """The department names of a cell that lists several (``各区役所戸籍住民課、各支所``)."""
    return [p.strip() for p in _LIST_SEP.split(text) if p and p.strip()]


def add_body(graph: Graph, body: str) -> URIRef:
    """The public body node (静岡市, 群馬県) with its type and label."""
    node = body_iri(compact(body))
    graph.add((node, RDF.type, PIA.PublicBody))
    graph.add((node, RDF.type, ORG.FormalOrganization))
    _label(graph, node, compact(body))
    return node


def add_unit(graph: Graph, body: str, path: UnitPath) -> URIRef:
    """The unit node of ``path`` and all of its ancestors, each linked to its parent."""
    body_node = add_body(graph, body)
    parent: URIRef = body_node
    node = body_node
    for depth in range(1, len(path.segments) + 1):
        segs = list(path.segments[:depth])
        node = unit_iri(compact(body), segs)
        graph.add((node, RDF.type, ORG.OrganizationalUnit))
        _label(graph, node, "".join(segs))
        graph.set((node, PIA.unitName, text_literal(segs[-1], "ja")))
        level = unit_level(segs[-1])
        if level:
            graph.set((node, PIA.unitLevel, text_literal(level)))
        graph.set((node, ORG.unitOf, parent))
        graph.set((node, PIA.body, body_node))
        parent = node
    return node


def _label(graph: Graph, node: URIRef, text: str) -> None:
    graph.set((node, RDFS.label, text_literal(text, "ja")))
