"""Exports that cannot attack the person who opens them (issue 12, item 7).

A CSV or spreadsheet cell starting with ``=``, ``+``, ``-``, ``@`` is run as a formula by
Excel; the OWASP rule neutralises it with a leading ``'``. A link in the HTML report must
never carry a script: a source whose file is not found was linked with its raw name, so a
document named ``javascript:alert(1);<!--.txt`` ran script when clicked.
"""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

from pia_kg.exports import ExportTable, to_csv, to_xlsx
from pia_kg.impact.render import to_csv as impact_csv
from pia_kg.impact.render import to_html
from pia_kg.impact.report import ImpactReport, ImpactRow, ProblemRow

HOSTILE = "javascript:alert(1);<!--.txt#L1-L2"
FORMULAS = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)"]


def _report() -> ImpactReport:
    row = ImpactRow(
        assessment="urn:x", organization=FORMULAS[0], source=HOSTILE, role="transfer", party=FORMULAS[1],
        annex="", article="", cited_table="番号法別表第一", cited_item="56", meaning=FORMULAS[3],
        new_table="番号法別表", new_item="81", change="renumbered", confidence=0.99, evidence=FORMULAS[2],
        corrected="番号法別表 81の項",
    )
    problem = ProblemRow("urn:x", "静岡市", "javascript:alert(2).txt#L3-L3", "transfer", "課", "番号法別表第一", "80",
                         "number-text-mismatch", "", "番号法別表第一", "56")
    return ImpactReport("t", "2024-05-27", "2024-05-27", rows=[row], problems=[problem])


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v or "" for k, v in attrs if k in ("href", "src")]


def test_html_report_never_links_a_script(tmp_path) -> None:  # noqa: ANN001
    html = to_html(_report(), out_dir=tmp_path, doc_dirs=[tmp_path])
    parser = _Links()
    parser.feed(html)
    assert not [h for h in parser.hrefs if h.strip().lower().startswith(("javascript:", "data:", "vbscript:"))]
    assert "javascript:alert(1);&lt;!--.txt#L1-L2" in html  # shown as text, escaped
    assert "<!--.txt" not in html


def test_impact_csv_neutralises_formulas() -> None:
    rows = list(csv.DictReader(io.StringIO(impact_csv(_report()))))
    assert rows[0]["organization"] == "'" + FORMULAS[0]
    assert rows[0]["party"] == "'+1+1" and rows[0]["evidence"] == "'-2+3" and rows[0]["meaning"] == "'@SUM(A1)"
    assert rows[0]["confidence"] == "0.99"  # numbers stay numbers


def test_xlsx_cells_are_text_not_formulas() -> None:
    from openpyxl import load_workbook

    table = ExportTable(["a", "n"], [{"a": f, "n": -1} for f in FORMULAS])
    ws = load_workbook(io.BytesIO(to_xlsx(table))).active
    values = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [v[0] for v in values] == ["'" + f for f in FORMULAS]
    assert all(v[1] == -1 for v in values)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_plain_csv_export_neutralises_and_keeps_negative_numbers() -> None:
    text = to_csv(ExportTable(["a"], [{"a": "=1+1"}, {"a": "-5"}, {"a": "@x"}]))
    assert text.splitlines() == ["a", "'=1+1", "-5", "'@x"]


def test_written_reports_include_a_workbook_with_the_rows(tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    from pia_kg.impact.render import REPORT_FILES, write_reports

    written = write_reports(_report(), tmp_path)
    assert sorted(p.name for p in written) == sorted(REPORT_FILES)
    ws = load_workbook(tmp_path / "impact.xlsx").active
    header, row = list(ws.iter_rows(values_only=True))
    record = dict(zip(header, row, strict=True))
    assert record["変更の種類"] == "項番の変更" and record["評価実施機関"] == "'" + FORMULAS[0]


def _national_report(n: int) -> ImpactReport:
    """``n`` rows over many bodies, as a report of every assessment of the country reads."""
    rows = [
        ImpactRow(
            assessment=f"urn:a{i // 20}", organization=f"{i % 300:03d}市", source=f"d{i // 20}.txt#L{i}-L{i}",
            role="transfer", party=f"課{i}", annex="", article="", cited_table="番号法別表第一",
            cited_item=str(i % 120), meaning="事務", new_table="番号法別表", new_item=str(i % 150),
            change="renumbered", confidence=0.9, evidence="", corrected=f"番号法別表 {i % 150}の項",
        )
        for i in range(n)
    ]
    return ImpactReport("t", "2024-05-27", "2024-05-27", rows=rows)


def test_a_national_report_keeps_every_row_in_the_files_and_a_page_a_browser_opens(tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    from pia_kg.impact.render import HTML_ROWS, write_reports

    n = HTML_ROWS + 37
    write_reports(_national_report(n), tmp_path)
    html = (tmp_path / "impact.html").read_text(encoding="utf-8")
    assert html.count('<tr class="fix ') == HTML_ROWS
    assert 'id="fixes-truncated"' in html and "impact.csv / impact.xlsx" in html
    assert f'id="grand-total">{n}<' in html  # the counts stay whole
    assert len(list(csv.DictReader(io.StringIO((tmp_path / "impact.csv").read_text(encoding="utf-8"))))) == n
    ws = load_workbook(tmp_path / "impact.xlsx", read_only=True).active
    assert sum(1 for _ in ws.iter_rows(values_only=True)) == n + 1
    # a body's report, under the cap, lists every row and says nothing of a cut
    small = tmp_path / "small"
    write_reports(_national_report(30), small)
    assert 'id="fixes-truncated"' not in (small / "impact.html").read_text(encoding="utf-8")


def test_xlsx_header_is_frozen_and_columns_sized() -> None:
    from openpyxl import load_workbook

    table = ExportTable(["organization", "n"], [{"organization": "静岡市" * 30, "n": 1}])
    ws = load_workbook(io.BytesIO(to_xlsx(table, sheet="改正の影響"))).active
    assert ws.title == "改正の影響" and ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 60 and ws.column_dimensions["B"].width == 8


def test_rows_past_a_sheets_limit_continue_on_further_sheets(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    """Excel opens no sheet of more than 1,048,576 rows: a national table (about a million
    rows at 35,000 assessments) goes on to sheets of its own, each with its header, every row
    once and in order. The limit is lowered to four rows a sheet (header included)."""
    from openpyxl import load_workbook

    from pia_kg import exports

    monkeypatch.setattr(exports, "XLSX_ROWS", 4)
    table = ExportTable(["n", "organization"], [{"n": i, "organization": f"団体{i}"} for i in range(7)])
    path = tmp_path / "t.xlsx"
    exports.write_xlsx(path, table, japanese=True, sheet="改正の影響")
    book = load_workbook(path)
    assert book.sheetnames == ["改正の影響", "改正の影響 (2)", "改正の影響 (3)"]
    read = []
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        assert len(rows) <= 4 and rows[0] == tuple(exports._header(table, True)) and ws.freeze_panes == "A2"
        read.extend(rows[1:])
    assert read == [(i, f"団体{i}") for i in range(7)]
    # rows read once, as they come (a listing written to a file), make the same workbook
    streamed = tmp_path / "s.xlsx"
    exports.write_xlsx(streamed, ExportTable(table.columns, iter(table.rows)), japanese=True, sheet="改正の影響")
    assert [list(ws.iter_rows(values_only=True)) for ws in load_workbook(streamed).worksheets] == [
        list(ws.iter_rows(values_only=True)) for ws in book.worksheets
    ]
    six = tmp_path / "six.xlsx"  # exactly two sheets' worth: no third, empty sheet
    exports.write_xlsx(six, ExportTable(table.columns, iter(table.rows[:6])))
    assert load_workbook(six).sheetnames == ["rows", "rows (2)"]
    assert load_workbook(io.BytesIO(exports.to_xlsx(table))).sheetnames == ["rows", "rows (2)", "rows (3)"]
    assert load_workbook(io.BytesIO(exports.to_xlsx(ExportTable(["n"], [])))).active.max_row == 1


def test_streamed_json_is_the_report_as_json_dumps_writes_it(tmp_path) -> None:  # noqa: ANN001
    import json

    from pia_kg.impact.render import to_json, write_reports

    for report in (_report(), _national_report(7), ImpactReport("t", "2024-05-27", "2024-05-27")):
        expected = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
        assert to_json(report) == expected
        write_reports(report, tmp_path)
        assert (tmp_path / "impact.json").read_text(encoding="utf-8") == expected
