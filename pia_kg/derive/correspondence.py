"""Which item became which, between two versions of a law table: derived, with how sure we are.

No official old→new list (新旧対照表) exists for the 2024-05-27 reform or for the amendments
between the snapshots we hold, so every pair is derived from the tables themselves and says
why: the similarity of 事務 and 機関 once law numbers and boilerplate are set aside, the law the
事務 cites, the providers of a 別表第二-type item, whether the pair keeps table order, and the
renumberings assessments record in their 変更箇所. The method never forces a pair: an item
with no counterpart above the acceptance threshold is Deleted (or Added), even when a nearest
item exists, and the evidence names that nearest item so a reader can judge.

Relations (pia:CorrespondenceKind): Same (same label, same text), Renumbered (other label, same
text), Reworded (same 事務, text changed), Split (one old item → several new), Merged (several
old → one new), Added, Deleted. "Text" is the item's 機関 and 事務 after normalisation
(law_text); the provider lines of a 別表第二-type item are evidence, not identity: the
2024-05-18 amendment added 内閣総理大臣 as a provider to most items without changing them.

Confidence: 0.99 for identical text with no identical rival. Otherwise the combined score
(item_similarity) scaled down when the best rival still free is within 0.2 of it, × 0.9 when
the pair breaks table order, + 0.1 when an assessment records the same pair. Deleted / Added:
0.99 when the new version itself marks the row 削除, 0.95 when no item of the other version
has the same 機関 and law, else 1 − 0.6 × the nearest candidate's score (at least 0.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from rdflib import Graph, URIRef

from pia_kg.derive import ntriples as nt
from pia_kg.derive.item_matching import (
    ACCEPT,
    Match,
    Scores,
    assign,
    compatible,
    mark_order,
    score_pairs,
)
from pia_kg.derive.item_similarity import (
    ItemProfile,
    Similarity,
    agency_covered,
    containment,
    profile,
)
from pia_kg.derive.law_text import defined_terms
from pia_kg.derive.renumbering_records import RecordedRenumbering, applies_to, unique
from pia_kg.loaders.law.model import TableVersion
from pia_kg.text.items import item_sort_key
from pia_kg.vocab import (
    CORRESPONDENCE_GRAPH,
    PIA,
    PREFIXES,
    RDF,
    SKOS,
    XSD,
    mint,
    table_item_iri,
    table_version_iri,
)

__all__ = [
    "Relation",
    "Correspondence",
    "RecordCheck",
    "CORRESPONDENCE_GRAPH",
    "SUCCESSOR_TABLES",
    "derive_correspondences",
    "derive_all",
    "check_recorded",
    "reverted_record",
    "law_terms",
    "successive_pairs",
    "correspondence_graph",
    "correspondence_triples",
    "confidence_band",
]

# Re-exported: the graph is named in pia_kg.vocab, with the other derived graphs.

# Tables replaced as a whole on 2024-05-27: the last version of the key is followed by the
# first version of the value.
SUCCESSOR_TABLES: dict[str, str] = {
    "bango-beppyo1": "bango-beppyo",
    "bango-beppyo2": "shumu-shorei-art2",
}

# A split or merge part must be contained almost verbatim in the item it came from / went to.
CONTAINED = 0.9


class Relation(StrEnum):
    SAME = "Same"
    RENUMBERED = "Renumbered"
    REWORDED = "Reworded"
    SPLIT = "Split"
    MERGED = "Merged"
    ADDED = "Added"
    DELETED = "Deleted"

    @property
    def iri(self) -> URIRef:
        return PIA[self.value]

    @property
    def skos(self) -> URIRef | None:
        """The SKOS mapping the pair also asserts between its items, if any."""
        if self in (Relation.SAME, Relation.RENUMBERED):
            return SKOS.exactMatch
        if self in (Relation.REWORDED, Relation.SPLIT, Relation.MERGED):
            return SKOS.closeMatch
        return None


@dataclass(frozen=True)
class Correspondence:
    """One derived pair. ``from_label`` is None for Added, ``to_label`` None for Deleted."""

    from_label: str | None
    to_label: str | None
    relation: Relation
    confidence: float  # 0..1, rounded to 2 places
    evidence: str


@dataclass(frozen=True)
class RecordCheck:
    """A recorded renumbering held against the derived pairs: confirmed, contradicted, unknown."""

    record: RecordedRenumbering
    status: str  # "confirmed" | "contradicted" | "unknown-item"
    detail: str


def confidence_band(confidence: float) -> str:
    """high ≥ 0.9, medium ≥ 0.7, low below: the bands reports count pairs in."""
    return "high" if confidence >= 0.9 else "medium" if confidence >= 0.7 else "low"


def derive_correspondences(
    old: TableVersion,
    new: TableVersion,
    recorded: Iterable[RecordedRenumbering] = (),
    terms: dict[str, str] | None = None,
    new_terms: dict[str, str] | None = None,
) -> list[Correspondence]:
    """Every correspondence from ``old`` to ``new``, sorted by old item then new item.

    ``recorded``: renumberings claimed by assessments (see renumbering_records); those about
    this version pair raise the confidence of the pairs they confirm, and those the tables
    contradict are noted in the evidence of the old item's pair (never used as truth).
    Items marked 削除 in ``old`` are not items any more and get no correspondence. ``terms``:
    the terms the old version's law defines (:func:`~pia_kg.derive.law_text.defined_terms`),
    read in old items as what they stand for; ``new_terms`` likewise in new items.
    """
    out = _apply_records(_from_tables(old, new, terms, new_terms), old, new, recorded)
    return sorted(out, key=_sort_key)


# What the tables alone give, per version pair: the records change only the confidences
# and evidence (_apply_records), so a load that records new renumberings does not score
# the tables again. Entries hold their versions, so an id is not reused while cached.
_TABLE_PAIRS: dict[tuple[int, int], tuple[TableVersion, TableVersion, object, list[Correspondence]]] = {}


def _from_tables(
    old: TableVersion, new: TableVersion, terms: dict[str, str] | None, new_terms: dict[str, str] | None
) -> list[Correspondence]:
    key, inputs = (id(old), id(new)), (terms, new_terms)
    hit = _TABLE_PAIRS.get(key)
    if hit is not None and hit[0] is old and hit[1] is new and hit[2] == inputs:
        return hit[3]
    if len(_TABLE_PAIRS) > 64:
        _TABLE_PAIRS.clear()
    out = _derive_from_tables(old, new, terms, new_terms)
    _TABLE_PAIRS[key] = (old, new, inputs, out)
    return out


def _derive_from_tables(
    old: TableVersion, new: TableVersion, terms: dict[str, str] | None, new_terms: dict[str, str] | None
) -> list[Correspondence]:
    olds = [profile(i, k, terms) for k, i in enumerate(old.items) if not i.deleted]
    news = [profile(i, k, new_terms) for k, i in enumerate(new.items) if not i.deleted]
    sims = score_pairs(olds, news)
    matches = assign(olds, news, sims, len(old.items), len(new.items))
    mark_order(matches)
    out = [_matched(m, same_table=old.table.key == new.table.key) for m in matches]
    by_old = {m.old.label: m for m in matches}
    by_new = {m.new.label: m for m in matches}
    extra, split_of, merged_into = _splits_and_merges(olds, news, sims, by_old, by_new)
    out = [
        replace(c, relation=Relation.SPLIT)
        if c.from_label in split_of
        else replace(c, relation=Relation.MERGED)
        if c.to_label in merged_into
        else c
        for c in out
    ]
    out.extend(extra)
    placed_old = set(by_old) | {c.from_label for c in extra}
    placed_new = set(by_new) | {c.to_label for c in extra}
    deleted_in_new = (
        {i.label for i in new.items if i.deleted} if old.table.key == new.table.key else set()
    )
    for o in olds:
        if o.label not in placed_old:
            out.append(_unmatched(o, news, sims, deleted_in_new, old_side=True))
    for n in news:
        if n.label not in placed_new:
            out.append(_unmatched(n, olds, sims, set(), old_side=False))
    return out


def _sort_key(c: Correspondence) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    o = item_sort_key(c.from_label) if c.from_label else ()
    n = item_sort_key(c.to_label) if c.to_label else ()
    return (0 if c.from_label else 1, o, n)


def _describe(o: ItemProfile, n: ItemProfile, sim: Similarity) -> str:
    parts = []
    if sim.identical:
        parts.append("機関 and 事務 identical once law numbers and boilerplate are set aside")
    else:
        parts.append(f"事務 {sim.jimu:.2f}, 機関 {sim.agency:.2f}")
    if o.terms and o.terms != n.terms:
        parts.append(f"{', '.join(o.terms)}: a term the law defines, read as its definition")
    shared = [x for x in o.laws if x in n.laws]
    if shared:
        parts.append(f"both cite {shared[0]}")
    if sim.providers is not None:
        parts.append(
            f"providers {len(o.providers & n.providers)}/{len(o.providers | n.providers)} shared"
        )
    return "; ".join(parts)


def _matched(m: Match, *, same_table: bool) -> Correspondence:
    o, n, sim = m.old, m.new, m.sim
    runner_score = m.runner_up[1] if m.runner_up else 0.0
    if sim.identical:
        relation = Relation.SAME if o.label == n.label else Relation.RENUMBERED
        confidence = 0.99 if runner_score < 1.0 else 0.7
    else:
        relation = Relation.REWORDED
        margin = sim.score - runner_score
        confidence = sim.score * (0.75 + 0.25 * max(0.0, min(1.0, margin / 0.2)))
    evidence = [f"score {sim.score:.2f}: " + _describe(o, n, sim)]
    if m.runner_up:
        evidence.append(f"runner-up {m.runner_up[0]} at {runner_score:.2f}")
    if not m.in_order:
        confidence *= 0.9
        evidence.append("out of table order with the other pairs")
    elif not same_table or o.label != n.label:
        evidence.append("keeps table order")
    return Correspondence(
        o.label, n.label, relation, round(min(confidence, 0.99), 2), "; ".join(evidence)
    )


def _splits_and_merges(
    olds: list[ItemProfile],
    news: list[ItemProfile],
    sims: Scores,
    by_old: dict[str, Match],
    by_new: dict[str, Match],
) -> tuple[list[Correspondence], set[str], set[str]]:
    """Unpaired items whose 事務 is contained in a paired item of the other version.

    A new item left over is a split part of old item O when its 事務 text is found in O's,
    its 機関 is among O's bodies, both cite one law, and (for 別表第二-type tables) it keeps
    some of O's providers; a left-over old item is merged into new item N the same way.
    Without all of these it stays Added / Deleted: containment alone is how a table lists
    several 事務 of one law, not evidence that one became the other.
    """
    extra: list[Correspondence] = []
    split_of: set[str] = set()
    merged_into: set[str] = set()

    def part_of(part: ItemProfile, whole: ItemProfile, sim: Similarity | None) -> float:
        if sim is None or sim.law != 1.0 or not agency_covered(part, whole):
            return 0.0
        if sim.providers is not None and not (part.providers & whole.providers):
            return 0.0
        return containment(part, whole)

    for n in news:
        if n.label in by_new:
            continue
        scored = [
            (part_of(n, o, sims.get((o.label, n.label))), o) for o in olds if o.label in by_old
        ]
        best = max(scored, key=lambda t: t[0], default=(0.0, None))
        if best[1] is not None and best[0] >= CONTAINED:
            o = best[1]
            sim = sims[o.label, n.label]
            split_of.add(o.label)
            extra.append(
                Correspondence(
                    o.label,
                    n.label,
                    Relation.SPLIT,
                    round(min(sim.score, best[0]) * 0.85, 2),
                    f"split part: 事務 contained in old {o.label} ({best[0]:.2f}); "
                    f"old {o.label} continues as {by_old[o.label].new.label}; "
                    + _describe(o, n, sim),
                )
            )
    for o in olds:
        if o.label in by_old:
            continue
        scored = [
            (part_of(o, n, sims.get((o.label, n.label))), n) for n in news if n.label in by_new
        ]
        best = max(scored, key=lambda t: t[0], default=(0.0, None))
        if best[1] is not None and best[0] >= CONTAINED:
            n = best[1]
            sim = sims[o.label, n.label]
            merged_into.add(n.label)
            extra.append(
                Correspondence(
                    o.label,
                    n.label,
                    Relation.MERGED,
                    round(min(sim.score, best[0]) * 0.85, 2),
                    f"merged: 事務 contained in new {n.label} ({best[0]:.2f}), "
                    f"which continues old {by_new[n.label].old.label}; " + _describe(o, n, sim),
                )
            )
    return extra, split_of, merged_into


def _unmatched(
    item: ItemProfile,
    others: list[ItemProfile],
    sims: Scores,
    marked_deleted: set[str],
    *,
    old_side: bool,
) -> Correspondence:
    """Deleted (old side) or Added (new side), as sure as the nearest candidate is far."""
    relation = Relation.DELETED if old_side else Relation.ADDED
    pair = (lambda x: (item.label, x.label)) if old_side else (lambda x: (x.label, item.label))
    if old_side and item.label in marked_deleted:
        return Correspondence(
            item.label, None, relation, 0.99, f"the new version marks item {item.label} 削除"
        )
    candidates = [
        (sim.score, x)
        for x in others
        if (sim := sims.get(pair(x))) is not None
        and compatible(*((item, x) if old_side else (x, item)), sim)
    ]
    best = max(candidates, key=lambda t: t[0], default=None)
    side = "new" if old_side else "old"
    if best is None:
        confidence, evidence = 0.95, f"no {side} item with the same 機関 and law"
    else:
        confidence = max(0.5, min(0.95, 1 - 0.6 * best[0]))
        evidence = (
            f"nearest {side} item {best[1].label} at {best[0]:.2f}, below acceptance {ACCEPT}"
        )
        if best[0] >= ACCEPT:
            evidence = (
                f"nearest {side} item {best[1].label} at {best[0]:.2f} went to a closer match"
            )
    labels = (item.label, None) if old_side else (None, item.label)
    return Correspondence(*labels, relation, round(confidence, 2), evidence)


def reverted_record(
    r: RecordedRenumbering, records: Sequence[RecordedRenumbering]
) -> RecordedRenumbering | None:
    """The earlier record of the same document that ``r`` undoes (26→37, later 37→26).

    >>> import datetime as dt
    >>> a = RecordedRenumbering("T", "26", "T", "37", "x.txt#L410", dt.date(2021, 6, 28))
    >>> b = RecordedRenumbering("T", "37", "T", "26", "x.txt#L428", dt.date(2023, 7, 7))
    >>> reverted_record(b, [a, b]).source, reverted_record(a, [a, b])
    ('x.txt#L410', None)
    """
    doc = r.source.split("#")[0]
    for e in records:
        same_doc = e.source.split("#")[0] == doc
        undone = (e.old_table, e.old_label, e.new_table, e.new_label) == (
            r.new_table, r.new_label, r.old_table, r.old_label
        )
        before = e.date is not None and r.date is not None and e.date < r.date
        if same_doc and undone and before:
            return e
    return None


def check_recorded(
    pairs: Sequence[Correspondence],
    recorded: Iterable[RecordedRenumbering],
    old: TableVersion,
    new: TableVersion,
) -> list[RecordCheck]:
    """Each recorded renumbering about this version pair, held against the derived pairs."""
    checks: list[RecordCheck] = []
    records = unique(recorded)
    for r in records:
        if not applies_to(r, old.table.label, old.in_force_from, new.table.label):
            continue
        old_item, new_item = old.item(r.old_label), new.item(r.new_label)
        if old_item is None or new_item is None:
            missing = r.old_label if old_item is None else r.new_label
            checks.append(RecordCheck(r, "unknown-item", f"item {missing} is not in the tables"))
            continue
        derived = [c for c in pairs if c.from_label == r.old_label]
        if any(c.to_label == r.new_label for c in derived):
            checks.append(
                RecordCheck(r, "confirmed", f"{r.old_label}→{r.new_label} derived from the tables")
            )
            continue
        earlier = reverted_record(r, records)
        if earlier is not None:
            checks.append(
                RecordCheck(
                    r,
                    "correction",
                    f"reverts {earlier.source or 'an earlier record'} "
                    f"({earlier.old_label}→{earlier.new_label}): a correction, not a renumbering",
                )
            )
            continue
        became = (
            ", ".join(f"{c.to_label or '(none)'} ({c.relation.value})" for c in derived)
            or "(nothing)"
        )
        what = f"{new_item.agency[:20]} / {new_item.jimu[:30]}" if not new_item.deleted else "削除"
        checks.append(
            RecordCheck(
                r,
                "contradicted",
                f"tables give {r.old_label}→{became}; new {r.new_label} is {what}",
            )
        )
    return checks


def _apply_records(
    pairs: list[Correspondence],
    old: TableVersion,
    new: TableVersion,
    recorded: Iterable[RecordedRenumbering],
) -> list[Correspondence]:
    checks = check_recorded(pairs, recorded, old, new)
    out = []
    for c in pairs:
        notes, confidence = [], c.confidence
        for chk in checks:
            r = chk.record
            if r.old_label != c.from_label:
                continue
            src = r.source or "an assessment"
            if chk.status == "confirmed" and r.new_label == c.to_label:
                confidence = min(0.99, confidence + 0.1)
                notes.append(f"recorded in {src}")
            elif chk.status == "contradicted":
                notes.append(
                    f"{src} records {r.old_label}→{r.new_label}, contradicted by the tables"
                )
        if notes:
            c = replace(
                c, confidence=round(confidence, 2), evidence=c.evidence + "; " + "; ".join(notes)
            )
        out.append(c)
    return out


def successive_pairs(versions: Iterable[TableVersion]) -> list[tuple[TableVersion, TableVersion]]:
    """The (old, new) version pairs a correspondence is derived for.

    Consecutive versions of one table (by in-force date), and across the 2024-05-27 reform the
    last version of 別表第一 → the first of 別表, and of 別表第二 → the first of 主務省令第2条の表.
    Ordinance detail tables are not item tables of their own and are left out.
    """
    by_table: dict[str, list[TableVersion]] = {}
    for v in versions:
        if v.table.kind in ("use", "provision"):
            by_table.setdefault(v.table.key, []).append(v)
    pairs: list[tuple[TableVersion, TableVersion]] = []
    for key in sorted(by_table):
        vs = sorted(by_table[key], key=lambda v: v.in_force_from)
        pairs.extend(zip(vs, vs[1:], strict=False))
        successor = by_table.get(SUCCESSOR_TABLES.get(key, ""), [])
        if successor:
            pairs.append((vs[-1], min(successor, key=lambda v: v.in_force_from)))
    return pairs


def _node(old: TableVersion, new: TableVersion, c: Correspondence) -> URIRef:
    return mint(
        "correspondence",
        old.table.key,
        old.version_key,
        new.table.key,
        new.version_key,
        c.from_label or "-",
        c.to_label or "-",
    )


_TYPE, _CORRESPONDENCE = nt.iri(RDF.type), nt.iri(PIA.Correspondence)
_FROM_VERSION, _TO_VERSION = nt.iri(PIA.fromVersion), nt.iri(PIA.toVersion)
_FROM_ITEM, _TO_ITEM, _RELATION = nt.iri(PIA.fromItem), nt.iri(PIA.toItem), nt.iri(PIA.relation)
_CONFIDENCE, _EVIDENCE = nt.iri(PIA.confidence), nt.iri(PIA.evidence)


def correspondence_triples(
    pairs: Iterable[Correspondence],
    old: TableVersion,
    new: TableVersion,
    out: nt.Triples | None = None,
) -> nt.Triples:
    """The pairs as pia:Correspondence nodes (docs/model.md), plus SKOS matches between items,
    written as N-Triples (pia_kg/derive/ntriples.py). Pass ``out`` to add to it.

    Nodes are minted from the two versions and the two labels, so deriving again yields the
    same IRIs.
    """
    out = out if out is not None else nt.Triples()
    old_v = nt.iri(table_version_iri(old.table.key, old.version_key))
    new_v = nt.iri(table_version_iri(new.table.key, new.version_key))
    for c in pairs:
        node = nt.iri(_node(old, new, c))
        out.add(node, _TYPE, _CORRESPONDENCE)
        out.add(node, _FROM_VERSION, old_v)
        out.add(node, _TO_VERSION, new_v)
        from_item = (
            nt.iri(table_item_iri(old.table.key, old.version_key, c.from_label)) if c.from_label else None
        )
        to_item = nt.iri(table_item_iri(new.table.key, new.version_key, c.to_label)) if c.to_label else None
        if from_item is not None:
            out.add(node, _FROM_ITEM, from_item)
        if to_item is not None:
            out.add(node, _TO_ITEM, to_item)
        out.add(node, _RELATION, nt.iri(c.relation.iri))
        out.add(node, _CONFIDENCE, nt.literal(f"{c.confidence:.2f}", datatype=str(XSD.decimal)))
        out.add(node, _EVIDENCE, nt.literal(c.evidence))
        mapping = c.relation.skos
        if mapping is not None and from_item is not None and to_item is not None:
            out.add(from_item, nt.iri(mapping), to_item)
    return out


def correspondence_graph(
    pairs: Iterable[Correspondence],
    old: TableVersion,
    new: TableVersion,
    graph: Graph | None = None,
) -> Graph:
    """:func:`correspondence_triples` as an rdflib Graph (for callers that want one). Pass
    ``graph`` to add several version pairs to one graph."""
    g = graph if graph is not None else Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.parse(data=correspondence_triples(pairs, old, new).text(), format="nt")
    return g


def derive_all(
    versions: Iterable[TableVersion], recorded: Iterable[RecordedRenumbering] = ()
) -> list[tuple[TableVersion, TableVersion, list[Correspondence]]]:
    """Correspondences for every successive version pair (what the derived graph holds)."""
    recorded, versions = list(recorded), list(versions)
    return [
        (o, n, derive_correspondences(o, n, recorded, law_terms(versions, o), law_terms(versions, n)))
        for o, n in successive_pairs(versions)
    ]


def law_terms(versions: Sequence[TableVersion], version: TableVersion) -> dict[str, str]:
    """The terms the law defines in the tables held of ``version``'s day (別表第一 defines
    中国残留邦人等支援給付等, which 別表第二 uses)."""
    same_day = [v for v in versions if v.in_force_from == version.in_force_from]
    return defined_terms([i.jimu for v in same_day for i in v.items])
