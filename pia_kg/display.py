"""Japanese words for what the queries return: column headings, coded values, sentences.

One place for every word a person reads on a page, in an export with Japanese headers, or
in the CLI's impact report. The queries and the graph keep their codes (``renumbered``,
``number-text-mismatch``, ``Same``); these functions turn them into words at the edge.

>>> column_label("cited_item")
'引用された項番'
>>> value_label("change", "table replaced")
'表の差し替え'
>>> value_label("relation", "earliest")
'保有する最古の版'
>>> value_label("reoutsourcing", True)
'はい'
>>> value_label("renames", "contractor: 株式会社東海道シグマ → 株式会社静岡セイコー")
'委託先: 株式会社東海道シグマ → 株式会社静岡セイコー'
>>> confidence_words(0.99)
'高い (0.99)'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = [
    "COLUMN_LABELS",
    "VALUE_LABELS",
    "column_label",
    "value_label",
    "confidence_words",
    "problem_sentence",
    "plain_value",
    "evidence_words",
    "resolution_sentence",
]

#: Japanese headings for the columns the named queries and reports return.
COLUMN_LABELS: dict[str, str] = {
    "table": "表",
    "version": "版",
    "valid_from": "施行日",
    "valid_until": "失効日",
    "item": "項番",
    "agency": "機関（情報照会者）",
    "jimu": "事務",
    "providers": "情報提供者",
    "deleted": "削除",
    "source": "出典（行）",
    "organization": "評価実施機関",
    "body": "団体",
    "department": "部署",
    "role": "区分",
    "assessment": "評価書",
    "cited_table": "引用された表",
    "cited_item": "引用された項番",
    "purpose": "用途",
    "meaning": "項の内容",
    "label": "項番",
    "text": "内容",
    "relation": "関係",
    "confidence": "確からしさ",
    "name": "名称",
    "file": "特定個人情報ファイル",
    "title": "名称",
    "contractor": "委託先",
    "reoutsourcing": "再委託",
    "recipient": "提供先",
    "date": "変更日",
    "section": "項目",
    "before": "変更前の記載",
    "after": "変更後の記載",
    "timing": "提出時期",
    "party": "相手先（部署・提供先）",
    "new_table": "改正後の表",
    "new_item": "改正後の項番",
    "change": "変更の種類",
    "level": "評価書の種類",
    "published": "公表日",
    "office": "所属長",
    "problem": "問題",
    "kind": "種類",
    "from_item": "改正前の項",
    "evidence": "根拠",
    "problem_kind": "問題の種類",
    "comment": "説明",
    "expected_table": "正しいと思われる表",
    "expected_item": "正しいと思われる項番",
    "reading": "読み方",
    "agreement": "用途と事務の一致度",
    "method": "日付の決め方",
    "as_of": "読んだ日付",
    "article": "条項",
    "annex": "別紙",
    "line": "行",
    "corrected": "改正後の記載（案）",
    "document": "文書",
    "old": "旧名称",
    "new": "新名称",
    "entity": "対象",
    "id": "文書ID",
    "renames": "名称の変更",
}

_CHANGE = {
    "renumbered": "項番の変更",
    "reworded": "文言の変更",
    "split": "分割",
    "merged": "統合",
    "deleted": "削除",
    "table replaced": "表の差し替え",
    "article renumbered": "条・号の繰下げ",
    "unknown item": "改正前の表にない項番",
}

_RELATION = {
    "Same": "変更なし",
    "Renumbered": "項番の変更",
    "Reworded": "文言の変更",
    "Split": "分割",
    "Merged": "統合",
    "Deleted": "削除",
    "start": "照会した項",
    "earliest": "保有する最古の版",
}

_ROLE = {
    "provision": "提供",
    "transfer": "移転",
    "number use": "個人番号の利用",
    "network linkage": "情報連携",
}

_PROBLEM = {
    "number-text-mismatch": "番号と用途の文が合わない",
    "wrong-table": "根拠にならない表を引用",
    "not-in-force": "その日に施行されていない表を引用",
    "unknown-item": "表にない項番を引用",
    "deleted-item": "削除された項を引用",
}

_METHOD = {
    "published": "公表日",
    "document-date": "文書の日付",
    "latest-change": "最新の変更日",
    "change-record": "変更箇所の変更日",
    "inferred": "推定",
}

_KIND = {"department": "部署", "contractor": "委託先"}

#: Coded values by column, turned into words.
VALUE_LABELS: dict[str, Mapping[str, str]] = {
    "law_status": {
        "held": "この日に施行されていた版を保有しています",
        "approximate": "この日に施行されていた改正のうち保有していない版があります。答えはその前の保有版によるもので、近似です",
        "not-held": "この日の表は保有していません（保有する最初の版より前です）",
    },
    "change": _CHANGE,
    "relation": _RELATION,
    "role": _ROLE,
    "problem": _PROBLEM,
    "problem_kind": _PROBLEM,
    "method": _METHOD,
    "kind": _KIND,
}

_BOOLEAN_TEXT = {"true": True, "false": False}


def column_label(column: str) -> str:
    """The Japanese heading of a column (the column name itself when none is known)."""
    return COLUMN_LABELS.get(column, column)


def plain_value(value: object) -> object:
    """A value as a person reads it: booleans as はい/いいえ, the rest unchanged."""
    if value is True or (isinstance(value, str) and _BOOLEAN_TEXT.get(value) is True):
        return "はい"
    if value is False or (isinstance(value, str) and _BOOLEAN_TEXT.get(value) is False):
        return "いいえ"
    return value


def value_label(column: str, value: object) -> object:
    """A coded value in Japanese words (``renumbered`` → 項番の変更); other values plain.

    >>> value_label("problem", "wrong-table")
    '根拠にならない表を引用'
    >>> value_label("organization", "静岡市")
    '静岡市'
    """
    if isinstance(value, str):
        words = VALUE_LABELS.get(column, {}).get(value)
        if words is not None:
            return words
        if column == "renames":
            return "; ".join(_rename_words(r) for r in value.split("; "))
    if column in ("confidence", "agreement") and isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 2)
    return plain_value(value)


def _rename_words(rename: str) -> str:
    """``department: A → B`` as ``部署: A → B``."""
    kind, sep, rest = rename.partition(": ")
    return f"{_KIND.get(kind, kind)}{sep}{rest}" if sep else rename


def confidence_words(confidence: float | None) -> str:
    """How sure, in words with the figure.

    >>> confidence_words(0.55)
    '低い (0.55)'
    >>> confidence_words(None)
    ''
    """
    if confidence is None:
        return ""
    word = "高い" if confidence >= 0.9 else "中程度" if confidence >= 0.7 else "低い"
    return f"{word} ({confidence:.2f})"


def _citation(table: object, item: object) -> str:
    table_text = str(table or "").strip()
    item_text = str(item or "").strip()
    return f"{table_text} {item_text}の項".strip() if item_text else table_text


def problem_sentence(row: Mapping[str, object]) -> str:
    """A citation problem in plain Japanese, from its fields (kind, cited and expected item).

    >>> problem_sentence({"problem": "number-text-mismatch", "cited_table": "番号法別表第一",
    ...     "cited_item": "80", "expected_table": "番号法別表第一", "expected_item": "56"})
    '番号法別表第一 80の項と書かれていますが、用途の文は番号法別表第一 56の項の事務です。'
    >>> problem_sentence({"problem": "wrong-table", "cited_table": "主務省令第2条の表",
    ...     "expected_table": "番号法別表"})
    '主務省令第2条の表は、この引用（利用・移転の根拠）の根拠になる表ではありません。正しくは番号法別表と思われます。'
    """
    kind = str(row.get("problem") or row.get("problem_kind") or "")
    kind = kind.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    cited = _citation(row.get("cited_table"), row.get("cited_item"))
    expected = _citation(row.get("expected_table"), row.get("expected_item"))
    hint = f"正しくは{expected}と思われます。" if expected else ""
    if kind == "number-text-mismatch":
        return f"{cited}と書かれていますが、用途の文は{expected or '別の項'}の事務です。"
    if kind == "wrong-table":
        return f"{cited}は、この引用（利用・移転の根拠）の根拠になる表ではありません。{hint}"
    if kind == "not-in-force":
        return f"{cited}は、この評価書を読む日付には施行されていません。{hint}"
    if kind == "unknown-item":
        return f"{cited}は、その日の表にありません。{hint}"
    if kind == "deleted-item":
        return f"{cited}は削除された項です。{hint}"
    return f"{cited}: {value_label('problem', kind)}。{hint}"



def resolution_sentence(row: Mapping[str, object]) -> str:
    """How one citation was read, in plain Japanese (its problem, when it has one).

    >>> resolution_sentence({"cited_table": "主務省令第2条の表", "cited_item": "42", "as_of": "2025-01-14",
    ...     "method": "published", "resolved_table": "主務省令第2条の表", "resolved_item": "42",
    ...     "meant_table": "主務省令第2条の表", "meant_item": "42", "agreement": 1.0})
    '2025-01-14（公表日）に施行の主務省令第2条の表 42の項として読めます。用途の文との一致度 1.00。'
    >>> resolution_sentence({"cited_table": "主務省令第2条の表"})
    '項番のない引用です（表のみ）。'
    """
    if row.get("problem"):
        return problem_sentence(row)
    if not row.get("cited_item"):
        return "項番のない引用です（表のみ）。" if row.get("cited_table") else "表も項番もない引用です（条文のみ）。"
    if not row.get("as_of"):
        return "読む日付が決まらず、解決していません。"
    when = f"{row['as_of']}（{value_label('method', row.get('method') or '')}）"
    resolved = _citation(row.get("resolved_table"), row.get("resolved_item"))
    meant = _citation(row.get("meant_table"), row.get("meant_item"))
    agreement = row.get("agreement")
    score = f"用途の文との一致度 {float(agreement):.2f}。" if isinstance(agreement, int | float) else ""
    if not resolved:
        return f"{when}に施行の表に、この項番はありません。"
    if meant and meant != resolved:
        return f"{when}に施行の表では{resolved}ですが、用途の文から{meant}の事務と読みました。{score}"
    return f"{when}に施行の{resolved}として読めます。{score}"


#: What the loader records about a source document (``document_report``), in words.
DOCUMENT_PROPERTY_LABELS: dict[str, str] = {
    "fileName": "ファイル名",
    "sha256": "SHA-256",
    "documentKind": "文書の種類",
    "created": "作成日",
    "partFound": "読み取れた部分",
    "partMissing": "見つからなかった部分",
    "warning": "警告",
    "loadWarning": "警告",
}

DOCUMENT_VALUE_LABELS: dict[str, str] = {
    "AssessmentDocument": "評価書",
    "ChangeListDocument": "変更箇所一覧",
    "CommitteeMaterial": "委員会資料",
}


#: The phrases of the derivations' evidence sentences, in Japanese (pattern → replacement).
_EVIDENCE = (
    (r"score ([\d.]+): 機関 and 事務 identical once law numbers and boilerplate are set aside",
     r"一致度 \1: 法律番号と定型文を除くと機関・事務が同一"),
    (r"score ([\d.]+): 事務 ([\d.]+), 機関 ([\d.]+)", r"一致度 \1（事務 \2、機関 \3）"),
    (r"keeps table order", "表の中の順序が同じ"),
    (r"providers (\d+)/(\d+) shared", r"情報提供者 \2 中 \1 が共通"),
    (r"runner-up (\S+) at ([\d.]+)", r"次点は \1（\2）"),
    (r"both cite (\S+)", r"どちらも\1を引用"),
    (r"nearest old item (\S+) at ([\d.]+), below acceptance ([\d.]+)", r"最も近い旧項 \1 も \2 で基準 \3 に届かない"),
    (r"nearest old item (\S+) at ([\d.]+) went to a closer match", r"最も近い旧項 \1（\2）は、より近い項に対応済み"),
    (r"(\S+) records (\S+)→(\S+), contradicted by the tables", r"\1 に \2→\3 の記録（表とは矛盾）"),
    (r"(\S+) records (\S+)→(\S+), confirmed by the tables", r"\1 に \2→\3 の記録（表と一致）"),
    (r"agreement with (\S+) ([\d.]+), with (\S+) ([\d.]+)", r"\1 との一致度 \2、\3 との一致度 \4"),
    (r"read as of (\S+) \(変更日 (\S+) of the change record\)", r"\1 時点で読む（変更箇所の変更日）"),
    (r"checked against ", "照合した文: "),
    (r"^purpose ", "用途 "),
)


def evidence_words(text: str) -> str:
    """An evidence sentence of the derivations with its known phrases in Japanese.

    >>> evidence_words("score 1.00: 機関 and 事務 identical once law numbers and boilerplate are set aside; keeps table order")
    '一致度 1.00: 法律番号と定型文を除くと機関・事務が同一; 表の中の順序が同じ'
    >>> evidence_words("providers 3/4 shared; runner-up 57 at 0.41")
    '情報提供者 4 中 3 が共通; 次点は 57（0.41）'
    """
    parts = []
    for part in text.split("; "):
        for pattern, words in _EVIDENCE:
            part = re.sub(pattern, words, part)
        parts.append(part)
    return "; ".join(parts)
