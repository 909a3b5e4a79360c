"""Which derivation of its documents a store holds, so that no answer is read from an older one.

What pia-kg derives from each document grows between releases: format 2 added the answer rows
(pia_kg/derive/answer_rows.py) that departments-under-item, recipients-under-item and
citation-problems read. A store whose documents were derived before would answer those as if
no citation meant the item: silently, and wrongly. So the store says, in a graph of its own,
the format all its documents were derived in:

    id:graph/derived/format { id:graph/derived/format pia:derivationFormat 7 }

A load into a store without documents writes it with its first batch (one transaction); a
load into a store of an older format leaves it as it is and warns; ``rederive`` writes it
once every document is derived again. The questions that need the current format raise
:class:`OutdatedStoreError` on a store that holds documents and another format.
"""

from __future__ import annotations

import weakref

from pia_kg.derive import ntriples as nt
from pia_kg.errors import OutdatedStoreError
from pia_kg.store import Store
from pia_kg.vocab import DERIVATION_FORMAT_GRAPH, PIA

__all__ = ["FORMAT", "format_graph", "store_format", "has_documents", "has_law", "outdated", "check_current"]

#: The derivation this pia-kg writes: 1, resolutions, histories and basis links; 2, with the
#: answer rows; 3, with what each law item says on each run of dates
#: (pia_kg/derive/item_meanings.py); 4, with the citation rows renumbering-impact reads; 5, with
#: those rows grouped by the table they cite; 6, with each group's rows in one text; 7, with
#: every packed row as tab-separated cells instead of a JSON object (pia_kg/packed_rows.py).
FORMAT = 7

_SUBJECT, _PREDICATE = nt.iri(DERIVATION_FORMAT_GRAPH), nt.iri(PIA.derivationFormat)

#: The last check of each store: its state token, and whether it was outdated (a question
#: asked again of an unchanged store asks the store nothing more), held by the store object:
#: a store made after another was freed may take its id, and a memory store's token counts
#: its writes.
_CHECKED: weakref.WeakKeyDictionary[Store, tuple[str, bool]] = weakref.WeakKeyDictionary()


def format_graph() -> str:
    """The format graph's statement, as N-Triples.

    >>> format_graph()
    '<https://w3id.org/pia-kg/id/graph/derived/format> <https://w3id.org/pia-kg/ontology#derivationFormat> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .\\n'
    """
    return f"{_SUBJECT} {_PREDICATE} {nt.integer(FORMAT)} .\n"


def store_format(store: Store) -> int | None:
    """The format the store says its documents were derived in (None: it does not say)."""
    rows = store.query(f"SELECT ?f WHERE {{ GRAPH {_SUBJECT} {{ {_SUBJECT} {_PREDICATE} ?f }} }}").rows
    values = [int(str(f)) for (f,) in rows if f is not None and str(f).isdigit()]
    return min(values) if values else None


def has_documents(store: Store) -> bool:
    """Whether the store holds an assessment (one index lookup)."""
    return bool(store.query(f"ASK {{ ?a a {nt.iri(PIA.Assessment)} }}").boolean)


def has_law(store: Store) -> bool:
    """Whether the store holds a law table (one index lookup)."""
    return bool(store.query(f"ASK {{ ?t a {nt.iri(PIA.LawTable)} }}").boolean)


def outdated(store: Store) -> bool:
    """Whether the store holds documents or law derived in another format than this pia-kg's."""
    return store_format(store) != FORMAT and (has_documents(store) or has_law(store))


def check_current(store: Store, question: str) -> None:
    """Raise OutdatedStoreError if ``question`` would be answered from an older derivation."""
    token = store.state_token()
    last = _CHECKED.get(store)
    if token is not None and last is not None and last[0] == token:
        stale = last[1]
    else:
        stale = outdated(store)
        if token is not None:
            _CHECKED[store] = (token, stale)
    if stale:
        found = store_format(store)
        raise OutdatedStoreError(
            f"what this store holds was derived by an older pia-kg (derivation format "
            f"{found or 1}; this one reads format {FORMAT}), so {question} cannot be answered from "
            "them: run `pia-kg rederive` once (it derives every document again and keeps them)"
        )
