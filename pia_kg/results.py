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
    r"""A SELECT's rows in ``fmt``, written to ``stream`` (opened with ``newline=""``) as
    they come: a corpus-wide listing is never held whole as text. SPARQL 1.1 CSV (formula-like
    literals neutralised; ``table`` too), TSV, JSON (laid out as ``json.dumps`` of the whole
    answer with a one-space indent) or XML.

    >>> buf = io.StringIO(newline="")
    >>> write_rows(buf, ["s", "o"], [(URIRef("urn:a"), Literal("=1+1")), (BNode("b"), None)], ResultFormat.csv)
    >>> buf.getvalue()
    "s,o\r\nurn:a,'=1+1\r\n_:b,\r\n"
    >>> buf = io.StringIO(newline="")
    >>> write_rows(buf, ["s", "o"], [(URIRef("urn:a"), Literal("x"))], ResultFormat.tsv)
    >>> buf.getvalue()
    '?s\t?o\n<urn:a>\t"x"\n'
    >>> buf = io.StringIO(newline="")
    >>> write_rows(buf, ["s"], [(Literal("東京", lang="ja"),)], ResultFormat.xml)
    >>> print(buf.getvalue(), end="")
    <?xml version="1.0"?>
    <sparql xmlns="http://www.w3.org/2005/sparql-results#">
    <head><variable name="s"/></head>
    <results>
    <result>
    <binding name="s"><literal xml:lang="ja">東京</literal></binding>
    </result>
    </results>
    </sparql>
    """
    if fmt in (ResultFormat.csv, ResultFormat.table):
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_cell(t) for t in row] for row in rows)
    elif fmt is ResultFormat.tsv:
        stream.write("\t".join("?" + v for v in variables) + "\n")
        stream.writelines("\t".join([_tsv_term(t) for t in row]) + "\n" for row in rows)
    elif fmt is ResultFormat.json:
        _write_json(stream, variables, rows)
    elif fmt is ResultFormat.xml:
        _write_xml(stream, variables, rows)
    else:
        raise QueryError(f"rows are written as CSV, TSV, JSON or XML, not {fmt}")


def json_text(value: object, indent: int, level: int = 0) -> str:
    """``value`` as ``json.dumps`` lays it out (``indent``, Japanese as is) when it sits
    ``level`` deep in a bigger document: the parts of a document too big to hold are
    written with it (JSON strings never hold a raw newline).

    >>> print(json_text({"a": [1]}, 1, 2))
    {
       "a": [
        1
       ]
      }
    """
    return json.dumps(value, ensure_ascii=False, indent=indent).replace("\n", "\n" + " " * (indent * level))


def write_json_list(stream: TextIO, items: Iterable[object], indent: int, level: int) -> None:
    """The JSON list of ``items``, as ``json.dumps`` (``indent``) lays it out ``level``
    deep, written item by item: the same text, never the whole list held.

    >>> buf = io.StringIO()
    >>> write_json_list(buf, iter([{"a": 1}, 2]), 2, 1)
    >>> buf.getvalue() == json_text([{"a": 1}, 2], 2, 1)
    True
    >>> buf = io.StringIO(); write_json_list(buf, [], 2, 1); buf.getvalue()
    '[]'
    """
    pad = " " * (indent * (level + 1))
    first = True
    stream.write("[")
    for item in items:
        stream.write(("\n" if first else ",\n") + pad + json_text(item, indent, level + 1))
        first = False
    stream.write("]" if first else "\n" + " " * (indent * level) + "]")


def _write_json(stream: TextIO, variables: Sequence[str], rows: Iterable[Sequence[Node | None]]) -> None:
    bindings = ({v: term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows)
    stream.write('{\n "head": ' + json_text({"vars": list(variables)}, 1, 1) + ',\n "results": {\n  "bindings": ')
    write_json_list(stream, bindings, 1, 2)
    stream.write("\n }\n}")


def _write_xml(stream: TextIO, variables: Sequence[str], rows: Iterable[Sequence[Node | None]]) -> None:
    stream.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n')
    stream.write("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head>\n<results>\n")
    for row in rows:
        stream.write("<result>\n")
        for v, t in zip(variables, row, strict=True):
            if t is not None:
                stream.write(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>\n")
        stream.write("</result>\n")
    stream.write("</results>\n</sparql>\n")


def _xml_term(term: Node) -> str:
    cell = term_json(term)
    if cell["type"] in ("uri", "bnode"):
        return f"<{cell['type']}>{escape(cell['value'])}</{cell['type']}>"
    attrs = ""
    if "xml:lang" in cell:
        attrs = f" xml:lang={quoteattr(cell['xml:lang'])}"
    elif "datatype" in cell:
        attrs = f" datatype={quoteattr(cell['datatype'])}"
    return f"<literal{attrs}>{escape(cell['value'])}</literal>"


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
    if result.kind == "ask":
        return _ask(bool(result.boolean), fmt)
    buf = io.StringIO(newline="")
    write_rows(buf, result.variables, result.rows, fmt)
    return buf.getvalue()


def _ask(answer: bool, fmt: ResultFormat) -> str:
    word = "true" if answer else "false"
    if fmt is ResultFormat.json:
        return json.dumps({"head": {}, "boolean": answer})
    if fmt is ResultFormat.xml:
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
            f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n"
        )
    return word + "\n"
