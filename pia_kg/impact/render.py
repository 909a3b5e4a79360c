"""An impact report as CSV, JSON and one self-contained HTML page.

The HTML page needs nothing beside it (inline CSS, no script, no fonts from elsewhere) so it
can be mailed to the person responsible for an assessment. It groups rows by body, then
assessment; each row's source (``FILE#Lstart-Lend``) links to the document file when the file
is found (``doc_dirs``), and the summary counts rows per body and kind of change. The
summary cells carry ``data-body`` / ``data-kind`` attributes so a test (or a script) can read
the counts back and compare them with the JSON.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, fields
from html import escape
from pathlib import Path

from pia_kg.impact.report import ImpactReport, ImpactRow, ProblemRow

__all__ = ["to_csv", "to_json", "to_html", "write_reports", "REPORT_FILES"]

REPORT_FILES = ("impact.csv", "impact.json", "impact.html")

_ROW_FIELDS = [f.name for f in fields(ImpactRow)]


def to_csv(report: ImpactReport) -> str:
    """One line per impact row, the columns of :class:`ImpactRow` (UTF-8, with header)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=_ROW_FIELDS, lineterminator="\n")
    w.writeheader()
    for r in report.rows:
        w.writerow(asdict(r))
    return buf.getvalue()


def to_json(report: ImpactReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


_CSS = """
body{font-family:system-ui,"Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #345}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.85rem}
th,td{border:1px solid #bbb;padding:.25rem .45rem;vertical-align:top;text-align:left}
th{background:#e8edf3}td.num{text-align:right}
td.meaning{max-width:28rem}
.k-renumbered{background:#fff6d6}.k-deleted{background:#fde0e0}.k-reworded{background:#e4f3e4}
.k-split,.k-merged{background:#e9e4f7}.k-table-replaced{background:#eef3fb}
.k-unknown-item{background:#f4d8d8}.k-article-renumbered{background:#fff0e0}
.meta{color:#555;font-size:.9rem}
"""


def _kind_class(kind: str) -> str:
    return "k-" + kind.replace(" ", "-")


def _href(source: str, out_dir: Path | None, doc_dirs: Sequence[Path]) -> str:
    """A link to ``FILE#Lstart-Lend``: relative to the report when the file is found."""
    name, _, anchor = source.partition("#")
    for d in doc_dirs:
        f = d / name
        if f.is_file():
            target = os.path.relpath(f.resolve(), out_dir.resolve()) if out_dir else f.resolve().as_uri()
            return f"{Path(target).as_posix()}#{anchor}" if anchor else Path(target).as_posix()
    return source


def to_html(
    report: ImpactReport, *, out_dir: Path | None = None, doc_dirs: Sequence[Path] = ()
) -> str:
    """The report as one HTML page: summary, then rows grouped by body and assessment."""
    counts = report.counts()
    totals = report.totals()
    kinds = list(totals)
    p: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Amendment impact: {escape(report.title)}</h1>",
        f'<p class="meta">amendment <b>{escape(report.amendment)}</b>, date {escape(report.date)}'
        + (f", what-if file {escape(report.source)}" if report.source else "")
        + f'; <span id="row-count">{len(report.rows)}</span> citation rows broken, '
        f'<span id="problem-count">{len(report.problems)}</span> already wrong before.</p>',
        '<h2>Summary</h2><table id="summary"><tr><th>body</th>'
        + "".join(f"<th>{escape(k)}</th>" for k in kinds)
        + "<th>total</th></tr>",
    ]
    for body, by_kind in counts.items():
        p.append(f"<tr><th>{escape(body)}</th>")
        for k in kinds:
            p.append(
                f'<td class="num count" data-body="{escape(body)}" data-kind="{escape(k)}">'
                f"{by_kind.get(k, 0)}</td>"
            )
        p.append(f'<td class="num">{sum(by_kind.values())}</td></tr>')
    p.append("<tr><th>total</th>")
    for k in kinds:
        p.append(f'<td class="num total" data-kind="{escape(k)}">{totals[k]}</td>')
    p.append(f'<td class="num" id="grand-total">{len(report.rows)}</td></tr></table>')
    if not report.rows:
        p.append("<p>No citation in the loaded assessments is broken by this amendment.</p>")
    _grouped_rows(p, report.rows, out_dir, doc_dirs)
    _problem_rows(p, report.problems, out_dir, doc_dirs)
    p.append("</body></html>")
    return "\n".join(p) + "\n"


_HEAD = (
    "<tr><th>source</th><th>role</th><th>department / recipient</th><th>cites now</th>"
    "<th>meaning</th><th>should cite</th><th>change</th><th>confidence</th></tr>"
)


def _grouped_rows(p: list[str], rows: list[ImpactRow], out_dir: Path | None, doc_dirs: Sequence[Path]) -> None:
    by_body: dict[str, dict[str, list[ImpactRow]]] = {}
    for r in rows:
        by_body.setdefault(r.organization or "(unknown body)", {}).setdefault(r.assessment, []).append(r)
    for body, by_assessment in by_body.items():
        p.append(f'<h2 class="body">{escape(body)}</h2>')
        for assessment, items in by_assessment.items():
            p.append(f'<h3>{escape(assessment)} ({len(items)})</h3><table class="rows">{_HEAD}')
            for r in items:
                cites = f"{r.cited_table} {r.cited_item}".strip()
                if r.change == "article renumbered":
                    cites = r.article
                where = escape(r.annex + " " if r.annex else "")
                p.append(
                    f'<tr class="{_kind_class(r.change)}" data-kind="{escape(r.change)}">'
                    f'<td><a href="{escape(_href(r.source, out_dir, doc_dirs))}">{escape(r.source)}</a></td>'
                    f"<td>{where}{escape(r.role)}</td><td>{escape(r.party)}</td>"
                    f"<td>{escape(cites)}</td><td class=\"meaning\">{escape(r.meaning)}</td>"
                    f"<td>{escape(r.corrected or '(no successor)')}</td>"
                    f'<td>{escape(r.change)}</td><td class="num" title="{escape(r.evidence)}">'
                    f"{r.confidence:.2f}</td></tr>"
                )
            p.append("</table>")


def _problem_rows(p: list[str], problems: list[ProblemRow], out_dir: Path | None, doc_dirs: Sequence[Path]) -> None:
    p.append('<h2 id="problems">Already wrong before the amendment</h2>')
    if not problems:
        p.append("<p>None found by the citation resolution.</p>")
        return
    p.append(
        '<table class="problems"><tr><th>body</th><th>source</th><th>department / recipient</th>'
        "<th>cites</th><th>problem</th><th>expected</th><th>comment</th></tr>"
    )
    for x in problems:
        p.append(
            f'<tr class="problem"><td>{escape(x.organization)}</td>'
            f'<td><a href="{escape(_href(x.source, out_dir, doc_dirs))}">{escape(x.source)}</a></td>'
            f"<td>{escape(x.party)}</td><td>{escape((x.cited_table + ' ' + x.cited_item).strip())}</td>"
            f"<td>{escape(x.problem)}</td>"
            f"<td>{escape((x.expected_table + ' ' + x.expected_item).strip())}</td>"
            f"<td>{escape(x.comment)}</td></tr>"
        )
    p.append("</table>")


def write_reports(
    report: ImpactReport, out_dir: str | Path, *, doc_dirs: Sequence[Path] = ()
) -> list[Path]:
    """Write impact.csv, impact.json and impact.html into ``out_dir`` (created if missing)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("impact.csv", to_csv(report)),
        ("impact.json", to_json(report)),
        ("impact.html", to_html(report, out_dir=out, doc_dirs=doc_dirs)),
    ):
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
