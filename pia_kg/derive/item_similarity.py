"""How alike two law items are: the scores behind every derived correspondence.

No official old→new list exists, so a pair is only as good as the evidence that the two items
are about the same 事務: the text of the 事務, the 機関 that performs it, the law it cites, and
(for 別表第二-type tables) who provides information to it. Each is scored separately so the
evidence string can say which ones agree, then combined into one number in 0..1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from pia_kg.derive.law_text import (
    agency_text,
    expand_terms,
    item_text,
    law_names,
    strip_parentheticals,
)
from pia_kg.loaders.law.model import TableItem

__all__ = [
    "ItemProfile",
    "Similarity",
    "profile",
    "similarity",
    "agency_names",
    "containment",
    "agency_covered",
]

_AGENCY_SPLIT = re.compile(r"、|又は|若しくは|及び|並びに")


@dataclass(frozen=True)
class ItemProfile:
    """One item reduced for comparison; built once per item, compared many times."""

    label: str
    order: int  # position in its version, to tell a pair that keeps table order
    agency: str
    jimu: str
    laws: tuple[str, ...]  # the cited law's name and alias, () when none can be named
    providers: frozenset[str]
    core: str  # normalised agency + jimu: equal cores mean "same text"
    terms: tuple[str, ...] = ()  # defined terms of the law read as their definition

    @property
    def law(self) -> str | None:
        return self.laws[0] if self.laws else None

    @property
    def has_providers(self) -> bool:
        return bool(self.providers)


def agency_names(agency: str) -> frozenset[str]:
    """The bodies an 機関 cell names: 都道府県知事又は市町村長 → {都道府県知事, 市町村長}.

    Parentheticals are set aside first: they qualify a body (（行政機関の長、地方公共団体の機関
    …）), they do not add one.
    """
    plain = strip_parentheticals(agency, only_boilerplate=False)
    return frozenset(p for p in _AGENCY_SPLIT.split(plain) if p)


def profile(item: TableItem, order: int, terms: dict[str, str] | None = None) -> ItemProfile:
    """``item`` reduced for comparison; ``terms`` (defined term → phrase, from the same law
    version) are read as what they stand for (中国残留邦人等支援給付等 → …による支援給付…)."""
    source, used = expand_terms(item.jimu, terms) if terms else (item.jimu, ())
    agency = agency_text(item.agency)
    jimu = item_text(source)
    providers = frozenset(agency_text(p.provider) for p in item.providers if p.provider)
    return ItemProfile(
        label=item.label,
        order=order,
        agency=agency,
        jimu=jimu,
        laws=law_names(source),
        providers=providers,
        core=agency + "|" + jimu,
        terms=used,
    )


@dataclass(frozen=True)
class Similarity:
    """Component scores of one (old, new) pair, each in 0..1, and their combination."""

    jimu: float
    agency: float
    law: float  # 1 same law, 0 different laws, 0.5 when either cites none we can name
    providers: float | None  # Jaccard of provider sets; None for tables without providers
    identical: bool  # same 機関 and 事務 once numbers and boilerplate are set aside

    @property
    def score(self) -> float:
        if self.identical:
            return 1.0
        if self.providers is None:
            s = 0.6 * self.jimu + 0.25 * self.agency + 0.15 * self.law
        else:
            s = 0.5 * self.jimu + 0.2 * self.agency + 0.15 * self.law + 0.15 * self.providers
        # Two different laws almost never hold the same 事務: keep such pairs low.
        return s * 0.7 if self.law == 0.0 else s


def similarity(old: ItemProfile, new: ItemProfile) -> Similarity:
    if old.laws and new.laws:
        law = 1.0 if set(old.laws) & set(new.laws) else 0.0
    else:
        law = 0.5
    providers: float | None = None
    if old.has_providers and new.has_providers:
        providers = len(old.providers & new.providers) / len(old.providers | new.providers)
    return Similarity(
        jimu=fuzz.ratio(old.jimu, new.jimu) / 100,
        agency=fuzz.ratio(old.agency, new.agency) / 100,
        law=law,
        providers=providers,
        identical=old.core == new.core,
    )


def containment(part: ItemProfile, whole: ItemProfile) -> float:
    """How far ``part``'s 事務 is found inside ``whole``'s (0..1): evidence of a split or merge.

    Only the content after the cited law counts, so two items of one law do not look
    contained merely because both start with its name.
    """
    p, w = _content(part), _content(whole)
    if not p or not w:
        return 0.0
    return fuzz.partial_ratio(p, w) / 100 if len(p) <= len(w) else 0.0


def agency_covered(part: ItemProfile, whole: ItemProfile) -> bool:
    """True when every body of ``part``'s 機関 also appears in ``whole``'s."""
    names = agency_names(part.agency)
    return bool(names) and names <= agency_names(whole.agency)


def _content(p: ItemProfile) -> str:
    text = p.jimu
    for law in p.laws:
        if text.startswith(law):
            text = text[len(law) :]
            break
    return re.sub(r"^(?:による|の規定による|に基づく)", "", text).removesuffix("に関する事務")
