"""Graphs derived from what the store holds: nothing here reads a source file.

- ``correspondence`` (with ``item_similarity``, ``item_matching``, ``law_text``): which item
  of one table version became which item of the next, and how sure that is;
- ``resolution`` (with ``resolution_inputs``, ``citation_dates``, ``purpose_agreement``): each
  citation read as of its document's date, and the problems found;
- ``history``: renames and renumberings that assessments record in their 変更箇所
  (``renumbering_records``);
- ``law_state``: the law tables read back from the store, shared by the derivations.
"""
