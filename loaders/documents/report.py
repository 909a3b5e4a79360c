"""The quality report of one loaded document: what it is, which parts it holds, what was read
against what the document says of itself, and the warnings.

``pia-kg load`` prints it after loading and ``pia-kg check`` without writing anything.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, URIRef

from pia_kg.loaders.documents.assessment import LoadedDocument
from pia_kg.loaders.documents.disclosures import declared_counts
from pia_kg.loaders.documents.terms import PIA
from pia_kg.vocab import RDF

__all__ = ["document_report"]


def _count(g: Graph, cls: URIRef) -> int:
    return len(set(g.subjects(RDF.type, cls)))


def document_report(doc: LoadedDocument) -> dict[str, Any]:
    """A JSON-ready report of a loaded document.

    ``stated`` is what the document says of itself: the files section I lists, and what the
    first 提供・移転の有無 says (提供を行っている (N) 件, for its first file); ``counts`` what
    was read for all files.
    """
    g, src = doc.graph, doc.source
    a = next(g.subjects(RDF.type, PIA.Assessment), None)

    def value(p: URIRef) -> str | None:
        v = g.value(a, p) if a is not None else None
        return str(v).rsplit("#", 1)[-1] if v is not None else None

    stated = declared_counts(src, (1, len(src.lines))) if src else {}
    annex_rows = len({s for s in g.subjects(PIA.annex, None)})
    return {
        "document": doc.doc_id,
        "sha256": src.sha256 if src else None,
        "kind": doc.kind,
        "level": value(PIA.level),
        "form": value(PIA.templateVersion),
        "parts": sorted(str(p) for p in g.objects(a, PIA.partFound)) if a is not None else [],
        "ends_early": value(PIA.endsEarly) == "true",
        "counts": {
            "systems": len(set(g.objects(a, PIA.system))) if a is not None else 0,
            "files": len(set(g.objects(a, PIA.file))) if a is not None else 0,
            "outsourcing": _count(g, PIA.Outsourcing),
            "provisions": _count(g, PIA.Provision),
            "transfers": _count(g, PIA.Transfer),
            "annex_rows": annex_rows,
        },
        "stated": {
            "files": doc.stated.get("files"),
            "provisions": stated.get("provision"),
            "transfers": stated.get("transfer"),
        },
        "warnings": list(doc.warnings),
    }
