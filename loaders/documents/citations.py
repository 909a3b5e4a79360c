"""Legal citations as written in an assessment, with the canonical table they name.

A citation keeps the document's words (``番号法第9条第1項別表第1``, ``項番36の2``) and adds
the canonical table label and the item label in the law tables' form, as the citation grammar
(``pia_kg.text.citation.parse_citations``) reads them, so that a resolver can read it against
the table version in force. Shared by every extractor that meets a 法令上の根拠.
"""

from __future__ import annotations

from rdflib import URIRef

from pia_kg.loaders.documents.builder import DocumentGraph
from pia_kg.text.citation import parse_citations
from pia_kg.vocab import PIA

__all__ = ["add_citations"]


def add_citations(
    dg: DocumentGraph, owner: str, text: str, start: int, end: int, *, default_law: str = "番号法"
) -> list[URIRef]:
    """``pia:LegalCitation`` nodes for ``text`` (the whole basis cell), keyed under ``owner``.

    Every node carries the whole text as ``pia:basisText``; none is made when the text
    cites nothing recognisable (the text itself is still kept by the caller).
    """
    nodes = []
    for i, c in enumerate(parse_citations(text, default_law), start=1):
        node = dg.fact("citation", (owner, str(i)), PIA.LegalCitation, start, end)
        dg.add(node, PIA.basisText, text)
        dg.add(node, PIA.articleAsWritten, c.article)
        dg.add(node, PIA.tableAsWritten, c.table)
        dg.add(node, PIA.citedTable, c.canonical)
        dg.add(node, PIA.citedItem, c.item)
        nodes.append(node)
    return nodes
