"""A small dataset cut from the loaded seeds, on which every named query still answers.

rdflib evaluates the named queries over the whole seed graph in about a minute (the
renumbering impact alone ~30 s); comparing the engines does not need all of it. The cut keeps
every graph but only a few legal citations per document (and those citing an item a query's
example asks about), and of the law only the items those cite and the items corresponding to
them, with their correspondences. Everything kept is real extracted or derived data.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, URIRef
from rdflib.term import Node

from pia_kg.named_queries import named_queries
from pia_kg.store import Store
from pia_kg.vocab import PIA, RDF

__all__ = ["small_dataset"]


def small_dataset(store: Store, *, per_document: int = 3) -> dict[URIRef, Graph]:
    """Every named graph of ``store``, cut down as the module docstring says."""
    graphs = {g: store.get_graph(g) for g in store.named_graphs()}
    union = Graph()
    for g in graphs.values():
        union += g
    citations = sorted(union.subjects(RDF.type, PIA.LegalCitation))
    kept = _kept_citations(union, citations, per_document)
    items = set(union.subjects(RDF.type, PIA.TableItem))
    kept_items = _kept_items(union, items, _labels(union, kept))
    drop = (set(citations) - kept) | (items - kept_items)
    drop |= {
        c
        for c in union.subjects(RDF.type, PIA.Correspondence)
        if union.value(c, PIA.fromItem) in drop or union.value(c, PIA.toItem) in drop
    }
    below = tuple(f"{d}/" for d in drop)  # nodes minted under a dropped one (provider entries)
    for g in graphs.values():
        for s, p, o in list(g):
            if s in drop or o in drop or str(s).startswith(below):
                g.remove((s, p, o))
    return graphs


def _example_items() -> set[str]:
    return {str(p.example) for q in named_queries().values() for p in q.params if p.name == "item"}


def _kept_citations(union: Graph, citations: list[Node], per_document: int) -> set[Node]:
    by_document: dict[str, list[Node]] = defaultdict(list)
    for c in citations:
        by_document[str(c).rsplit("/citation/", 1)[0]].append(c)
    kept = {c for cs in by_document.values() for c in cs[:per_document]}
    examples = _example_items()
    return kept | {c for c in citations if str(union.value(c, PIA.citedItem)) in examples}


def _labels(union: Graph, citations: set[Node]) -> set[str]:
    cited = {union.value(c, PIA.citedItem) for c in citations}
    return _example_items() | {str(x) for x in cited if x is not None}


def _kept_items(union: Graph, items: set[Node], labels: set[str]) -> set[Node]:
    """Items with a kept label, and the items a correspondence links them to (one step)."""
    label_of = {i: str(union.value(i, PIA.itemLabel)) for i in items}
    kept = {i for i in items if label_of[i] in labels}
    for corr in union.subjects(RDF.type, PIA.Correspondence):
        ends = {union.value(corr, PIA.fromItem), union.value(corr, PIA.toItem)}
        if ends & kept:
            kept |= {e for e in ends if e in items}
    return kept
