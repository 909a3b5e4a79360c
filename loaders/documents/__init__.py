"""Assessment documents → RDF: one named graph per document.

The reading is layered: ``source`` (numbered lines, decoding and size checks; ``pdf`` turns a
PDF's ruled grid into tab-separated lines) → ``layout`` (rows of cells, whatever the converter
did: tabs, one cell per line, a page on one line, letter-spaced text, page footers) →
``template`` + ``skeleton`` + ``form`` (the form's labels and parts per level, declared once,
and the value of each) → one module per part of the form (``cover`` + ``cover_cells``,
``basic_info``, ``basic_level`` (様式2), ``file_overview``, ``disclosures`` + ``annex_tables``,
``changes`` + ``change_blocks``, ``risks``; ``parts`` records which parts a document holds) →
``builder`` (fact nodes with provenance). ``assessment.load_assessment`` is the entry point;
``report.document_report`` the quality report of a loaded document.
"""
