"""Impact of an amendment: every citation it breaks, and what each should cite afterwards.

For a table renumbering (``2024-05-27``) the rows come from the named query
``renumbering_impact``, so the CLI report, the API and the query page agree on one answer;
for an article renumbering (the 2021 号 shift) and for a what-if they are computed here from
the citations in the store. Citations the resolution graph already marks as wrong
(``pia:problem``) are never mixed into the impact rows: they form the report's separate list
of problems, whatever amendment is asked about.

Rows are plain dataclasses; ``pia_kg.impact.render`` writes them as a table, CSV, JSON and
HTML.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

from pia_kg.derive.basis_links import role_in_english
from pia_kg.errors import LawDataError
from pia_kg.impact.amendment import Amendment, WhatIf
from pia_kg.named_queries import run_query, run_query_each, run_sparql
from pia_kg.sorted_rows import SortedRows
from pia_kg.store import Store

__all__ = [
    "CHANGE_KINDS",
    "ImpactRow",
    "ProblemRow",
    "ImpactReport",
    "build_impact_report",
    "build_what_if_report",
    "cited_assessments",
    "corrected_citation",
    "row_dict",
]

# Kinds of change, in the order reports list them.
CHANGE_KINDS = (
    "renumbered",
    "reworded",
    "split",
    "merged",
    "deleted",
    "table replaced",
    "article renumbered",
    "unknown item",
)

_RELATION_CHANGE = {
    "Renumbered": "renumbered",
    "Reworded": "reworded",
    "Split": "split",
    "Merged": "merged",
    "Deleted": "deleted",
    "Same": "table replaced",
}


def row_dict(row: ImpactRow | ProblemRow) -> dict[str, object]:
    """A report row's fields by name, in their order: what ``dataclasses.asdict`` gives, without
    its deep copy of each value (the fields are texts and numbers). asdict took 20 µs a row, and
    a national report (138,000 rows) is made into dicts three times: 73 -> 58 CPU s.

    >>> r = ProblemRow("a", "静岡市", "f.txt#L3-L3", "provision", "x", "番号法別表第二", "999", "unknown item", "", "", "")
    >>> from dataclasses import asdict
    >>> row_dict(r) == asdict(r) and list(row_dict(r)) == list(asdict(r))
    True
    """
    return {name: getattr(row, name) for name in _field_names(type(row))}


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


# slots: a national report holds some 280,000 rows (10,000 documents)
@dataclass(frozen=True, slots=True)
class ImpactRow:
    """One citation an amendment breaks (one row per successor item when an item is split)."""

    assessment: str
    organization: str
    source: str  # FILE#Lstart-Lend
    role: str  # provision | transfer | number use | network linkage
    party: str  # recipient or department as written
    annex: str
    article: str
    cited_table: str
    cited_item: str
    meaning: str  # 機関 / 事務 of the item meant, before the amendment
    new_table: str
    new_item: str
    change: str
    confidence: float
    evidence: str
    corrected: str  # what the citation should say after the amendment

    @property
    def line(self) -> int:
        """The first source line, for sorting (0 when the source has none)."""
        tail = self.source.rpartition("#L")[2].split("-")[0]
        return int(tail) if tail.isdigit() else 0


@dataclass(frozen=True)
class ProblemRow:
    """A citation already wrong before the amendment, as the resolution graph says."""

    assessment: str
    organization: str
    source: str
    role: str
    party: str
    cited_table: str
    cited_item: str
    problem: str
    comment: str
    expected_table: str
    expected_item: str


@dataclass
class ImpactReport:
    """The answer to "what breaks": rows, problems apart, and counts.

    ``rows`` is a list, or, for a report of more rows than are held at once (a national
    one), :class:`~pia_kg.sorted_rows.SortedRows` read back in order from disk as often as
    asked: whoever reads them iterates, takes ``len`` or the first rows (``rows[:n]``).
    """

    title: str
    amendment: str  # key, or "what-if"
    date: str
    rows: Sequence[ImpactRow] = field(default_factory=list)
    problems: list[ProblemRow] = field(default_factory=list)
    source: str = ""  # what-if file
    titles: dict[str, str] = field(default_factory=dict)  # assessment IRI → its title
    # rows per body and kind of rows read from disk, counted once (the CLI, the page and the
    # JSON ask for the counts several times); a list's are counted as asked
    _tally: tuple[SortedRows[ImpactRow], dict[str, Counter[str]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def _by_body(self) -> dict[str, Counter[str]]:
        if self._tally is not None and self._tally[0] is self.rows:
            return self._tally[1]
        by_body: dict[str, Counter[str]] = {}
        for r in self.rows:
            by_body.setdefault(r.organization or "(unknown body)", Counter())[r.change] += 1
        if isinstance(self.rows, SortedRows):
            self._tally = (self.rows, by_body)
        return by_body

    def counts(self) -> dict[str, dict[str, int]]:
        """Rows per body (organization) and kind of change, bodies sorted, kinds in order."""
        return {body: {k: c[k] for k in _kinds(c)} for body, c in sorted(self._by_body().items())}

    def totals(self) -> dict[str, int]:
        c: Counter[str] = Counter()
        for by_kind in self._by_body().values():
            c.update(by_kind)
        return {k: c[k] for k in _kinds(c)}

    def summary(self) -> dict[str, object]:
        """What the report says besides its lists: what amendment, titles, counts."""
        return {
            "title": self.title,
            "amendment": self.amendment,
            "date": self.date,
            "source": self.source,
            "titles": self.titles,
            "counts": self.counts(),
            "totals": self.totals(),
        }

    def lists(self) -> dict[str, Sequence[ImpactRow] | list[ProblemRow]]:
        """The report's lists, by key: the rows to fix, the citations wrong before."""
        return {"rows": self.rows, "problems": self.problems}

    def to_dict(self) -> dict[str, object]:
        return {**self.summary(), **{k: [row_dict(r) for r in rows] for k, rows in self.lists().items()}}


def _kinds(c: Counter[str]) -> list[str]:
    return [k for k in CHANGE_KINDS if c[k]] + sorted(k for k in c if k not in CHANGE_KINDS)


def corrected_citation(new_table: str, new_item: str, change: str) -> str:
    """The citation as it should read after the amendment ("" when nothing can replace it)."""
    if change == "deleted":
        return ""
    if not new_item:
        return new_table
    return f"{new_table} {new_item}の項"


def build_impact_report(
    store: Store,
    amendment: Amendment,
    *,
    assessment: str | None = None,
    assessments: Sequence[str] | None = None,
) -> ImpactReport:
    """The impact report of a known amendment on the loaded assessments, or on one of them
    (``assessment``), or on some (``assessments``: a body's, say), each looked up by itself
    so that the report costs those assessments whatever the store holds.

    Raises LawDataError when the store holds no law table version that ceased on a table
    amendment's date (nothing could be said about it).
    """
    chosen = _chosen(assessment, assessments)
    report = ImpactReport(title=amendment.title, amendment=amendment.key, date=amendment.date.isoformat())
    rows = SortedRows(_row_order)
    if amendment.tables:
        _check_versions(store, amendment)
        # a hundred assessments a query (run_query_each), each looked up by index, their rows
        # read before the next: the corpus-wide query held every packed text and row of a
        # national answer at once
        every = chosen if chosen is not None else cited_assessments(store)
        for result in run_query_each(store, "renumbering_impact", {"amendment": amendment.key}, "assessment", every):
            rows.extend(map(_row_from_query, result.iter_values()))
    if amendment.articles:
        for c in _citations(store, chosen):
            if c["problem"]:
                continue
            rows.extend(_article_rows(c, amendment))
    report.rows = rows.result()
    report.problems = problems(store, chosen)
    report.titles = assessment_titles(store, chosen)
    return report


def cited_assessments(store: Store) -> list[str]:
    """Every assessment some citation rows are written for (pia_kg/derive/answer_rows.py),
    in IRI order: whose rows a national report looks up one by one."""
    text = (
        "PREFIX pia: <https://w3id.org/pia-kg/ontology#>\n"
        "SELECT DISTINCT ?assessment WHERE { ?rows pia:citationRowsOf ?assessment }"
    )
    return sorted(str(row[0]) for row in store.query(text).rows)


def _chosen(assessment: str | None, assessments: Sequence[str] | None) -> list[str] | None:
    """The assessments a report is about (None: every one).

    >>> _chosen("urn:a", None), _chosen(None, ["urn:b", "urn:a", "urn:b"]), _chosen(None, None)
    (['urn:a'], ['urn:a', 'urn:b'], None)
    """
    if assessment:
        return [assessment]
    return sorted(set(assessments)) if assessments is not None else None


def assessment_titles(store: Store, assessments: Sequence[str] | None = None) -> dict[str, str]:
    """Each loaded assessment's title (its IRI when it has none), for headings: of every
    assessment, or of these (looked up LOOKED_UP_AT_ONCE at a time: a body's 21 took 120 ms
    one by one through the assessments query)."""
    titles: dict[str, str] = {}
    if assessments is None:
        rows = run_query(store, "assessments").values()
    else:
        rows = (r for at in range(0, len(assessments), LOOKED_UP_AT_ONCE) for r in run_sparql(store, (
            "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX pia: <https://w3id.org/pia-kg/ontology#>\n"
            "SELECT ?assessment ?title WHERE { "
            + _assessment_values(assessments[at : at + LOOKED_UP_AT_ONCE])
            + " ?assessment a pia:Assessment OPTIONAL { ?assessment dcterms:title ?t } BIND(STR(?t) AS ?title) }"
        )).values())
    for row in rows:
        iri = row.get("assessment") or ""
        if iri and iri not in titles:
            titles[iri] = row.get("title") or iri
    return titles


def _check_versions(store: Store, amendment: Amendment) -> None:
    text = (
        "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n"
        "SELECT ?v WHERE { ?v eli:date_no_longer_in_force ?end . "
        f'FILTER(STR(?end) = "{amendment.date.isoformat()}") }} LIMIT 1'
    )
    if not store.query(text).rows:
        raise LawDataError(
            f"no law table version in the store ceased on {amendment.key}: load the law tables "
            "first (pia-kg law load DIR)"
        )


def _row_from_query(r: dict[str, str | None]) -> ImpactRow:
    def s(k: str) -> str:  # the words rows repeat (IRIs, bodies, tables, meanings) held once
        return sys.intern(r.get(k) or "")

    change = s("change")
    return ImpactRow(
        assessment=s("assessment"),
        organization=s("organization"),
        source=s("source"),
        role=s("role"),
        party=s("party"),
        annex=s("annex"),
        article=s("article"),
        cited_table=s("cited_table"),
        cited_item=s("cited_item"),
        meaning=s("meaning"),
        new_table=s("new_table"),
        new_item=s("new_item"),
        change=change,
        confidence=float(s("confidence") or 0),
        evidence=s("evidence"),
        corrected=corrected_citation(s("new_table"), s("new_item"), change),
    )


def _row_order(r: ImpactRow) -> tuple[str, str, int, str, str, str]:
    return (r.organization, r.assessment, r.line, r.source, r.cited_item, r.new_item)


_CITATIONS = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?citation ?assessment ?organization ?source ?role ?party ?annex ?article
       ?basis ?cited_table ?cited_item ?resolved_table ?resolved_item ?meaning ?problem
WHERE {
  # Index lookups from the assessment (or every citation with a party), in stages whose
  # LIMIT never cuts an answer (see queries/renumbering_impact.rq).
  { SELECT * WHERE {
    { SELECT * WHERE {
      %ASSESSMENT%
      %FROM_PROBLEMS%
      ?citation pia:inAssessment ?assessment ; pia:basisRole ?basisRole ; pia:basisOf ?holder .
      %WITH_PROBLEM%
    } LIMIT 10000000 }
    OPTIONAL { ?citation pia:resolvedItem ?resolved }
    # always bound (a constant last), so that the lookups below go row by row
    BIND(COALESCE(?resolved, pia:NoItem) AS ?resolvedItem)
  } LIMIT 10000000 }
  BIND(%ROLE% AS ?role)
  OPTIONAL { ?assessment pia:bodyName ?organization }
  OPTIONAL { ?holder pia:source ?holderSource }
  OPTIONAL { ?citation pia:source ?citationSource }
  BIND(COALESCE(?holderSource, ?citationSource) AS ?source)
  OPTIONAL { ?holder pia:basisRecipient ?party }
  OPTIONAL { ?holder pia:annex ?annex }
  OPTIONAL { ?citation pia:articleAsWritten ?article }
  OPTIONAL { ?citation pia:basisText ?basis }
  OPTIONAL { ?citation pia:citedTable ?cited_table }
  OPTIONAL { ?citation pia:citedItem ?cited_item }
  OPTIONAL { ?resolvedItem pia:itemLabel ?resolved_item }
  OPTIONAL {
    ?resolvedItem pia:inVersion/pia:versionOf/rdfs:label ?resolved_table .
    FILTER(LANG(?resolved_table) = "ja")
  }
  OPTIONAL { ?resolvedItem pia:jimu ?meaning }
  OPTIONAL { ?citation pia:problem ?problem }
}
""".replace("%ROLE%", role_in_english("?basisRole"))


def _assessment_values(assessments: Sequence[str] | None, variable: str = "assessment") -> str:
    """``VALUES ?assessment { <iri> … }`` ("" for every assessment), or of another
    ``variable``; ParameterError if one is not an IRI.

    >>> _assessment_values(["urn:a", "urn:b"])
    'VALUES ?assessment { <urn:a> <urn:b> }'
    """
    if assessments is None:
        return ""
    for assessment in assessments:
        if not assessment or any(ch in assessment for ch in '<>"{}|^`\\ '):
            from pia_kg.errors import ParameterError

            raise ParameterError(f"not an IRI: {assessment!r}", param=variable)
    return f"VALUES ?{variable} {{ {' '.join(f'<{a}>' for a in assessments)} }}"


#: IRIs a query of the report looks up at once (its VALUES block).
LOOKED_UP_AT_ONCE = 1000


def _looked_up(text: str, assessments: Sequence[str] | None, problem: str) -> str:
    """``text`` looked up from the assessments given (their VALUES, then ``problem`` checked
    for each citation), or, for every assessment, from the problems themselves (``problem``
    first): Oxigraph joins in the order written, and a corpus holds far fewer problems than
    citations. ``text`` marks the places %ASSESSMENT%, %FROM_PROBLEMS% and %WITH_PROBLEM%.

    >>> t = "%ASSESSMENT% %FROM_PROBLEMS% ?c pia:inAssessment ?assessment . %WITH_PROBLEM%"
    >>> _looked_up(t, None, "?c pia:problem ?p .")
    ' ?c pia:problem ?p . ?c pia:inAssessment ?assessment . '
    >>> _looked_up(t, ["urn:a"], "?c pia:problem ?p .")
    'VALUES ?assessment { <urn:a> }  ?c pia:inAssessment ?assessment . ?c pia:problem ?p .'
    """
    return (
        text.replace("%ASSESSMENT%", _assessment_values(assessments))
        .replace("%FROM_PROBLEMS%", problem if assessments is None else "")
        .replace("%WITH_PROBLEM%", problem if assessments is not None else "")
    )


def _citations(
    store: Store, assessments: Sequence[str] | None, *, problems_only: bool = False,
    citations: Sequence[str] | None = None,
) -> list[dict[str, str | None]]:
    """Every citation of the loaded assessments (or of these; or only those with a problem,
    looked up from the problems: a few per assessment, not every citation of the corpus;
    or these ``citations``, looked up themselves), with its holder and resolution, one row
    each."""
    if citations is not None:
        texts = [
            _CITATIONS.replace("%ASSESSMENT%", _assessment_values(citations[at : at + LOOKED_UP_AT_ONCE], "citation"))
            .replace("%FROM_PROBLEMS%", "").replace("%WITH_PROBLEM%", "")
            for at in range(0, len(citations), LOOKED_UP_AT_ONCE)
        ]
    else:
        texts = [_looked_up(_CITATIONS, assessments, "?citation pia:problem ?anyProblem ." if problems_only else "")]
    seen: dict[str, dict[str, str | None]] = {}
    for row in (r for text in texts for r in run_sparql(store, text).values()):
        key = f"{row['citation']}|{row['source']}|{row['party']}"
        seen.setdefault(key, row)
    return list(seen.values())


def _article_rows(c: dict[str, str | None], amendment: Amendment) -> list[ImpactRow]:
    """Rows for a citation whose article text names a 号 the amendment moved."""
    from pia_kg.text.widths import compact

    out = []
    for text in {c.get("article") or "", c.get("basis") or ""}:
        written = compact(text)
        for moved in amendment.articles:
            if moved.pattern().search(written):
                out.append(
                    ImpactRow(
                        assessment=c["assessment"] or "",
                        organization=c["organization"] or "",
                        source=c["source"] or "",
                        role=c["role"] or "",
                        party=c["party"] or "",
                        annex=c["annex"] or "",
                        article=moved.old_text,
                        cited_table=c["cited_table"] or "",
                        cited_item=c["cited_item"] or "",
                        meaning=c["meaning"] or "",
                        new_table=c["cited_table"] or "",
                        new_item=c["cited_item"] or "",
                        change="article renumbered",
                        confidence=1.0,
                        evidence=f"{moved.old_text} became {moved.new_text} on {amendment.key}",
                        corrected=moved.pattern().sub(moved.new_text, written),
                    )
                )
        if out:
            break
    return out


_PROBLEMS = """
PREFIX pia: <https://w3id.org/pia-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?citation ?kind ?comment ?expected_table ?expected_item WHERE {
  { SELECT * WHERE {
    %ASSESSMENT%
    %FROM_PROBLEMS%
    ?citation pia:inAssessment ?assessment .
    %WITH_PROBLEM%
  } LIMIT 10000000 }
  OPTIONAL { ?p pia:problemKind ?kind }
  OPTIONAL { ?p rdfs:comment ?comment }
  OPTIONAL { ?p pia:expectedTable ?expected_table }
  OPTIONAL { ?p pia:expectedItem ?expected_item }
}
"""


def problems_query(assessments: Sequence[str] | None = None) -> str:
    """The SPARQL of :func:`problems`' details: looked up from the assessments given, or, for
    every assessment, from the problems themselves. Oxigraph joins the patterns in the order
    written: from every citation's assessment it probed each citation of the corpus for a
    problem (6.9 s at 5,000 documents, where starting from the 18,866 problems took 0.74 s).

    >>> q = problems_query()
    >>> q.index("pia:problem ?p") < q.index("pia:inAssessment")
    True
    >>> q = problems_query(["urn:a"])
    >>> q.index("VALUES ?assessment") < q.index("pia:inAssessment") < q.index("pia:problem ?p")
    True
    """
    return _looked_up(_PROBLEMS, assessments, "?citation pia:problem ?p .")


def problems(store: Store, assessments: Sequence[str] | None = None) -> list[ProblemRow]:
    """Citations the resolution graph marks as wrong, in the loaded assessments (or these)."""
    details: dict[str, list[dict[str, str | None]]] = {}
    for row in run_sparql(store, problems_query(assessments)).values():
        details.setdefault(row["citation"] or "", []).append(row)
    if not details:
        return []
    out = []
    # a national report's problems looked up from the problems themselves; some assessments'
    # by the citations the problems name (a body's: 98 of 118 ms by their assessments)
    cited = _citations(store, None, problems_only=True) if assessments is None else _citations(store, None, citations=list(details))
    for c in cited:
        for d in details.get(c["citation"] or "", []):
            out.append(
                ProblemRow(
                    assessment=c["assessment"] or "",
                    organization=c["organization"] or "",
                    source=c["source"] or "",
                    role=c["role"] or "",
                    party=c["party"] or "",
                    cited_table=c["cited_table"] or "",
                    cited_item=c["cited_item"] or "",
                    problem=_local(d["kind"]),
                    comment=d["comment"] or "",
                    expected_table=d["expected_table"] or "",
                    expected_item=d["expected_item"] or "",
                )
            )
    out.sort(key=lambda p: (p.organization, p.assessment, p.source, p.cited_item))
    return list(dict.fromkeys(out))


def _local(value: str | None) -> str:
    if not value:
        return ""
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def build_what_if_report(
    store: Store,
    what_if: WhatIf,
    *,
    assessment: str | None = None,
    assessments: Sequence[str] | None = None,
    law_dir: str | Path | None = None,
    date: dt.date | None = None,
) -> ImpactReport:
    """The impact of a hypothetical renumbering on the loaded assessments (or on one, or on
    some: as :func:`build_impact_report`).

    A label what-if moves the labels it lists and nothing else; a citation means the item its
    resolution names when that is in the same table, else the item it cites. A law-TSV
    what-if is compared with the latest held version of its table (read from ``law_dir``)
    by the correspondence derivation, so its rows carry derived relations and confidences.
    """
    when = date or dt.date.today()
    report = ImpactReport(
        title=f"What-if: {Path(what_if.source).name}",
        amendment="what-if",
        date=when.isoformat(),
        source=what_if.source,
    )
    moves = _what_if_moves(what_if, law_dir, when)
    chosen = _chosen(assessment, assessments)
    rows = SortedRows(_row_order)
    for c in _citations(store, chosen):
        table = c["cited_table"] or ""
        if c["problem"] or table not in moves or not c["cited_item"]:
            continue
        same_table = c["resolved_table"] == table and c["resolved_item"]
        label = (c["resolved_item"] if same_table else c["cited_item"]) or ""
        for new_item, change, confidence, evidence in moves[table].get(label, []):
            rows.extend([
                ImpactRow(
                    assessment=c["assessment"] or "",
                    organization=c["organization"] or "",
                    source=c["source"] or "",
                    role=c["role"] or "",
                    party=c["party"] or "",
                    annex=c["annex"] or "",
                    article=c["article"] or "",
                    cited_table=table,
                    cited_item=c["cited_item"] or "",
                    meaning=(c["meaning"] or "") if same_table else "",
                    new_table=table,
                    new_item=new_item or "",
                    change=change,
                    confidence=confidence,
                    evidence=evidence,
                    corrected=corrected_citation(table, new_item or "", change),
                )
            ])
    report.rows = rows.result()
    report.problems = problems(store, chosen)
    report.titles = assessment_titles(store, chosen)
    return report


Move = tuple[str | None, str, float, str]


def _what_if_moves(what_if: WhatIf, law_dir: str | Path | None, when: dt.date) -> dict[str, dict[str, list[Move]]]:
    """table → old label → [(new label, change, confidence, evidence)], unchanged labels left out."""
    if what_if.law_tsv is None:
        return {
            table: {
                old: [
                    (
                        new,
                        "deleted" if new is None else "renumbered",
                        1.0,
                        f"what-if {Path(what_if.source).name}: {old} → {new or '削除'}",
                    )
                ]
                for old, new in mapping.items()
                if new != old
            }
            for table, mapping in what_if.mapping.items()
        }
    from pia_kg.derive.correspondence import derive_correspondences
    from pia_kg.loaders.law.catalog import CatalogueEntry, discover_law_dir, find_law_tables
    from pia_kg.loaders.law.tsv import read_law_tsv
    from pia_kg.text.legal import table_by_label

    table = table_by_label(what_if.table or "")
    folder = discover_law_dir(law_dir)
    if table is None or folder is None:
        raise LawDataError("a law-table what-if needs the law tables (--law-dir) and a known table")
    held = [v for v in find_law_tables(folder) if v.table.key == table.key]
    if not held:
        raise LawDataError(f"no version of {table.label} in {folder} to compare the what-if with")
    current = max(held, key=lambda v: v.in_force_from)
    entry = CatalogueEntry(
        file_name=what_if.law_tsv.name,
        table_key=table.key,
        version_key="what-if",
        in_force_from=when,
        in_force_to=None,
        revision_id="",
        layout=table.kind,
        note="hypothetical version (what-if)",
    )
    hypothetical = read_law_tsv(what_if.law_tsv, entry)
    moves: dict[str, list[Move]] = {}
    for c in derive_correspondences(current, hypothetical):
        if c.from_label is None:
            continue
        change = _RELATION_CHANGE.get(c.relation.value)
        if change is None or (change == "table replaced"):
            continue  # same label, same text: nothing breaks
        moves.setdefault(c.from_label, []).append((c.to_label, change, c.confidence, c.evidence))
    return {table.label: moves}
