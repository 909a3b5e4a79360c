"""Query results in the formats people use: SPARQL 1.1 JSON/XML/CSV/TSV, a text table, and
the exports people open in a spreadsheet (CSV with an optional BOM, ``.xlsx``).

One serializer per format, shared by the CLI and the API. SPARQL CSV is written by rdflib's
own serializer; its JSON and XML differ from ours in whitespace only and rdflib has no TSV
serializer, so those stay here. Every CSV and spreadsheet cell that a spreadsheet would read
as a formula (text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
neutralised by the OWASP rule: a leading ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from pia_kg.errors import QueryError
from pia_kg.store import QueryResult

__all__ = [
    "ResultFormat",
    "MEDIA_TYPES",
    "serialize_result",
    "write_rows",
    "term_json",
    "term_text",
    "safe_cell",
]


class ResultFormat(StrEnum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    xml = "xml"


MEDIA_TYPES = {
    ResultFormat.json: "application/sparql-results+json",
    ResultFormat.xml: "application/sparql-results+xml",
    ResultFormat.csv: "text/csv",
    ResultFormat.tsv: "text/tab-separated-values",
    ResultFormat.table: "text/plain",
}


def term_json(term: Node) -> dict[str, str]:
    """One RDF term as a SPARQL 1.1 Query Results JSON cell."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        cell = {"type": "literal", "value": str(term)}
        if term.language:
            cell["xml:lang"] = term.language
        elif term.datatype:
            cell["datatype"] = str(term.datatype)
        return cell
    raise QueryError(f"cannot serialize term {term!r}")


def term_text(term: Node | None) -> str:
    """The plain text of a term for CSV and tables (IRIs as they are, literals' lexical form)."""
    return "" if term is None else str(term)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection rule).

    >>> safe_cell('=HYPERLINK(1)')
    "'=HYPERLINK(1)"
    >>> safe_cell("-1"), safe_cell("静岡市")
    ('-1', '静岡市')
    """
    if value.startswith(_FORMULA_START) and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def write_rows(
    stream: TextIO, variables: Sequence[str], rows: Iterable[Sequence[Node | None]], fmt: ResultFormat
) -> None:
    r"""A SELECT's rows as SPARQL 1.1 CSV (formula-like literals neutralised; ``table`` too)
    or TSV, written to ``stream`` (opened with ``newline=""``) as they come: a corpus-wide
    listing is never held whole as text.

    >>> buf = io.StringIO(newline="")
    >>> write_rows(buf, ["s", "o"], [(URIRef("urn:a"), Literal("=1+1")), (BNode("b"), None)], ResultFormat.csv)
    >>> buf.getvalue()
    "s,o\r\nurn:a,'=1+1\r\n_:b,\r\n"
    >>> buf = io.StringIO(newline="")
    >>> write_rows(buf, ["s", "o"], [(URIRef("urn:a"), Literal("x"))], ResultFormat.tsv)
    >>> buf.getvalue()
    '?s\t?o\n<urn:a>\t"x"\n'
    """
    if fmt in (ResultFormat.csv, ResultFormat.table):
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_cell(t) for t in row] for row in rows)
    elif fmt is ResultFormat.tsv:
        stream.write("\t".join("?" + v for v in variables) + "\n")
        stream.writelines("\t".join([_tsv_term(t) for t in row]) + "\n" for row in rows)
    else:
        raise QueryError(f"rows are written as CSV or TSV, not {fmt}")


def _csv_cell(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return safe_cell(str(term)) if isinstance(term, Literal) else str(term)


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal) and term.datatype is None and not term.language:
        return '"' + str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'
    return term.n3()


def serialize_result(result: QueryResult, fmt: ResultFormat) -> str:
    """Text of ``result`` in ``fmt``. CONSTRUCT results are serialized as Turtle."""
    if result.kind == "graph":
        assert result.graph is not None
        return result.graph.serialize(format="turtle")
    if fmt is ResultFormat.json:
        return _json(result)
    if fmt is ResultFormat.xml:
        return _xml(result)
    if result.kind == "ask":
        return "true\n" if result.boolean else "false\n"
    if fmt in (ResultFormat.csv, ResultFormat.table, ResultFormat.tsv):
        buf = io.StringIO(newline="")
        write_rows(buf, result.variables, result.rows, fmt)
        return buf.getvalue()
    raise QueryError(f"unknown result format {fmt!r}")


def _json(result: QueryResult) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)})
    bindings = [
        {v: term_json(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        for row in result.rows
    ]
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _xml(result: QueryResult) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if result.kind == "ask":
        out += ["<head/>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in result.variables) + "</head>")
    out.append("<results>")
    for row in result.rows:
        out.append("<result>")
        for v, t in zip(result.variables, row, strict=True):
            if t is None:
                continue
            cell = term_json(t)
            if cell["type"] == "uri":
                inner = f"<uri>{escape(cell['value'])}</uri>"
            elif cell["type"] == "bnode":
                inner = f"<bnode>{escape(cell['value'])}</bnode>"
            else:
                attrs = ""
                if "xml:lang" in cell:
                    attrs = f" xml:lang={quoteattr(cell['xml:lang'])}"
                elif "datatype" in cell:
                    attrs = f" datatype={quoteattr(cell['datatype'])}"
                inner = f"<literal{attrs}>{escape(cell['value'])}</literal>"
            out.append(f"<binding name={quoteattr(v)}>{inner}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"
