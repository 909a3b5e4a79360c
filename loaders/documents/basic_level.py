"""What only the 基礎項目評価書 (様式2) holds: its systems and files listed in Ⅰ 関連情報, and
the しきい値判断 (Ⅱ 対象人数, 取扱者数, 重大事故; Ⅲ its result).

The basic form has no section "特定個人情報ファイルの概要": ③システムの名称 and
2. 特定個人情報ファイル名 are numbered lists in one cell each. They become the same
``pia:System`` and ``pia:PersonalInformationFile`` nodes as the other levels' (so the
``systems`` and ``files`` queries answer for every level).
"""

from __future__ import annotations

import re

from rdflib import Literal

from pia_kg.loaders.documents.assessment_context import AssessmentContext, FileRef
from pia_kg.loaders.documents.basic_info import Sections
from pia_kg.loaders.documents.form import Form, band_value
from pia_kg.loaders.documents.terms import PIA
from pia_kg.text.form_marks import split_numbered_list
from pia_kg.text.widths import fold_spaces, nfkc

__all__ = ["extract_basic_level", "choice"]


def extract_basic_level(form: Form, ctx: AssessmentContext, sec: Sections, names: list[str]) -> None:
    """Systems, files and the しきい値判断 of a basic assessment."""
    _systems(form, ctx, sec)
    _files(form, ctx, sec, names)
    _threshold(form, ctx, sec)


def _systems(form: Form, ctx: AssessmentContext, sec: Sections) -> None:
    dg = ctx.dg
    occ = form.first("system_name", sec.i_start, sec.i_end)
    v = form.value(occ, long=True, max_rows=12) if occ is not None else None
    if occ is None or v is None:
        dg.warn("Ⅰ 関連情報 names no システム (③システムの名称)", occ.line if occ else sec.i_start)
        return
    names = system_names(v.text)
    if not names:
        dg.warn("③システムの名称: no list of system names beside its label (layout order?); "
                "not extracted", v.start)
        return
    for order, name in enumerate(names, start=1):
        node = dg.fact("system", str(order), PIA.System, v.start, v.end)
        dg.label(node, fold_spaces(name))
        dg.add(node, PIA.order, order)
        dg.add(ctx.assessment, PIA.system, node)


def _is_name(text: str) -> bool:
    return 0 < len(text) <= 40 and not re.search(r"[、。]", text)


def system_names(text: str) -> list[str]:
    """The system names of a ③システムの名称 cell: its numbered list, or one name; in layout
    order the list may come after the texts of the labels before it, so the last numbered
    list of the cell counts. Empty when no list of names can be told.

    >>> system_names("1.児童手当システム 2.中間サーバ")
    ['児童手当システム', '中間サーバ']
    >>> system_names("生活保護関係事務 病気やケガ、…を行う。 1.生活保護システム 2.中間サーバ")
    ['生活保護システム', '中間サーバ']
    >>> system_names("病気やケガ、また働いても収入が少ないなどにより、")
    []
    """
    names = [fold_spaces(n) for n in split_numbered_list(text)]
    if names and all(_is_name(n) for n in names):
        return names
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=\s))1\s*[.．]\s*\S", nfkc(text))]
    if starts:
        names = [fold_spaces(n) for n in split_numbered_list(nfkc(text)[starts[-1] :])]
        if names and all(_is_name(n) for n in names):
            return names
    return []


def _files(form: Form, ctx: AssessmentContext, sec: Sections, names: list[str]) -> None:
    dg = ctx.dg
    occ = form.first("file_names", sec.i_start, sec.i_end)
    if occ is None or not names:
        dg.warn("Ⅰ 関連情報 names no 特定個人情報ファイル (2. 特定個人情報ファイル名)", sec.i_start)
        return
    for k, name in enumerate(names, start=1):
        node = dg.fact("file", str(k), PIA.PersonalInformationFile, occ.line)
        dg.label(node, name)
        dg.add(node, PIA.order, k)
        dg.add(ctx.assessment, PIA.file, node)
        ctx.files[k] = FileRef(k, node, name, occ.line)


_CHOICE = re.compile(r"\[\s*(?P<v>[^\[\]<>]+?)\s*\]")


def choice(text: str) -> str | None:
    """The chosen value of a しきい値 item: the bracketed answer before the choice list.

    >>> choice("評価対象の事務の対象人数は何人か [ 1,000人以上1万人未満 ] <選択肢> 1) 1,000人未満")
    '1,000人以上1万人未満'
    """
    m = _CHOICE.search(nfkc(text))
    return m["v"] if m else band_value(text)


def _threshold(form: Form, ctx: AssessmentContext, sec: Sections) -> None:
    dg, a = ctx.dg, ctx.assessment
    # 1. 対象人数 is a question and its bracketed answer: the answer replaces what section I read.
    occ = form.first("subject_count_band", sec.i_start, sec.i_end)
    v = form.value(occ, long=True, max_rows=4) if occ is not None else None
    if v is not None and (band := choice(v.text)):
        dg.graph.set((a, PIA.subjectCountBand, Literal(band)))
    for key, prop in (
        ("handler_count", PIA.handlerCountBand),
        ("serious_accident", PIA.seriousAccident),
    ):
        occ = form.first(key, sec.i_start, sec.i_end)
        v = form.value(occ, long=True, max_rows=4) if occ is not None else None
        if v is not None:
            dg.add(a, prop, choice(v.text))
    # Ⅲ しきい値判断結果 and, under it, the same words as the label of the result.
    for occ in form.find("threshold_result", sec.i_start, sec.i_end):
        v = form.value(occ, long=True, max_rows=4)
        if v is not None:
            dg.add(a, PIA.thresholdResult, fold_spaces(v.text))
            return
