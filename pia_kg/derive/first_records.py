"""The renumberings the store's documents record, as the correspondences read them: the first
record of each claim, kept in a graph of its own so that a writer learns them without reading
every document's history.

    id:graph/derived/first-records

The correspondences between law versions depend on the law and, for each distinct claim
(old table, old item → new table, new item), on the one record of it whose source sorts first
(:func:`first_of_each_claim`): a thousand assessments recording the same renumbering are one
piece of evidence, named by one source. There are as many distinct claims as the law has
items to renumber (64 in a generated corpus of 5,000 assessments, 9,597 records), however
many documents repeat them. So the writer keeps them (:class:`FirstRecords`) beside the pair
graphs, one node per claim:

    <id/first-record/...> a pia:FirstRecord ;
        pia:oldTable "番号法別表第一" ; pia:oldItem "56" ; pia:newTable "番号法別表" ; pia:newItem "81" ;
        pia:source "a.txt#L9" ; dcterms:date "2024-06-01"^^xsd:date ;
        prov:wasDerivedFrom <id/graph/derived/history/a> .   # the history graph it is read from

A batch of documents changes it only where one of its records sorts before the one kept, or
where the document of a kept record is replaced or removed: then the records of that claim are
read again, by index, from the other documents. Reading it costs the number of claims, not
the number of documents. A store without it (an older layout) is read whole once, by
:func:`stored_claims`, and the graph written with the next batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from rdflib import URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.documents import derived_graphs_of, document_graph_of
from pia_kg.derive.renumbering_records import RecordedRenumbering
from pia_kg.store import Store
from pia_kg.vocab import DCTERMS, FIRST_RECORDS_GRAPH, HISTORY_GRAPH, PIA, PREFIXES, PROV, RDF, mint

__all__ = ["ClaimKey", "FirstRecords", "claim_key", "first_of_each_claim", "stored_claims"]

_PREFIXES = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())

#: A claim: (old table, old item, new table, new item).
ClaimKey = tuple[str, str, str, str]

# Every renumbering recorded in the store, one row each, with the history graph it is in.
_CLAIMS = _PREFIXES + f"""
SELECT ?g ?oldTable ?oldItem ?newTable ?newItem ?source ?date WHERE {{ GRAPH ?g {{
  ?r a pia:RecordedRenumbering ; pia:oldTable ?oldTable ; pia:oldItem ?oldItem ;
     pia:newTable ?newTable ; pia:newItem ?newItem .
  OPTIONAL {{ ?r pia:source ?source }}
  OPTIONAL {{ ?r dcterms:date ?date }}
  FILTER(STRSTARTS(STR(?g), "{HISTORY_GRAPH}/"))
}} }}
"""

# The records of some claims (VALUES … bound in the sub-select), by index from their old
# item, then the history graph each is in: as many rows as documents record those claims.
# (Matched inside GRAPH ?g, Oxigraph read every record of the store first: six times slower.)
_RECORDS_OF = _PREFIXES + f"""
SELECT ?g ?oldTable ?oldItem ?newTable ?newItem ?source ?date WHERE {{
  {{ SELECT * WHERE {{ %s }} LIMIT 100000 }}
  ?r pia:oldItem ?oldItem ; pia:oldTable ?oldTable ; pia:newItem ?newItem ; pia:newTable ?newTable .
  GRAPH ?g {{
    ?r a pia:RecordedRenumbering .
    OPTIONAL {{ ?r pia:source ?source }}
    OPTIONAL {{ ?r dcterms:date ?date }}
  }}
  FILTER(STRSTARTS(STR(?g), "{HISTORY_GRAPH}/"))
}}
"""

# The graph itself: one row per claim.
_FIRST = _PREFIXES + f"""
SELECT ?g ?oldTable ?oldItem ?newTable ?newItem ?source ?date WHERE {{ GRAPH <{FIRST_RECORDS_GRAPH}> {{
  ?r a pia:FirstRecord ; pia:oldTable ?oldTable ; pia:oldItem ?oldItem ;
     pia:newTable ?newTable ; pia:newItem ?newItem ; prov:wasDerivedFrom ?g .
  OPTIONAL {{ ?r pia:source ?source }}
  OPTIONAL {{ ?r dcterms:date ?date }}
}} }}
"""


def claim_key(c: RecordedRenumbering) -> ClaimKey:
    """What a record claims, whoever records it.

    >>> claim_key(RecordedRenumbering("T", "1", "U", "2", "a.txt#L3"))
    ('T', '1', 'U', '2')
    """
    return (c.old_table, c.old_label, c.new_table, c.new_label)


def _order(c: RecordedRenumbering) -> tuple[str, str]:
    return (c.source, str(c.date))


def first_of_each_claim(claims: Iterable[RecordedRenumbering]) -> list[RecordedRenumbering]:
    """One record per distinct claim (old item → new item), the one whose source sorts first.

    A thousand assessments that record the same renumbering are one piece of evidence for
    the correspondences, named by one source; so loading another that repeats a claim
    derives nothing again, and the graphs do not grow with the corpus.

    >>> a = RecordedRenumbering("T", "1", "T", "2", "b.txt#L3")
    >>> [c.source for c in first_of_each_claim([a, RecordedRenumbering("T", "1", "T", "2", "a.txt#L9")])]
    ['a.txt#L9']
    """
    first: dict[ClaimKey, RecordedRenumbering] = {}
    for c in sorted(claims, key=_order):
        first.setdefault(claim_key(c), c)
    return list(first.values())


def _records(rows: Iterable[Sequence[object]]) -> Iterable[tuple[URIRef, RecordedRenumbering]]:
    """(document graph, record) from rows of ?g ?oldTable ?oldItem ?newTable ?newItem ?source ?date."""
    for g, ot, oi, nt_, ni, src, date in rows:
        day = dt.date.fromisoformat(str(date)[:10]) if date is not None else None
        record = RecordedRenumbering(str(ot), str(oi), str(nt_), str(ni), str(src or ""), day)
        yield document_graph_of(URIRef(str(g))), record


def stored_claims(store: Store) -> dict[URIRef, list[RecordedRenumbering]]:
    """The renumberings recorded by the documents in the store, per document graph: every
    history graph read (one query, one row per record). :class:`FirstRecords` reads only the
    first of each claim."""
    out: dict[URIRef, list[RecordedRenumbering]] = {}
    for doc, record in _records(store.query(_CLAIMS).rows):
        out.setdefault(doc, []).append(record)
    return out


def _same(a: RecordedRenumbering, b: RecordedRenumbering) -> bool:
    return claim_key(a) == claim_key(b) and _order(a) == _order(b)


class FirstRecords:
    """The first record of each claim the documents of a store record, with the document it
    is in, as a writer keeps it across its batches (see the module's docstring).

    ``change(store, claims, leaving)`` applies a batch (the records of the documents it
    writes, and the documents it replaces or removes) and tells whether any first record
    changed: only then can a correspondence change. ``text()`` is the graph to write.
    """

    def __init__(self, first: Mapping[ClaimKey, tuple[RecordedRenumbering, URIRef]] | None = None,
                 *, saved: bool = True) -> None:
        self.first: dict[ClaimKey, tuple[RecordedRenumbering, URIRef]] = dict(first or {})
        self.saved = saved  # whether the store's graph says what ``first`` holds

    @classmethod
    def read(cls, store: Store) -> FirstRecords:
        """The first records as the store's graph holds them (a store of an older layout, which
        has none: from every document's history, once)."""
        rows = store.query(_FIRST).rows
        if rows:
            return cls({claim_key(r): (r, doc) for doc, r in _records(rows)})
        every = [(r, doc) for doc, rs in stored_claims(store).items() for r in rs]
        return cls(_firsts(every), saved=not every)

    def records(self) -> list[RecordedRenumbering]:
        return [r for r, _ in self.first.values()]

    def involves(self, documents: Iterable[URIRef]) -> bool:
        """Whether any of ``documents`` holds a first record (replacing or removing it makes
        :meth:`change` read the claim's other records from the store).

        >>> r = RecordedRenumbering("T", "1", "T", "2", "a.txt#L9")
        >>> f = FirstRecords({claim_key(r): (r, URIRef("urn:a"))})
        >>> f.involves([URIRef("urn:b")]), f.involves([URIRef("urn:a")])
        (False, True)
        """
        wanted = set(documents)
        return any(doc in wanted for _, doc in self.first.values())

    def change(
        self,
        store: Store,
        claims: Mapping[URIRef, Sequence[RecordedRenumbering]],
        leaving: Iterable[URIRef] = (),
    ) -> bool:
        """Apply a batch: documents ``claims`` (by document graph) are written with these
        records, documents ``leaving`` are replaced or removed (those of ``claims`` are
        replaced too). Whether a first record changed."""
        gone = {*claims, *leaving}
        lost = [k for k, (_, doc) in self.first.items() if doc in gone]
        before = dict(self.first)
        for k in lost:
            del self.first[k]
        candidates = [(r, doc) for doc, r in self._stored(store, lost) if doc not in gone]
        candidates += [(r, doc) for doc, rs in claims.items() for r in rs]
        for k, kept in _firsts(candidates).items():
            now = self.first.get(k)
            if now is None or _order(kept[0]) < _order(now[0]):
                self.first[k] = kept
        changed = before.keys() != self.first.keys() or any(
            not _same(before[k][0], r) or before[k][1] != doc for k, (r, doc) in self.first.items()
        )
        self.saved = self.saved and not changed
        return changed

    @staticmethod
    def _stored(store: Store, keys: Sequence[ClaimKey]) -> Iterable[tuple[URIRef, RecordedRenumbering]]:
        """The records of claims ``keys`` in the store, of every document."""
        if not keys:
            return []
        values = " ".join(f"({' '.join(nt.literal(x) for x in k)})" for k in sorted(set(keys)))
        block = f"VALUES (?oldTable ?oldItem ?newTable ?newItem) {{ {values} }}"
        return list(_records(store.query(_RECORDS_OF % block).rows))

    def text(self) -> str:
        """The graph, as N-Triples."""
        out = nt.Triples()
        for (ot, oi, new_t, ni), (r, doc) in sorted(self.first.items()):
            node = nt.iri(mint("first-record", ot, oi, new_t, ni))
            out.add(node, _TYPE, _FIRST_RECORD)
            for p, v in ((_OLD_TABLE, ot), (_OLD_ITEM, oi), (_NEW_TABLE, new_t), (_NEW_ITEM, ni)):
                out.add(node, p, nt.literal(v))
            if r.source:
                out.add(node, _SOURCE, nt.literal(r.source))
            if r.date is not None:
                out.add(node, _DATE, nt.date(r.date))
            out.add(node, _DERIVED_FROM, nt.iri(derived_graphs_of(doc)[1]))
        return out.text()


def _firsts(records: Iterable[tuple[RecordedRenumbering, URIRef]]) -> dict[ClaimKey, tuple[RecordedRenumbering, URIRef]]:
    first: dict[ClaimKey, tuple[RecordedRenumbering, URIRef]] = {}
    for r, doc in sorted(records, key=lambda x: _order(x[0])):
        first.setdefault(claim_key(r), (r, doc))
    return first


_TYPE, _FIRST_RECORD = nt.iri(RDF.type), nt.iri(PIA.FirstRecord)
_OLD_TABLE, _OLD_ITEM = nt.iri(PIA.oldTable), nt.iri(PIA.oldItem)
_NEW_TABLE, _NEW_ITEM = nt.iri(PIA.newTable), nt.iri(PIA.newItem)
_SOURCE, _DATE, _DERIVED_FROM = nt.iri(PIA.source), nt.iri(DCTERMS.date), nt.iri(PROV.wasDerivedFrom)
