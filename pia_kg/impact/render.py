"""An impact report as CSV, JSON and HTML — the HTML from one Jinja template.

The template ``_impact.html`` (in ``pia_kg.api``'s templates) renders the report's body: a
chart and a table of counts per body and kind of change, then the fix list grouped by body
and assessment (cited → what it should say now, the kind of change in Japanese, how sure),
then the citations already wrong before. The CLI's ``impact.html`` wraps it in a
self-contained page (``impact_report.html``: inline CSS, no script, no fonts from elsewhere,
so it can be mailed); the web page ``/ui/impact`` wraps it in the site's layout. Both give it
the view built by :func:`impact_view`, which differs only in how a source is linked.

Every link goes through :func:`safe_href`: only relative links and http(s)/file URLs are
written, so a file named ``javascript:alert(1);<!--.txt`` is shown as text, never linked.
The summary cells carry ``data-body`` / ``data-kind`` so a test can read the counts back.
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import fields
from importlib import resources
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from pia_kg.display import confidence_words, evidence_words, problem_sentence, value_label
from pia_kg.exports import ExportTable, write_csv, write_whole, write_xlsx
from pia_kg.exports import to_csv as export_csv
from pia_kg.impact.report import ImpactReport, ImpactRow, corrected_citation, row_dict
from pia_kg.results import json_text, write_json_list

__all__ = [
    "to_csv",
    "to_json",
    "write_json",
    "to_html",
    "write_reports",
    "REPORT_FILES",
    "impact_view",
    "safe_href",
    "templates_env",
    "HTML_ROWS",
    "KIND_COLOURS",
]

REPORT_FILES = ("impact.csv", "impact.json", "impact.html", "impact.xlsx")

_ROW_FIELDS = [f.name for f in fields(ImpactRow)]

#: One colour per kind of change (chart bars, row marks).
KIND_COLOURS = {
    "renumbered": "#d99a00",
    "reworded": "#2e7d32",
    "split": "#6a4fb3",
    "merged": "#8e63c9",
    "deleted": "#c62828",
    "table replaced": "#1565c0",
    "article renumbered": "#ef6c00",
    "unknown item": "#795548",
}

_SAFE_SCHEMES = ("http", "https", "file")

Linker = Callable[[str], "str | None"]


def safe_href(href: str | None) -> str | None:
    """``href`` when it is a relative link or an http(s)/file URL; None otherwise.

    >>> safe_href("javascript:alert(1);<!--.txt") is None
    True
    >>> safe_href("/ui/source/000?lines=1-2#L1")
    '/ui/source/000?lines=1-2#L1'
    >>> safe_href(" JaVaScRiPt:alert(1)") is None
    True
    """
    if not href:
        return None
    text = href.strip()
    if any(ord(ch) < 32 for ch in text):
        return None
    scheme = urlsplit(text).scheme.lower()
    if scheme and scheme not in _SAFE_SCHEMES:
        return None
    return text


def to_csv(report: ImpactReport, *, japanese: bool = False, bom: bool = False) -> str:
    """One line per impact row, the columns of :class:`ImpactRow` (formula-like cells neutralised)."""
    return export_csv(_export_table(report.rows), japanese=japanese, bom=bom)


def _export_table(rows: Sequence[ImpactRow]) -> ExportTable:
    """The rows as the dicts an export writes, each made as it is written (a national
    report's million dicts are never held at once): a table to write once."""
    return ExportTable(list(_ROW_FIELDS), map(row_dict, rows))


def export_table(report: ImpactReport, *, body: str = "", kind: str = "") -> ExportTable:
    """The report's rows (filtered by body and kind of change) as a table to export (once)."""
    return _export_table(_filtered(report.rows, body, kind))


def to_json(report: ImpactReport) -> str:
    """``report.to_dict()`` as JSON (two-space indent, Japanese as is)."""
    buf = io.StringIO()
    write_json(report, buf)
    return buf.getvalue()


def write_json(report: ImpactReport, stream: TextIO) -> None:
    """:func:`to_json` written to ``stream`` row by row: the same text as ``json.dumps`` of
    the whole report, which a national report (140,000 rows) would hold in memory twice
    over (its dicts, then its text)."""

    stream.write("{")
    first = True
    for key, value in report.summary().items():
        stream.write(("\n" if first else ",\n") + f"  {json_text(key, 2)}: {json_text(value, 2, 1)}")
        first = False
    for key, rows in report.lists().items():
        stream.write(("\n" if first else ",\n") + f"  {json_text(key, 2)}: ")
        write_json_list(stream, map(row_dict, rows), 2, 1)
        first = False
    stream.write("\n}\n")


def templates_env() -> Environment:
    """The Jinja environment over the package's templates (shared with the web pages)."""
    folder = resources.files("pia_kg.api") / "templates"
    return Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(["html"]))


def file_linker(out_dir: Path | None, doc_dirs: Sequence[Path]) -> Linker:
    """Links to ``FILE#Lstart-Lend`` relative to the report, when the file is found."""

    def link(source: str) -> str | None:
        name, _, anchor = source.partition("#")
        for d in doc_dirs:
            f = d / name
            if name and f.is_file():
                if out_dir is None:
                    target = f.resolve().as_uri()
                else:
                    target = "./" + quote(Path(os.path.relpath(f.resolve(), out_dir.resolve())).as_posix())
                return f"{target}#{quote(anchor)}" if anchor else target
        return None

    return link


def _filtered(rows: Sequence[ImpactRow], body: str, kind: str) -> Sequence[ImpactRow]:
    if not body and not kind:  # as they are: a national report's rows are read, not copied
        return rows
    return [
        r for r in rows
        if (not body or (r.organization or "（団体不明）") == body) and (not kind or r.change == kind)
    ]


def _row_view(r: ImpactRow, link: Linker) -> dict[str, Any]:
    cites = r.article if r.change == "article renumbered" else corrected_citation(r.cited_table, r.cited_item, "")
    return {
        "source": r.source,
        "href": safe_href(link(r.source)),
        "role": value_label("role", r.role),
        "annex": r.annex,
        "party": r.party,
        "cites": cites.strip(),
        "meaning": r.meaning,
        "corrected": r.corrected or "（後継の項なし）",
        "kind": r.change,
        "kind_ja": value_label("change", r.change),
        "colour": KIND_COLOURS.get(r.change, "#607d8b"),
        "confidence": confidence_words(r.confidence),
        "evidence": evidence_words(r.evidence),
    }


def _chart(counts: dict[str, dict[str, int]], kinds: list[str], width: int = 560) -> list[dict[str, Any]]:
    """Per body, the bar segments (x, width) of a horizontal stacked bar chart."""
    top = max((sum(c.values()) for c in counts.values()), default=0) or 1
    bars = []
    for body, by_kind in counts.items():
        x, segments = 0.0, []
        for k in kinds:
            n = by_kind.get(k, 0)
            if n:
                w = width * n / top
                segments.append({"kind": k, "x": round(x, 1), "w": round(w, 1), "n": n,
                                 "colour": KIND_COLOURS.get(k, "#607d8b"), "label": value_label("change", k)})
                x += w
        bars.append({"body": body, "segments": segments, "total": sum(by_kind.values()), "end": round(x, 1)})
    return bars


#: Bars in the chart at most: a national corpus has hundreds of bodies; the chart shows those
#: with the most citations to fix, the table below it every one.
CHART_BARS = 30


def impact_view(
    report: ImpactReport,
    *,
    link: Linker,
    body: str = "",
    kind: str = "",
    max_rows: int | None = None,
    body_href: Callable[[str], str] | None = None,
    full_list: str = "",
) -> dict[str, Any]:
    """What the template shows: counts, chart, fix list and problems (filtered by body/kind).

    ``max_rows`` bounds the fix list and the problem list shown (the counts stay whole); a
    page links each body to its own full list (``body_href``), a file report names the files
    that hold every row (``full_list``).
    """
    counts = {b: c for b, c in report.counts().items() if not body or b == body}
    totals = report.totals()
    kinds = list(totals)
    rows = _filtered(report.rows, body, kind)
    shown = rows if max_rows is None else rows[:max_rows]
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for r in shown:
        groups.setdefault(r.organization or "（団体不明）", {}).setdefault(r.assessment, []).append(_row_view(r, link))
    chosen = [p for p in report.problems if not body or p.organization == body]
    problems = [
        {"organization": p.organization, "source": p.source, "href": safe_href(link(p.source)),
         "party": p.party, "cites": f"{p.cited_table} {p.cited_item}".strip(), "sentence": problem_sentence(row_dict(p)),
         "problem": value_label("problem", p.problem)}
        for p in (chosen if max_rows is None else chosen[:max_rows])
    ]
    charted = counts
    if len(counts) > CHART_BARS:  # the bodies with the most to fix, in the table's order
        most = set(sorted(counts, key=lambda b: -sum(counts[b].values()))[:CHART_BARS])
        charted = {b: counts[b] for b in counts if b in most}
    return {
        "title": report.title,
        "amendment": report.amendment,
        "date": report.date,
        "what_if": report.source,
        "kinds": [{"code": k, "label": value_label("change", k), "colour": KIND_COLOURS.get(k, "#607d8b"), "total": totals[k]} for k in kinds],
        "counts": counts,
        "chart": _chart(charted, kinds),
        "chart_bodies": len(charted),
        "body_links": {b: body_href(b) for b in counts} if body_href else {},
        "all_bodies": list(report.counts()),
        "groups": [
            {"body": b, "assessments": [{"iri": a, "title": report.titles.get(a, a), "rows": rs} for a, rs in by_a.items()]}
            for b, by_a in groups.items()
        ],
        "row_count": len(rows),
        "shown_rows": len(shown),
        "all_rows": len(report.rows),
        "problems": problems,
        "problem_count": len(chosen),
        "body": body,
        "kind": kind,
        "full_list": full_list,
    }


#: Rows of the fix list (and of the problem list) an HTML report file shows: a body's or an
#: assessment's report shows them all; a national one (140,000 rows at 5,000 assessments) would
#: be a 70 MB page no browser opens and no mail carries, so it shows its counts, its chart and
#: the first rows, and names the files holding every row.
HTML_ROWS = 2000


def to_html(
    report: ImpactReport, *, out_dir: Path | None = None, doc_dirs: Sequence[Path] = (), max_rows: int | None = HTML_ROWS
) -> str:
    """The report as one self-contained HTML page (the shared template, inline CSS), its lists
    cut at ``max_rows`` (None: every row)."""
    view = impact_view(
        report, link=file_linker(out_dir, doc_dirs), max_rows=max_rows, full_list="impact.csv / impact.xlsx"
    )
    return templates_env().get_template("impact_report.html").render(view=view)


def write_reports(
    report: ImpactReport, out_dir: str | Path, *, doc_dirs: Sequence[Path] = ()
) -> list[Path]:
    """Write impact.csv, impact.json and impact.xlsx (Japanese headings), every row, and
    impact.html (its lists cut at :data:`HTML_ROWS`) into ``out_dir`` (created if missing)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    # each file written as it is made (a national report is never held whole as text), under
    # a temporary name until whole (a failed report leaves no half file)
    for name, write in (
        ("impact.csv", lambda f: write_csv(f, _export_table(report.rows))),
        ("impact.json", lambda f: write_json(report, f)),
        ("impact.html", lambda f: f.write(to_html(report, out_dir=out, doc_dirs=doc_dirs))),
    ):
        write_whole(out / name, functools.partial(_write_text, write=write))
        written.append(out / name)
    xlsx = out / "impact.xlsx"
    write_whole(xlsx, lambda part: write_xlsx(part, _export_table(report.rows), japanese=True, sheet="改正の影響"))
    written.append(xlsx)
    return written


def _write_text(path: Path, write: Callable[[TextIO], object]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        write(f)
