"""The pia-kg ontology (OWL 2, ``pia.ttl``) and its SHACL shapes (``shapes.ttl``)."""

from pia_kg.ontology.resources import (
    ONTOLOGY_IRI,
    ontology_graph,
    ontology_ntriples,
    ontology_path,
    shapes_graph,
    shapes_path,
    validate,
)

__all__ = [
    "ONTOLOGY_IRI",
    "ontology_path",
    "shapes_path",
    "ontology_graph",
    "ontology_ntriples",
    "shapes_graph",
    "validate",
]
