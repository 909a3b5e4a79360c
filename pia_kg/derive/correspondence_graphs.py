"""The correspondence graphs of a store: one per version pair, each derived again only when
its own inputs change.

    id:graph/derived/correspondence/{old table}/{old version}/{new table}/{new version}

A pair's correspondences (pia_kg/derive/correspondence.py) depend on the law held and on the
renumberings assessments record that concern that pair (:func:`claims_of_pair`). Each pair
graph states the digest of those inputs (``pia:inputsDigest`` on its own IRI), so a batch of
documents that records a new renumbering about one pair derives and rewrites that pair's
graph alone, and a batch that records nothing new writes none (:class:`CorrespondenceGraphs`).
Graphs are written as N-Triples text, never built as rdflib Graphs.

A store of the older layout holds one graph for every pair, ``id:graph/derived/correspondence``;
the first write drops it and writes the pair graphs in its place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from rdflib import URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.correspondence import (
    correspondence_triples,
    derive_correspondences,
    law_terms,
    reverted_record,
    successive_pairs,
)
from pia_kg.derive.documents import claims_digest
from pia_kg.derive.first_records import first_of_each_claim
from pia_kg.derive.renumbering_records import RecordedRenumbering, applies_to, unique
from pia_kg.loaders.law.model import TableVersion
from pia_kg.store import Store
from pia_kg.text.legal import table_by_key
from pia_kg.vocab import (
    CORRESPONDENCE_GRAPH,
    PIA,
    PREFIXES,
    correspondence_graph_iri,
)

__all__ = [
    "CorrespondenceGraphs",
    "claims_of_pair",
    "pair_graph",
    "stored_digests",
]

_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())

# The digest each correspondence graph states, the older layout's single graph included.
_DIGESTS = _PREFIXES + f"""
SELECT ?g ?digest WHERE {{
  GRAPH ?g {{ ?g pia:inputsDigest ?digest }}
  FILTER(?g = <{CORRESPONDENCE_GRAPH}> || STRSTARTS(STR(?g), "{CORRESPONDENCE_GRAPH}/"))
}}
"""

# The item-table versions held, without their items: enough to name the pairs and to tell
# which claims concern each.
_VERSIONS = _PREFIXES + """
SELECT DISTINCT ?key ?versionKey ?from WHERE {
  ?v a pia:TableVersion ; pia:versionOf/pia:tableKey ?key ; pia:versionKey ?versionKey ;
     eli:first_date_entry_in_force ?from .
}
"""

_INPUTS_DIGEST = nt.iri(PIA.inputsDigest)


def stored_digests(store: Store) -> dict[URIRef, str]:
    """{correspondence graph: the inputs digest it states} for those the store holds (one
    small query)."""
    return {URIRef(str(g)): str(d) for g, d in store.query(_DIGESTS).rows}


def pair_graph(old: TableVersion, new: TableVersion) -> URIRef:
    """The named graph of the correspondences from ``old`` to ``new``."""
    return correspondence_graph_iri(old.table.key, old.version_key, new.table.key, new.version_key)


def claims_of_pair(
    claims: Sequence[RecordedRenumbering], old: TableVersion, new: TableVersion
) -> list[RecordedRenumbering]:
    """The claims the derivation of ``old`` → ``new`` reads, in the order given: those about
    the pair (same tables, dated on or after ``old`` took effect: ``applies_to``) and the
    earlier records of the same documents they revert (``reverted_record``). Deriving the
    pair from these gives exactly what deriving it from every claim gives.

    >>> from pia_kg.text.legal import table_by_key
    >>> t = table_by_key("bango-beppyo1")
    >>> old = TableVersion(t, "a", dt.date(2021, 1, 1), None, "", "")
    >>> new = TableVersion(t, "b", dt.date(2024, 5, 18), None, "", "")
    >>> before = RecordedRenumbering(t.label, "26", t.label, "37", "x#L1", dt.date(2018, 1, 1))
    >>> undone = RecordedRenumbering(t.label, "37", t.label, "26", "x#L2", dt.date(2022, 1, 1))
    >>> other = RecordedRenumbering("番号法別表第二", "1", "番号法別表第二", "2", "x#L3", None)
    >>> [c.source for c in claims_of_pair([before, undone, other], old, new)]
    ['x#L1', 'x#L2']
    """
    records = unique(claims)
    about = [r for r in records if applies_to(r, old.table.label, old.in_force_from, new.table.label)]
    used = {id(r) for r in about}
    used |= {id(e) for r in about if (e := reverted_record(r, records)) is not None}
    return [r for r in records if id(r) in used]


class CorrespondenceGraphs:
    """The correspondence graphs of ``store`` as its writer keeps them: which pair graphs to
    derive again for the claims the documents record now, and which to drop.

    ``update(claims)`` returns the pair graphs whose inputs changed (N-Triples, their digest
    included) and the correspondence graphs no pair has any more (the older layout's single
    graph, pairs of law versions no longer held). Which claims could change anything is the
    writer's to tell (pia_kg/derive/first_records.py).
    """

    def __init__(
        self,
        store: Store,
        law_fingerprint: str | None = None,
        read_versions: Callable[[], Sequence[TableVersion]] | None = None,
    ) -> None:
        """``read_versions``: how to read the store's item-table versions when a pair graph
        is derived again, if not from the store (the writer reads them from the law's graphs
        alone, which it reads for its workers: 0.3-1 s of CPU less than from a store of 1,000
        documents)."""
        from pia_kg.derive.law_state import law_fingerprint as fingerprint_of
        from pia_kg.derive.law_state import main_versions_from_store

        self.store = store
        self.fingerprint = law_fingerprint if law_fingerprint is not None else fingerprint_of(store)
        self.digests = stored_digests(store)
        self._pairs: list[tuple[TableVersion, TableVersion]] | None = None
        self._versions: dict[tuple[str, str], TableVersion] | None = None
        self._read_versions = read_versions or (lambda: main_versions_from_store(store))

    def update(self, claims: Iterable[RecordedRenumbering]) -> tuple[dict[URIRef, str], list[URIRef]]:
        """The pair graphs to write and the graphs to drop so that the store's correspondences
        are derived from the law and ``claims`` (every claim the documents record); ``({}, [])``
        when they already are."""
        every = first_of_each_claim(claims)
        graphs: dict[URIRef, str] = {}
        digests: dict[URIRef, str] = {}
        for old, new in self._version_pairs():
            iri = pair_graph(old, new)
            used = claims_of_pair(every, old, new)
            digests[iri] = claims_digest(f"{self.fingerprint} {iri}", used)
            if self.digests.get(iri) != digests[iri]:
                graphs[iri] = self._derive(old, new, used, digests[iri])
        drops = [g for g in self.digests if g not in digests]
        self.digests = digests
        return graphs, drops

    def _version_pairs(self) -> list[tuple[TableVersion, TableVersion]]:
        """The version pairs, of versions read without their items (a small query)."""
        if self._pairs is None:
            heads: dict[tuple[str, str], TableVersion] = {}  # a version's statements may sit in several graphs
            for key, version_key, start in self.store.query(_VERSIONS).rows:
                table = table_by_key(str(key))
                if table.kind in ("use", "provision"):
                    day = dt.date.fromisoformat(str(start))
                    heads[table.key, str(version_key)] = TableVersion(table, str(version_key), day, None, "", "")
            self._pairs = successive_pairs(heads.values())
        return self._pairs

    def _derive(self, old: TableVersion, new: TableVersion, used: list[RecordedRenumbering], digest: str) -> str:
        if self._versions is None:  # the law does not change while a store is written: read it once
            self._versions = {(v.table.key, v.version_key): v for v in self._read_versions()}
        versions = list(self._versions.values())
        old, new = self._versions[old.table.key, old.version_key], self._versions[new.table.key, new.version_key]
        pairs = derive_correspondences(old, new, used, law_terms(versions, old), law_terms(versions, new))
        triples = correspondence_triples(pairs, old, new)
        iri = pair_graph(old, new)
        triples.add(nt.iri(iri), _INPUTS_DIGEST, nt.literal(digest))
        return triples.text()
