"""Japanese-text rules, each in one place with runnable examples: widths and spaces,
numerals, 和暦 dates, item labels (``japanese``); the law tables and how a document's wording
names one (``legal``)."""
