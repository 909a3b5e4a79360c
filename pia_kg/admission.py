"""Query admission: what a SPARQL text must satisfy before any engine sees it.

A query engine's parser is recursive, and a 10 KB text nested 5,000 deep overflows its stack
(the process dies, not the query). A ``SERVICE <url>`` makes the engine fetch ``url`` on the
caller's behalf. So every text from outside (the API's ``/sparql`` and SPARQL page, the
CLI's ``sparql``) passes :func:`admit` first, a single linear scan that needs no parser:

* its size in UTF-8 bytes is at most ``max_bytes`` (QueryTooLargeError, HTTP 413);
* brackets ``( { [`` outside strings, IRIs and comments nest at most ``max_depth`` deep
  (QueryTooComplexError, HTTP 400);
* ``SERVICE`` names an endpoint the operator allowed (ServiceRefusedError, HTTP 403). The
  refusal happens before anything is fetched, so its message cannot tell which hosts or
  ports answer.

>>> admit("SELECT * WHERE { ?s ?p ?o }")
>>> scan('SELECT * WHERE { ?s ?p "{{{" . FILTER((?o)) } # }}}}').depth
3
>>> admit("SELECT * WHERE " + "{" * 500 + "}" * 500)
Traceback (most recent call last):
...
pia_kg.errors.QueryTooComplexError: the query nests brackets 500 deep, over the limit of 64; flatten it
>>> scan("SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }").services
['http://example.org/sparql']
>>> scan("SELECT * WHERE { ?s ex:service ?o }").services
[]
>>> scan('PREFIX ask: <urn:select> # SELECT\\nconstruct { ?s ask:x "ASK" } WHERE { SELECT ?s {} }').form
'CONSTRUCT'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pia_kg.errors import QueryTooComplexError, QueryTooLargeError, ServiceRefusedError

__all__ = [
    "DEFAULT_MAX_QUERY_BYTES",
    "DEFAULT_MAX_DEPTH",
    "QueryLimits",
    "Scan",
    "scan",
    "admit",
]

#: Bytes of SPARQL text accepted (the shipped named queries are under 7 KB).
DEFAULT_MAX_QUERY_BYTES = 64_000
#: Bracket nesting accepted (the shipped named queries nest at most 10 deep; Oxigraph's parser
#: overflows its stack somewhere between 1,000 and 3,000).
DEFAULT_MAX_DEPTH = 64

# Strings and comments are skipped whole; IRIs are kept (a SERVICE names one). Every
# alternative is linear from where it starts, so the scan is linear in the text.
_TOKENS = re.compile(
    r'(?P<skip>"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n]*)'
    r'|(?P<iri><[^<>"{}|^`\\\s]*>)'
    r"|(?P<open>[({\[])|(?P<close>[)}\]])"
    r"|(?P<form>(?<![\w:?$])(?:SELECT|CONSTRUCT|ASK|DESCRIBE)(?![\w:-]))"
    r"|(?P<service>(?<![\w:?$])SERVICE(?![\w:-])(?:\s+SILENT(?![\w:-]))?\s*(?P<target><[^<>\"{}|^`\\\s]*>|[^\s{]*))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class QueryLimits:
    """What a query text may be. ``allowed_services`` None: any SERVICE (the operator's CLI)."""

    max_bytes: int = DEFAULT_MAX_QUERY_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH
    allowed_services: frozenset[str] | None = frozenset()


@dataclass
class Scan:
    """What one pass over a query text found: deepest bracket nesting, SERVICE targets
    (an IRI without its brackets, or the variable/prefixed name as written), and its form
    (SELECT, CONSTRUCT, ASK or DESCRIBE: the first of those words outside strings, IRIs
    and comments; "" for none, an update)."""

    depth: int = 0
    services: list[str] = field(default_factory=list)
    form: str = ""


def scan(text: str) -> Scan:
    """Bracket depth and SERVICE targets of ``text`` (strings, IRIs and comments skipped)."""
    found = Scan()
    depth = 0
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup if m.lastgroup != "target" else "service"
        if kind == "open":
            depth += 1
            found.depth = max(found.depth, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif kind == "form":
            found.form = found.form or m.group("form").upper()
        elif kind == "service":
            target = m.group("target") or ""
            found.services.append(target[1:-1] if target.startswith("<") else target)
    return found


def admit(text: str, limits: QueryLimits | None = None) -> None:
    """Raise if ``text`` may not be run under ``limits`` (defaults: :class:`QueryLimits`)."""
    limits = limits or QueryLimits()
    size = len(text.encode("utf-8", errors="replace"))
    if size > limits.max_bytes:
        raise QueryTooLargeError(
            f"the query is {size:,} bytes, over the limit of {limits.max_bytes:,}; shorten it"
        )
    found = scan(text)
    if found.depth > limits.max_depth:
        raise QueryTooComplexError(
            f"the query nests brackets {found.depth} deep, over the limit of {limits.max_depth}; "
            "flatten it"
        )
    if limits.allowed_services is None:
        return
    for target in found.services:
        if target not in limits.allowed_services:
            raise ServiceRefusedError(
                "SERVICE is not allowed on this server except to endpoints its operator names "
                "(`pia-kg serve --allow-service URL`); nothing was fetched"
            )
