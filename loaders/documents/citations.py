"""Legal citations as written in an assessment, with the canonical table they name.

A citation keeps the document's words (``番号法第9条第1項別表第1``, ``項番36の2``) and adds
the canonical table label and the item label in the law tables' form, as the citation grammar
(``pia_kg.text.citation.parse_citations``) reads them, so that a resolver can read it against
the table version in force. Shared by every extractor that meets a 法令上の根拠.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from pia_kg.loaders.documents.builder import DocumentGraph
from pia_kg.loaders.documents.terms import PIA
from pia_kg.text.citation import ParsedCitation, parse_citations
from pia_kg.text.legal import table_by_label

__all__ = [
    "add_citations",
    "free_text_citations",
    "add_free_text_citations",
    "quoted_annex_rows",
    "add_quoted_annex_citations",
]


def add_citations(
    dg: DocumentGraph, owner: str, text: str, start: int, end: int, *, default_law: str = "番号法"
) -> list[URIRef]:
    """``pia:LegalCitation`` nodes for ``text`` (the whole basis cell), keyed under ``owner``.

    Every node carries the whole text as ``pia:basisText``; none is made when the text
    cites nothing recognisable (the text itself is still kept by the caller).
    """
    return _citation_nodes(dg, (owner,), parse_citations(text, default_law), text, start, end)


def _citation_nodes(
    dg: DocumentGraph,
    key: tuple[str, ...],
    citations: list[ParsedCitation],
    text: str,
    start: int,
    end: int,
) -> list[URIRef]:
    """One ``pia:LegalCitation`` node per parsed citation, keyed ``key + (n,)``."""
    nodes = []
    for i, c in enumerate(citations, start=1):
        node = dg.fact("citation", (*key, str(i)), PIA.LegalCitation, start, end)
        dg.add(node, PIA.basisText, text)
        dg.add(node, PIA.articleAsWritten, c.article)
        dg.add(node, PIA.tableAsWritten, c.table)
        dg.add(node, PIA.citedTable, c.canonical)
        dg.add(node, PIA.citedItem, c.item)
        nodes.append(node)
    return nodes


# --- citations outside the 法令上の根拠 cells (issue 13) ----------------------------------

_SENTENCE = re.compile(r"。|</?p>|\n")
_ITEM_MARK = re.compile(r"項番|の項|第\s*\d+\s*[号項]|\d+\s*項")
_ANNEX_HEADING = re.compile(r"^[(（]別紙\s*[0-9０-９]+[)）]\s*(?P<basis>\S.*)$")
_ROW = re.compile(r"^(?P<item>\d+(?:の\d+)*)\s+(?P<rest>\S.*)$")


def free_text_citations(text: str) -> list[ParsedCitation]:
    """Citations with an item number of a table pia-kg knows, in free text (事務の内容).

    Read sentence by sentence, so that a law named earlier in the text does not swallow a
    table cited later ("…番号法」という。)の別表第1の項番81の規定により…").

    >>> [(c.canonical, c.item) for c in free_text_citations(
    ...     "番号法の別表第1の項番81の規定により、個人番号を利用する。主務省令第2条の表に記載の業務")]
    [('番号法別表第一', '81')]
    """
    out = []
    for sentence in _SENTENCE.split(text):
        if "別表" not in sentence and "主務省令" not in sentence:
            continue
        if not _ITEM_MARK.search(sentence):
            continue
        out += [c for c in parse_citations(sentence) if c.item and table_by_label(c.canonical or "")]
    return out


def add_free_text_citations(
    dg: DocumentGraph, owner: str, text: str, start: int, end: int
) -> list[URIRef]:
    """``pia:LegalCitation`` nodes for the item citations of a free text (the caller links
    them with ``pia:freeTextCitation``)."""
    return _citation_nodes(dg, (owner, "free-text"), free_text_citations(text), text, start, end)


def quoted_annex_rows(section: str, text: str) -> list[tuple[ParsedCitation, str]]:
    """The 別紙 rows a change list quotes: (citation, purpose) per row under a heading that
    names a table pia-kg knows ("(別紙2) 番号法第9条第1項別表第一に掲げる事務", then rows
    "84 障害者福祉課 … 健康増進法による…もの"). The purpose is the row's last cell.

    >>> [(c.canonical, c.item, p) for c, p in quoted_annex_rows(
    ...     "(別紙2) 番号法第9条第1項別表第一に掲げる事務", "項番 移転先 用途\\n84 障害者福祉課 健康増進法による事務")]
    [('番号法別表第一', '84', '健康増進法による事務')]
    """
    heading = _ANNEX_HEADING.match(section.strip())
    basis = parse_citations(heading["basis"]) if heading else []
    if not basis or not table_by_label(basis[0].canonical or "") or basis[0].item:
        return []
    out = []
    for line in text.splitlines():
        row = _ROW.match(line.strip())
        if row is None:
            continue
        purpose = row["rest"].split()[-1]
        out.append((ParsedCitation(basis[0].article, basis[0].table, basis[0].canonical, row["item"]), purpose))
    return out


def add_quoted_annex_citations(
    dg: DocumentGraph, record: URIRef, section: str, text: str, start: int, end: int
) -> None:
    """``pia:quotedCitation`` of a change record: each 別紙 row it quotes, with its purpose."""
    for i, (c, purpose) in enumerate(quoted_annex_rows(section, text), start=1):
        node = dg.fact("citation", ("quoted", str(start), str(i)), PIA.LegalCitation, start, end)
        dg.add(record, PIA.quotedCitation, node)
        dg.add(node, PIA.basisText, section)
        dg.add(node, PIA.articleAsWritten, c.article)
        dg.add(node, PIA.tableAsWritten, c.table)
        dg.add(node, PIA.citedTable, c.canonical)
        dg.add(node, PIA.citedItem, c.item)
        dg.add(node, PIA.quotedPurpose, purpose)
