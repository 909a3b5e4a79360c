"""The store a worker derives in: Oxigraph in memory, holding one document.

Every document passes through it (pia_kg/derive/documents.py), and the pipeline already
holds the document's graph as N-Triples. ``replace_graphs`` would rewrite each of its lines
into an N-Quad naming the graph and parse that; here Oxigraph parses the N-Triples straight
into the named graph, the same quads for half the work (a tenth of what deriving a
document cost).

The parser is lenient: it does not check each IRI against the IRI grammar again, which was
two thirds of its work. The text is a graph the document loaders wrote (IRIs minted
percent-encoded, terms written by rdflib's rules) or one read back from the store, which
checked it on the way in; the store the graph is written to reads it with its own checks.

>>> from rdflib import URIRef
>>> s = ScratchStore()
>>> g = URIRef("urn:g")
>>> s.load_graph(g, '<urn:s> <urn:p> "a ." .\\n')
>>> s.query_terms("SELECT ?o WHERE { GRAPH <urn:g> { ?s ?p ?o } }")[1]
[(<Literal value=a . datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>,)]
>>> s.load_graph(g, "<urn:s> <urn:p> .\\n")
Traceback (most recent call last):
...
pia_kg.errors.StoreError: loading N-Triples failed, store unchanged: ...
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import URIRef

from pia_kg.backends.oxigraph_store import OxigraphStore
from pia_kg.store import GraphData

__all__ = ["ScratchStore"]


class ScratchStore(OxigraphStore):
    """An in-memory Oxigraph store that takes a graph as N-Triples text into a named graph."""

    def load_graph(self, graph: URIRef, data: GraphData) -> None:
        """Add ``data`` (N-Triples text, or an rdflib Graph) to ``graph``, which the store
        does not hold yet, in one transaction."""
        if not isinstance(data, (str, bytes)):
            self.replace_graphs({graph: data})
            return
        self._load(data, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(graph)), lenient=True)
