"""The namespaces the document loaders write, with each term made once.

rdflib's ``Namespace`` makes and checks a new ``URIRef`` on every attribute access, and the
loaders name the same hundred terms a few thousand times per document. ``TermCache`` is the
same namespace (``pia_kg.vocab``'s IRIs) keeping each term once it has been asked for.

>>> from pia_kg import vocab
>>> PIA.source == vocab.PIA.source, PIA.source is PIA.source, PIA["Risk"] == vocab.PIA.Risk
(True, True, True)
"""

from __future__ import annotations

from rdflib import Namespace, URIRef

from pia_kg import vocab

__all__ = ["TermCache", "PIA", "DPV"]


class TermCache(Namespace):
    """A ``Namespace`` whose attribute terms are made on first use and then kept."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)  # AttributeError for special names, as Namespace
        self.__dict__[name] = term  # found by plain attribute lookup from now on
        return term


PIA = TermCache(str(vocab.PIA))
DPV = TermCache(str(vocab.DPV))
