"""Japanese-text rules, each in one place with runnable examples.

- ``widths``: full/half width and spaces (``nfkc``, ``fold_spaces``, ``compact``);
- ``numerals``: 漢数字 and digits through ``kanjize`` (``to_int``, ``to_kanji``, ``NUMERAL``);
- ``wareki``: dates in 和暦 of every modern era or Gregorian (``wareki_to_date``);
- ``items``: item labels and lists of them (``normalize_item_label``, ``split_item_list``);
- ``citation``: how a citation names its law, article, table and items (``parse_citations``,
  ``canonical_table_label``);
- ``legal``: the law tables pia-kg knows and the 2024 reform date (``TABLES``, ``REFORM_DATE``).

Rules raise ``pia_kg.errors.NotationError`` for a text they cannot read.
"""
