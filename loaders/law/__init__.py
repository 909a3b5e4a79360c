"""Law tables → RDF: one named graph per version of a table.

``catalog`` knows the files and versions; ``tsv`` and ``egov_xml`` read them into
``model.TableVersion``; ``rdf`` writes a version as a graph; ``fetch`` downloads e-Gov 法令XML
into the local cache.
"""
