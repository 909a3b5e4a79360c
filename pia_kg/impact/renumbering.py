"""What an amendment of the law tables makes of each citation: the join behind
renumbering-impact.

queries/renumbering_impact.rq reads the citations of the tables an amendment ended, as their
documents' derivations wrote them (pia_kg/derive/answer_rows.py: a packed row behind the
table as cited, the item the citation resolved to and the item as cited). What the law says
of each is law-wide and small — for each version that ceased: which item each item of the
law means in it (itself, or the item a SKOS match of the correspondences carries it to), and
for each such item what it said and which correspondences lead from it to the version that
took effect — so it is read once per question (:func:`_law_of`) and joined here, in
memory. Looked up citation by citation in SPARQL it cost 200 µs a row in Oxigraph.

The rules, as the query stated them before:

- the item meant: the citation's resolution in the version that ceased, or the items of that
  version a SKOS match carries it to when it resolved to another version; without any
  resolution, the item of that version with the cited label; else none (``pia:NoItem``);
- a row per correspondence from the item meant to the version that took effect (none: the
  citation is left out, unless it cites no item or the item is unknown);
- ``change``: "table replaced" for a citation without an item, a Same correspondence, or a
  Renumbered one to the same number; "unknown item" without an item meant; else the
  correspondence's relation (renumbered, reworded, split, merged, deleted);
- ``confidence``: 1.0, 0.0 or the correspondence's; ``evidence`` likewise;
- ``meaning``: "機関 / 事務" of the item meant ("" when it says none).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from pia_kg.packed_rows import split_keyed, term
from pia_kg.store import QueryResult, Store
from pia_kg.vocab import PIA, PREFIXES

__all__ = ["renumbered_rows"]

_HEAD = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())

# Which item of each version that ceased each item of the law means: itself, or the items of
# that version a SKOS match carries an item of another version to.
_MEANT = _HEAD + """SELECT ?oldVersion ?key ?meant WHERE {{
  VALUES ?oldVersion {{ {versions} }}
  {{ ?meant pia:inVersion ?oldVersion . BIND(?meant AS ?key) }}
  UNION
  {{ ?meant pia:inVersion ?oldVersion . ?key skos:exactMatch|skos:closeMatch ?meant .
     FILTER NOT EXISTS {{ ?key pia:inVersion ?oldVersion }} }}
}}"""

# The items of those versions with their labels (a citation without a resolution means the
# item with the label it cites), what each said, and the correspondences from it to the new version.
_ITEMS = _HEAD + """SELECT ?oldVersion ?newVersion ?meant ?label ?jimu ?agency ?relation
       ?corrConfidence ?newItemLit ?corrEvidenceLit WHERE {{
  VALUES (?oldVersion ?newVersion) {{ {pairs} }}
  ?meant pia:inVersion ?oldVersion .
  OPTIONAL {{ ?meant pia:itemLabel ?label }}
  OPTIONAL {{ ?meant pia:jimu ?jimu }}
  OPTIONAL {{ ?meant pia:agency ?agency }}
  OPTIONAL {{
    ?corr pia:fromItem ?meant ; pia:toVersion ?newVersion ; pia:relation ?relation ;
          pia:confidence ?corrConfidence .
    OPTIONAL {{ ?corr pia:toItem/pia:itemLabel ?newItemLit }}
    OPTIONAL {{ ?corr pia:evidence ?corrEvidenceLit }}
  }}
}}"""

_CHANGES = {
    PIA.Same: "table replaced",
    PIA.Reworded: "reworded",
    PIA.Split: "split",
    PIA.Merged: "merged",
    PIA.Deleted: "deleted",
}
# 1.0 and 0.0 as Oxigraph writes a decimal (canonical form), as the query gave them
_ONE, _ZERO = Literal("1", datatype=XSD.decimal), Literal("0", datatype=XSD.decimal)
_REPLACED = Literal("the table itself was replaced")
_EMPTY, _TABLE_REPLACED, _UNKNOWN = Literal(""), Literal("table replaced"), Literal("unknown item")

#: The columns of the joined rows: the packed row, then what the law says of it.
VARIABLES = ["row", "cited_table", "cited_item", "meaning", "new_table", "new_item", "change", "confidence",
             "evidence", "law_status"]


@dataclass
class _Pair:
    """What the law says for one version that ceased and the one that followed it."""

    meant: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: label → the items of the version that ceased with it
    by_label: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: item meant → (meaning, relation, confidence, new item, evidence) rows
    fates: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))


# What the law says, per store and state (Store.state_token: it changes with every write, the
# correspondences with the documents' recorded renumberings): a question about one assessment
# costs its citations, not the law's 40 ms again.
# (Kept by the store object itself, not its id: a store made after another was freed may
# take its id, and a memory store's token counts its writes.)
_LAW: weakref.WeakKeyDictionary[Store, tuple[str, tuple, dict]] = weakref.WeakKeyDictionary()


def _law_of(store: Store, pairs: Iterable[tuple[str, str]], timeout: float | None) -> dict[tuple[str, str], _Pair]:
    pairs = tuple(sorted(set(pairs)))
    token = store.state_token()
    kept = _LAW.get(store)
    if token is not None and kept is not None and kept[:2] == (token, pairs):
        return kept[2]
    law = _read_law(store, pairs, timeout)
    if token is not None:
        _LAW[store] = (token, pairs, law)
    return law


def _read_law(store: Store, pairs: tuple[tuple[str, str], ...], timeout: float | None) -> dict[tuple[str, str], _Pair]:
    if not pairs:
        return {}
    law = {p: _Pair() for p in pairs}
    by_old = defaultdict(list)
    for old, new in pairs:
        by_old[old].append(law[old, new])
    versions = " ".join(f"<{old}>" for old in by_old)
    for old, key, meant in store.query(_MEANT.format(versions=versions), timeout=timeout).rows:
        for pair in by_old[str(old)]:
            pair.meant[str(key)].append(str(meant))
    values = " ".join(f"(<{old}> <{new}>)" for old, new in pairs)
    for old, new, meant, label, jimu, agency, relation, conf, new_item, evidence in store.query(
        _ITEMS.format(pairs=values), timeout=timeout
    ).rows:
        pair = law[str(old), str(new)]
        if label is not None and str(meant) not in pair.by_label[str(label)]:
            pair.by_label[str(label)].append(str(meant))
        meaning = f"{'' if agency is None else agency} / {jimu}" if jimu is not None else ""
        fate, fates = (meaning, relation, conf, new_item, evidence), pair.fates[str(meant)]
        if fate not in fates:  # once, whatever the number of labels
            fates.append(fate)
    return law


def _fates(pair: _Pair, resolved: str | None, item: str | None) -> list[tuple]:
    """The rows of what a citation became: (meaning, relation, confidence, new item,
    evidence), or [None] for a citation whose item is unknown in the version that ceased."""
    if resolved is not None:
        meant = pair.meant.get(resolved, [])
    else:
        meant = pair.by_label.get(item, []) if item is not None else []
    if not meant:
        return [None]
    return [fate for m in meant for fate in pair.fates.get(m, [("", None, None, None, None)])]


def renumbered_rows(store: Store, scanned: QueryResult, timeout: float | None = None) -> QueryResult:
    """The rows of renumbering-impact from the citations queries/renumbering_impact.rq
    scanned (``keyed``, with the pair of versions and its columns), joined with what the law
    says of each; distinct, in no order (run_query orders them). ``scanned`` is left empty."""
    at = {v: i for i, v in enumerate(scanned.variables)}
    k, o, n = at["keyed"], at["oldVersion"], at["newVersion"]
    law = _law_of(store, ((str(r[o]), str(r[n])) for r in scanned.rows), timeout)
    rows: dict[tuple, None] = {}
    scanned_rows, scanned.rows = scanned.rows, []  # each let go once joined (memory)
    for i, r in enumerate(scanned_rows):
        scanned_rows[i] = ()
        old = str(r[o])
        (_, resolved, item), packed = split_keyed(str(r[k]), 3)
        cited_table, new_table, law_status = r[at["cited_table"]], r[at["new_table"]], r[at["law_status"]]
        cited_item = term(item)
        # the packed row stays a text: run_query orders and unpacks it (no term is made of it)
        for fate in _fates(law[old, str(r[n])], resolved, item):
            if fate is None:  # no item meant
                if cited_item is None:
                    out = (_EMPTY, None, _TABLE_REPLACED, _ONE, _REPLACED)
                else:
                    evidence = f"item {item} is not in {cited_table} as it stood before the amendment"
                    out = (_EMPTY, None, _UNKNOWN, _ZERO, term(evidence))
            else:
                meaning, relation, confidence, new_item_lit, evidence = fate
                if relation is None and cited_item is not None:
                    continue  # the amendment left the item as it was
                new_item = None if new_item_lit is None else term(str(new_item_lit))
                out = (term(meaning), new_item, term(_change(relation, item, new_item)),
                       _ONE if cited_item is None else confidence,
                       _REPLACED if cited_item is None else None if evidence is None else term(str(evidence)))
            meaning_term, new_item, change, confidence, evidence = out
            rows[(packed, cited_table, cited_item, meaning_term, new_table, new_item, change, confidence, evidence,
                  law_status)] = None
    return QueryResult("select", list(VARIABLES), list(rows))  # type: ignore[arg-type]


def _change(relation: Node | None, item: str | None, new_item: Node | None) -> str:
    """What became of a cited item, from the correspondence followed.

    >>> _change(PIA.Renumbered, "56", Literal("81")), _change(PIA.Renumbered, "81", Literal("81"))
    ('renumbered', 'table replaced')
    >>> _change(None, None, None), _change(PIA.Added, "3", None)
    ('table replaced', 'other')
    """
    if item is None:
        return "table replaced"
    if relation == PIA.Renumbered:
        return "table replaced" if new_item is not None and str(new_item) == item else "renumbered"
    return _CHANGES.get(relation, "other")  # type: ignore[arg-type]
