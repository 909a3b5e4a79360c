"""The ontology and the SHACL shapes as package resources, and validation against the shapes.

The Turtle files ship inside the package (``pia_kg.ontology``) so a store, the API and the
tests read the same ontology whatever the working directory is.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import Graph

from pia_kg.vocab import PREFIXES

__all__ = [
    "ONTOLOGY_IRI",
    "ontology_path",
    "shapes_path",
    "ontology_graph",
    "ontology_ntriples",
    "shapes_graph",
    "validate",
]

ONTOLOGY_IRI = "https://w3id.org/pia-kg/ontology"


def _resource(name: str) -> Path:
    return Path(str(resources.files("pia_kg.ontology").joinpath(name)))


def ontology_path() -> Path:
    """The OWL 2 ontology, ``pia.ttl`` (Turtle)."""
    return _resource("pia.ttl")


def shapes_path() -> Path:
    """The SHACL shapes the loaders' graphs must satisfy, ``shapes.ttl`` (Turtle)."""
    return _resource("shapes.ttl")


@lru_cache(maxsize=1)
def _parsed(path: Path) -> Graph:
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    graph.parse(path, format="turtle")
    return graph


def _copy(graph: Graph) -> Graph:
    # Callers get their own graph: the cached parse must not grow with their triples.
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    for triple in graph:
        out.add(triple)
    return out


def ontology_graph() -> Graph:
    """A fresh rdflib graph holding the ontology (parsed once per process)."""
    return _copy(_parsed(ontology_path()))


@lru_cache(maxsize=1)
def ontology_ntriples() -> str:
    """The ontology as N-Triples, each triple once, read by Oxigraph's parser: what a writer
    compares with the store's ontology graph on every load (3 ms, where an rdflib parse took
    145). Blank nodes get labels of this parse.

    >>> text = ontology_ntriples()
    >>> text.count("\\n") == len(ontology_graph())
    True
    """
    import pyoxigraph as ox

    triples = ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
    lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8").splitlines(keepends=True)
    return "".join(dict.fromkeys(lines))


def shapes_graph() -> Graph:
    """A fresh rdflib graph holding the SHACL shapes."""
    return _copy(_parsed(shapes_path()))


def validate(graph: Graph) -> tuple[bool, str]:
    """Check ``graph`` against the shapes; returns (conforms, the report as text).

    The ontology is passed as the shapes' ontology graph so that ``sh:class`` sees the
    subclass axioms (a ``pia:PublicBody`` is an ``org:Organization``) without the caller
    having to add them to the data.
    """
    from pyshacl import validate as shacl_validate  # imported late: pyshacl is slow to import

    conforms, _report_graph, report_text = shacl_validate(
        graph,
        shacl_graph=_parsed(shapes_path()),
        ont_graph=_parsed(ontology_path()),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    return bool(conforms), str(report_text)
