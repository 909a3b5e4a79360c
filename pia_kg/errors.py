"""One exception hierarchy for pia-kg.

Every error carries a message written for a person; the CLI prints ``Error: <message>``
and exits non-zero, the API answers with one JSON error shape. Library code never calls
``sys.exit`` and never uses ``assert`` to check input.

    PiaKgError
    ├── LoaderError            a document or law table cannot be read (file + line)
    │   └── DocumentKindError  the file is not a 特定個人情報保護評価書 we can load
    ├── LawDataError           law tables are missing, inconsistent or unreachable
    ├── StoreError             a store backend failed or cannot do what was asked
    │   └── UnknownStoreError  no store backend of that name
    ├── QueryError             a named query or SPARQL text is wrong
    │   ├── UnknownQueryError  no named query of that name
    │   ├── ParameterError     a query parameter is missing or of the wrong type
    │   │   └── NotationError  a text is not what a text rule reads (item label, 漢数字, 和暦)
    │   ├── QueryTimeoutError  a query ran past the configured timeout
    │   ├── ResultLimitError   a query returned more rows than the configured cap
    │   ├── QueryTooLargeError    a query text or request body is over the size limit
    │   ├── QueryTooComplexError  a query nests brackets deeper than the limit
    │   └── ServiceRefusedError   SERVICE to an endpoint the operator did not allow
    └── UnknownNameError       a registry (loaders, formats) was asked for a name it lacks
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "PiaKgError",
    "LoaderError",
    "DocumentKindError",
    "LawDataError",
    "StoreError",
    "UnknownStoreError",
    "OutdatedStoreError",
    "QueryError",
    "UnknownQueryError",
    "ParameterError",
    "NotationError",
    "QueryTimeoutError",
    "ResultLimitError",
    "QueryTooLargeError",
    "QueryTooComplexError",
    "ServiceRefusedError",
    "UnknownNameError",
]


class PiaKgError(Exception):
    """Base of every error pia-kg raises on purpose."""


class LoaderError(PiaKgError):
    """A source file cannot be loaded. Names the file and, where known, the line."""

    def __init__(self, message: str, *, source: str | Path | None = None, line: int | None = None):
        self.reason = message
        self.source = str(source) if source is not None else None
        self.line = line
        where = ""
        if self.source:
            where = self.source + (f":{line}" if line else "")
            where += ": "
        super().__init__(where + message)


class DocumentKindError(LoaderError):
    """The file is readable text but not a document of a kind pia-kg loads."""


class LawDataError(PiaKgError):
    """Law tables are missing, malformed, or cannot be fetched."""


class StoreError(PiaKgError):
    """A store backend failed, or cannot do what was asked of it."""


class OutdatedStoreError(StoreError):
    """The store's documents were derived by an older pia-kg than the answer needs: `pia-kg
    rederive` derives them again."""


class UnknownNameError(PiaKgError):
    """A registry was asked for a name it does not know; the message lists the known ones,
    or, where they are many (the documents of a national store), how many and the closest.

    >>> str(UnknownNameError("query", "x", ["b", "a"]))
    "unknown query 'x'; known: a, b"
    >>> str(UnknownNameError("document", "doc-0101", [f"doc_{i:04}" for i in range(35_000)]))
    "unknown document 'doc-0101'; 35,000 known, the closest: doc_0101, doc_30101, doc_20101, doc_10101, doc_9101"
    """

    #: Beyond this many known names, the message names the closest only.
    LISTED = 30

    def __init__(self, kind: str, name: str, known: Iterable[str]):
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        if len(self.known) <= self.LISTED:
            listed = f"known: {', '.join(self.known) or '(none)'}"
        else:
            close = difflib.get_close_matches(name, self.known, n=5, cutoff=0.5)
            listed = f"{len(self.known):,} known, the closest: {', '.join(close) or '(none)'}"
        super().__init__(f"unknown {kind} {name!r}; {listed}")


class UnknownStoreError(StoreError, UnknownNameError):
    def __init__(self, name: str, known: Iterable[str]):
        UnknownNameError.__init__(self, "store", name, known)


class QueryError(PiaKgError):
    """A named query or a SPARQL text is wrong, or its evaluation failed."""


class UnknownQueryError(QueryError, UnknownNameError):
    def __init__(self, name: str, known: Iterable[str]):
        UnknownNameError.__init__(self, "query", name, known)


class ParameterError(QueryError):
    """A query parameter is missing, unknown, or not of its declared type."""

    def __init__(self, message: str, *, param: str | None = None):
        self.param = param
        super().__init__(message)


class NotationError(ParameterError):
    """A text is not written in the notation a rule of ``pia_kg.text`` reads: an item label
    (``36の2``), a numeral (``三十六``), a 和暦 year. A parameter error when a person typed it;
    loaders that meet it in a document catch it and keep the text as written."""


class QueryTimeoutError(QueryError):
    """The query ran longer than the configured timeout."""


class ResultLimitError(QueryError):
    """The query produced more rows than the configured cap."""

    @classmethod
    def past(cls, limit: int, what: str = "rows") -> ResultLimitError:
        """The error of an answer of more than ``limit`` rows (or triples), for a person.

        >>> print(ResultLimitError.past(10))
        the query returned more than 10 rows, over the cap of 10; add a LIMIT or narrow it
        """
        return cls(f"the query returned more than {limit} {what}, over the cap of {limit}; add a LIMIT or narrow it")


class QueryTooLargeError(QueryError):
    """A query text (or the request carrying it) is larger than the configured limit."""


class QueryTooComplexError(QueryError):
    """A query nests brackets deeper than the configured limit (parsers recurse on them)."""


class ServiceRefusedError(QueryError):
    """A query asks the server to fetch from an endpoint (SERVICE) it was not allowed to."""
