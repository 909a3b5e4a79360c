"""Assessment documents → RDF: one named graph per document.

The reading is layered: ``source`` (numbered lines, decoding checks) → ``layout`` (rows of
cells, whatever the converter did) → ``template`` + ``form`` (the form's labels, declared
once, and the value of each) → one module per part of the form (``cover``, ``basic_info``,
``file_overview``, ``disclosures`` + ``annex_tables``, ``changes`` + ``change_blocks``,
``risks``) → ``builder`` (fact nodes with provenance). ``assessment.load_assessment`` is the
entry point.
"""
