"""How well the purpose written next to a citation agrees with the 事務 of a law item.

An assessment cites an item number and, beside it, writes the purpose (用途), which is
usually the item's 事務 copied from the law, sometimes shortened ("児童手当に関する事務") and
sometimes copied from a different version of the law (with "主務省令で定めるもの" where the
2024 table says "次条で定めるもの"). The number can be wrong; the text rarely is, so the text
is the evidence of which item was meant. Both sides go through ``law_text.item_text`` (the
one normaliser of 事務 text) before they are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from pia_kg.derive.law_text import agency_text, cited_law, item_text
from pia_kg.derive.resolution_inputs import LawItem, LawVersion

__all__ = ["agreement", "Match", "best_matches", "MISMATCH_BELOW", "CLEARLY_BETTER_BY"]

# Below this the purpose text is not the 事務 of the cited item…
MISMATCH_BELOW = 0.55
# …and another item of the same version explains it this much better.
CLEARLY_BETTER_BY = 0.15

_SUFFIXES = ("に関する事務", "の事務", "事務")


# A document's purposes are scored against every item of a table, and the same item texts
# and purposes come back for every citation: these pure functions keep their answers.
@lru_cache(maxsize=1 << 14)
def _core(text: str) -> str:
    core = item_text(text)
    for s in _SUFFIXES:
        if core.endswith(s) and len(core) > len(s) + 2:
            return core[: -len(s)]
    return core


@lru_cache(maxsize=1 << 14)
def _bigrams(text: str) -> frozenset[str]:
    return frozenset({text[i : i + 2] for i in range(len(text) - 1)} or {text})


def _text_score(purpose: str, jimu: str) -> float:
    p, j = _core(purpose), _core(jimu)
    if not p or not j:
        return 0.0
    whole = fuzz.ratio(p, j) / 100
    # A shortened purpose ("児童手当") counts by how much of it the 事務 contains, and a little
    # by how much of the 事務 it covers, so that a short generic phrase does not match all.
    bp, bj = _bigrams(p), _bigrams(j)
    shared = len(bp & bj)
    inside = 0.8 * shared / len(bp) + 0.2 * shared / len(bj)
    return max(whole, inside)


def agreement(purpose: str, item: LawItem, *, recipient: str | None = None) -> float:
    """Agreement of a purpose text (and, for a provision, the recipient) with an item, 0..1.

    The law each text names weighs in: two items of one table that share wording but cite
    different laws (児童扶養手当法 / 児童手当法) are told apart by it.
    """
    if item.deleted or not item.jimu:
        return 0.0
    text = _text_score(purpose, item.jimu)
    law_p, law_j = _cited_law(purpose), _cited_law(item.jimu)
    if law_p and law_j:
        law = 1.0 if law_p == law_j else 0.0
        score = 0.75 * text + 0.25 * law
    else:
        score = text
    if recipient and item.agency:
        who = fuzz.partial_ratio(_agency_text(recipient), _agency_text(item.agency)) / 100
        score = 0.85 * score + 0.15 * who
    return round(min(1.0, score), 3)


_cited_law = lru_cache(maxsize=1 << 14)(cited_law)
_agency_text = lru_cache(maxsize=1 << 14)(agency_text)


@dataclass(frozen=True)
class Match:
    item: LawItem
    score: float


def best_matches(
    purpose: str, version: LawVersion, *, recipient: str | None = None, top: int = 2
) -> list[Match]:
    """The ``top`` items of ``version`` whose 事務 best explains ``purpose``, best first.

    Kept per version (a held version is read once per law and never changed): documents
    write the same purposes over and over, and each search scores every item of a table.
    """
    key = (id(version), purpose, recipient, top)
    kept = _BEST.get(key)
    if kept is None or kept[0] is not version:
        if len(_BEST) >= _BEST_SIZE:
            _BEST.clear()
        kept = _BEST[key] = (version, tuple(_best_matches(purpose, version, recipient, top)))
    return list(kept[1])


# (id of the version, purpose, recipient, top) -> (that version, its matches): the version is
# held with its answer, so its id cannot name another version while the answer is kept.
_BEST: dict[tuple[int, str, str | None, int], tuple[LawVersion, tuple[Match, ...]]] = {}
_BEST_SIZE = 1 << 12


def _best_matches(purpose: str, version: LawVersion, recipient: str | None, top: int) -> list[Match]:
    scored = [Match(i, agreement(purpose, i, recipient=recipient)) for i in version.live_items()]
    scored.sort(key=lambda m: (-m.score, m.item.order))
    return scored[:top]
