"""What an amendment of the law tables makes of each citation: the join behind
renumbering-impact.

queries/renumbering_impact.rq reads the citations of the tables an amendment ended, as their
documents' derivations wrote them (pia_kg/derive/answer_rows.py: a packed row behind the
item the citation resolved to and the item as cited, found by the table as cited). What the
law says of each is law-wide and small — the pairs of versions of the amendment (the version
of each table that ceased on its date and the one that took effect then), and for each
version that ceased: which item each item of the law means in it (itself, or the item a
SKOS match of the correspondences carries it to), and for each such item what it said and
which correspondences lead from it to the version that took effect — so it is read once per
question and store state (:func:`_law_of`) and joined here, in memory. Looked up citation
by citation in SPARQL it cost 200 µs a row in Oxigraph.

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
from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

from pia_kg.packed_rows import lines, split_keyed, term
from pia_kg.store import QueryResult, Store
from pia_kg.vocab import PIA, PREFIXES

__all__ = ["renumbered_rows"]

_HEAD = "".join(f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items())

# The pairs of versions of the amendment: the versions that ceased on its date and those that
# took effect then (a few rows whatever the corpus, read from the date by index), for the
# pairs the correspondences were derived for, with the labels of their tables and how far the
# law held answers on the date for the table that follows.
_PAIRS = _HEAD + """SELECT DISTINCT ?oldVersion ?newVersion ?cited_table ?new_table ?law_status WHERE {{
  VALUES ?amendment {{ {amendment} }}
  BIND(STRDT(STR(?amendment), xsd:date) AS ?end)
  ?oldVersion eli:date_no_longer_in_force ?end ; a pia:TableVersion ; pia:versionOf/rdfs:label ?oldLabel .
  FILTER(LANG(?oldLabel) = "ja")
  ?newVersion eli:first_date_entry_in_force ?end ; a pia:TableVersion ; pia:versionOf/rdfs:label ?newLabel .
  FILTER(LANG(?newLabel) = "ja")
  # joined whole: as a FILTER EXISTS Oxigraph read them again for each pair of versions
  {{ SELECT DISTINCT ?oldVersion ?newVersion WHERE {{ ?pair pia:fromVersion ?oldVersion ; pia:toVersion ?newVersion }} }}
  BIND(STR(?oldLabel) AS ?cited_table)
  BIND(STR(?newLabel) AS ?new_table)
  OPTIONAL {{ ?newVersion pia:lawStatus ?periodStatus }}
  BIND(COALESCE(?periodStatus, "not-held") AS ?law_status)
}}"""

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
_RENUMBERED = PIA.Renumbered  # (an rdflib namespace makes the IRI again at each attribute read)
_EMPTY, _TABLE_REPLACED, _UNKNOWN = Literal(""), Literal("table replaced"), Literal("unknown item")

#: The columns of the joined rows: the packed row, then what the law says of it.
VARIABLES = ["row", "cited_table", "cited_item", "meaning", "new_table", "new_item", "change", "confidence",
             "evidence", "law_status"]


@dataclass
class _Pair:
    """What the law says for one version that ceased and the one that followed it."""

    #: the columns of its rows: the table as cited, the table that followed, the law status
    columns: tuple[Node, Node, Node]

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
_LAW: weakref.WeakKeyDictionary[Store, tuple[str, str, dict]] = weakref.WeakKeyDictionary()


def _law_of(store: Store, amendment: Node, timeout: float | None) -> dict[str, list[_Pair]]:
    """What the law says of the citations of each table (as cited) that ``amendment`` ended:
    a :class:`_Pair` for each version that followed."""
    token = store.state_token()
    kept = _LAW.get(store)
    if token is not None and kept is not None and kept[:2] == (token, amendment.n3()):
        return kept[2]
    law = _read_law(store, amendment, timeout)
    if token is not None:
        _LAW[store] = (token, amendment.n3(), law)
    return law


def _read_law(store: Store, amendment: Node, timeout: float | None) -> dict[str, list[_Pair]]:
    law: dict[tuple[str, str], _Pair] = {}
    by_table: dict[str, list[_Pair]] = defaultdict(list)
    by_old: dict[str, list[_Pair]] = defaultdict(list)
    for old, new, cited_table, new_table, law_status in store.query(
        _PAIRS.format(amendment=amendment.n3()), timeout=timeout
    ).rows:
        pair = law[str(old), str(new)] = _Pair((cited_table, new_table, law_status))
        by_table[str(cited_table)].append(pair)
        by_old[str(old)].append(pair)
    if not law:
        return {}
    versions = " ".join(f"<{old}>" for old in by_old)
    for old, key, meant in store.query(_MEANT.format(versions=versions), timeout=timeout).rows:
        for pair in by_old[str(old)]:
            pair.meant[str(key)].append(str(meant))
    values = " ".join(f"(<{old}> <{new}>)" for old, new in law)
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
    return dict(by_table)


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


def renumbered_rows(
    store: Store, scanned: QueryResult, bindings: Mapping[str, Node], timeout: float | None = None
) -> QueryResult:
    """The rows of renumbering-impact from the citations queries/renumbering_impact.rq read
    (``keyed``: an assessment's rows of the table as cited, a line each), joined with what
    the law says of each on the date of the amendment (``bindings``' ``amendment``);
    distinct, in no order (run_query orders them). ``scanned`` is left empty."""
    at = {v: i for i, v in enumerate(scanned.variables)}
    k, t = at["keyed"], at["cited_table"]
    law = _law_of(store, bindings["amendment"], timeout) if scanned.rows else {}
    # What a citation became depends on its table, the item it resolved to and the item as
    # cited alone: worked out once for each (rdflib hashes a term in Python code, and 140,000
    # rows made a million of them), each distinct tail of a row numbered; a row is then its
    # packed text (it stays a text: run_query orders and unpacks it) and a number.
    joined: dict[tuple[str, str | None, str | None], list[int]] = {}
    numbers: dict[tuple, int] = {}
    rows: dict[tuple[str, int], None] = {}
    scanned_rows, scanned.rows = scanned.rows, []  # each let go once joined (memory)
    for i, r in enumerate(scanned_rows):
        scanned_rows[i] = ()
        table = str(r[t])
        for line in lines(str(r[k])):  # the rows of one assessment's citations of the table
            (resolved, item), packed = split_keyed(line, 2)
            key = (table, resolved, item)
            found = joined.get(key)
            if found is None:
                found = joined[key] = [numbers.setdefault(tail, len(numbers))
                                       for pair in law.get(table, ()) for tail in _tails(pair, resolved, item)]
            for number in found:
                rows[packed, number] = None
    tails = list(numbers)
    return QueryResult("select", list(VARIABLES), [(packed, *tails[j]) for packed, j in rows])


def _tails(pair: _Pair, resolved: str | None, item: str | None) -> list[tuple]:
    """What a citation of ``item`` that resolved to ``resolved`` became, a row's columns after
    its packed row for each (none: the amendment left the item as it was)."""
    cited_table, new_table, law_status = pair.columns
    cited_item = term(item)
    out = []
    for fate in _fates(pair, resolved, item):
        if fate is None:  # no item meant
            if cited_item is None:
                tail = (_EMPTY, None, _TABLE_REPLACED, _ONE, _REPLACED)
            else:
                evidence = f"item {item} is not in {cited_table} as it stood before the amendment"
                tail = (_EMPTY, None, _UNKNOWN, _ZERO, term(evidence))
        else:
            meaning, relation, confidence, new_item_lit, evidence = fate
            if relation is None and cited_item is not None:
                continue  # the amendment left the item as it was
            new_item = None if new_item_lit is None else term(str(new_item_lit))
            tail = (term(meaning), new_item, term(_change(relation, item, new_item)),
                    _ONE if cited_item is None else confidence,
                    _REPLACED if cited_item is None else None if evidence is None else term(str(evidence)))
        meaning_term, new_item, change, confidence, evidence = tail
        out.append((cited_table, cited_item, meaning_term, new_table, new_item, change, confidence, evidence,
                    law_status))
    return out


def _change(relation: Node | None, item: str | None, new_item: Node | None) -> str:
    """What became of a cited item, from the correspondence followed.

    >>> _change(PIA.Renumbered, "56", Literal("81")), _change(PIA.Renumbered, "81", Literal("81"))
    ('renumbered', 'table replaced')
    >>> _change(None, None, None), _change(PIA.Added, "3", None)
    ('table replaced', 'other')
    """
    if item is None:
        return "table replaced"
    if relation == _RENUMBERED:
        return "table replaced" if new_item is not None and str(new_item) == item else "renumbered"
    return _CHANGES.get(relation, "other")  # type: ignore[arg-type]
