"""Legal citations as written in an assessment, with the canonical table they name.

A citation keeps the document's words (``番号法第9条第1項別表第1``, ``項番36の2``) and adds
the canonical table label (``pia_kg.text.legal.canonical_table_label``) and the item label in the
law tables' form (``pia_kg.text.japanese.normalize_item_label``), so that a resolver can read it
against the table version in force. Shared by every extractor that meets a 法令上の根拠.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from pia_kg.loaders.documents.builder import DocumentGraph
from pia_kg.text.japanese import nfkc, normalize_item_label
from pia_kg.text.legal import canonical_table_label
from pia_kg.vocab import PIA

__all__ = ["ParsedCitation", "parse_citations", "add_citations"]

_KNOWN_LAW = r"(?:番号法|番号利用法|住基法|住民基本台帳法)"
_LAW = rf"(?:{_KNOWN_LAW}|[^\s、。()「」・,，:：;；]{{1,20}}?(?:条例|規則|政令|省令|法))"
_ARTICLE = re.compile(
    rf"(?P<law>{_LAW})?\s*第\s*\d+\s*条(?:の\d+)?(?:\s*第\s*\d+\s*項)?(?:\s*第\s*\d+\s*号)?"
)
_TABLE = re.compile(
    rf"(?P<t>(?:{_LAW})?(?:の)?(?:主務省令\s*第\s*(?:2|二)\s*条?\s*の表|別表\s*(?:第\s*[0-9一二三四五六七八九十]+)?))"
)
# An item list after a table: 項番36の2 / 第106号 / (1、2、3の項) / 56の項.
_ITEM_LIST = re.compile(r"(?P<list>\d+(?:の\d+)*(?:\s*[、,，]\s*\d+(?:の\d+)*)*)\s*(?:の項|項)")
_ITEM_SINGLE = re.compile(r"(?:項番|第)\s*(?P<one>\d+(?:の\d+)*)\s*(?:号|項)?")


@dataclass(frozen=True)
class ParsedCitation:
    """One (article, table, item) reading of a basis text; item None when none is cited."""

    article: str | None
    table: str | None
    canonical: str | None
    item: str | None


def parse_citations(text: str, default_law: str = "番号法") -> list[ParsedCitation]:
    """The citations one basis text makes: one per cited item of its first table.

    A text that names an article but no table gives one citation without a table; a text
    that names neither gives none.
    """
    t = nfkc(text)
    art = _ARTICLE.search(t)
    article = re.sub(r"\s+", "", art.group(0)) if art else None
    if art and not art["law"]:
        # "住民基本台帳法(昭和42年…) ・第7条": the article belongs to the law named before it.
        named = list(re.finditer(_KNOWN_LAW, t[: art.start()]))
        if named:
            article = named[-1].group(0) + article
    tab = _TABLE.search(t)
    if tab is None:
        return [ParsedCitation(article, None, None, None)] if article else []
    table = re.sub(r"\s+", "", tab["t"])
    law_of_article = art["law"] if art and art["law"] else None
    if law_of_article and not re.match(_LAW, table):
        # 住民基本台帳法第30条の15 … 別表第五: the bare 別表 is the article's law's table.
        canonical = canonical_table_label(law_of_article + table, default_law=default_law)
    else:
        canonical = canonical_table_label(table, default_law=default_law)
    after = t[tab.end() : tab.end() + 600]
    items: list[str] = []
    m = _ITEM_LIST.search(after)
    if m and m.start() < 80:
        items = [p.strip() for p in re.split(r"[、,，]", m["list"])]
    else:
        one = _ITEM_SINGLE.match(after.lstrip(" 　"))
        if one is None:
            one = re.search(r"項番\s*(?P<one>\d+(?:の\d+)*)", after[:40])
        if one:
            items = [one["one"]]
    labels = []
    for it in items:
        try:
            labels.append(normalize_item_label(it))
        except ValueError:
            continue
    if not labels:
        return [ParsedCitation(article, table, canonical, None)]
    return [ParsedCitation(article, table, canonical, lab) for lab in labels]


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
