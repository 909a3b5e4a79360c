"""The 特定個人情報保護評価書 template (様式): its headings, item labels and choice lists.

One source of truth for every label the loaders look for. A document writes a label with or
without its circled number (①部署), with 全角 or ASCII digits, with spaces or line breaks
inside, and with ``※`` marks; ``match_label`` sees through all of that. The circled number is
kept because the template reuses words: the bare ``法令上の根拠`` under 5. 個人番号の利用 and
``②法令上の根拠`` under 6. 情報連携 differ only by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pia_kg.text.form_marks import circled_number
from pia_kg.text.widths import compact

__all__ = [
    "Label",
    "LABELS",
    "LabelMatch",
    "match_label",
    "circled_number",
    "normalize_label_text",
    "COVER_TITLE",
    "LEVELS",
    "CONNECTION_OPTIONS",
    "SOURCE_OPTIONS",
    "CHOICE_MARKER",
    "FINAL_SECTION",
    "NUMBERED_HEADING",
    "RISK_STAGES",
    "METHOD_OPTIONS",
]

@dataclass(frozen=True)
class Label:
    """One item label of the template.

    ``key`` names it in code; ``pattern`` matches the label's words after ``normalize_label_text``
    (anchored at the start); ``number`` is the circled number it must carry (None: any, 0:
    none); ``section`` is where the template puts it ("cover", "I", "II", "outsourcing").
    """

    key: str
    pattern: str
    section: str
    number: int | None = None


LABELS: tuple[Label, ...] = (
    # Cover
    Label("assessment_number", r"評価書番号", "cover"),
    Label("assessment_title", r"評価書名", "cover"),
    Label("organization", r"評価実施機関名", "cover"),
    Label("published", r"公表日", "cover"),
    # I 基本情報
    Label("task_name", r"事務の名称", "I"),
    Label("task_description", r"事務の(?:内容|概要)", "I"),
    Label("subject_count_band", r"対象人数", "I"),
    Label("system_name", r"システムの名称", "I"),
    Label("system_function", r"システムの機能", "I"),
    Label("system_connection", r"他のシステムとの接続", "I"),
    Label("file_names", r"特定個人情報ファイル名", "I"),
    Label("number_use", r"個人番号の利用", "I"),
    Label("linkage", r"情報提供ネットワークシステムによる情報連携", "I"),
    Label("linkage_done", r"実施の有無", "I"),
    # 法令上の根拠: bare under 個人番号の利用, ② under 情報連携 (and under 提供先/移転先 as ①).
    Label("number_use_basis", r"法令上の根拠", "I", number=0),
    Label("linkage_basis", r"法令上の根拠", "I", number=2),
    Label("department", r"部署", "I", number=1),
    Label("department_head", r"所属長(?:の役職名)?", "I"),
    # 基礎項目評価書: II しきい値判断項目 (1. 対象人数 is subject_count_band) and III its result
    Label("handler_count", r"取扱者数", "threshold"),
    Label("serious_accident", r"重大事故(?:の発生)?", "threshold"),
    Label("threshold_result", r"しきい値判断結果", "threshold"),
    # II 特定個人情報ファイルの概要, per file
    Label("file_overview", r"特定個人情報ファイルの概要", "II"),
    Label("subject_count", r"対象となる本人の数", "II", number=2),
    Label("record_item_band", r"記録される項目", "II"),
    Label("handling_department", r"事務担当部署", "II"),
    Label("acquisition_source", r"入手元", "II"),
    Label("using_department", r"使用部署", "II"),
    Label("user_count", r"使用者数", "II"),
    Label("outsourcing_any", r"委託の有無", "II"),
    Label("outsourcing_item", r"委託事項(?P<n>\d+)(?![~～\-‐―ー〜]\d)", "outsourcing"),
    Label("outsourcing_content", r"委託内容", "outsourcing"),
    Label("contractor_check", r"委託先名の確認方法", "outsourcing"),
    Label("contractor", r"委託先名(?!の)", "outsourcing"),
    Label("reoutsourcing", r"再委託の有無", "outsourcing"),
    Label("reoutsourcing_permission", r"再委託の許諾方法", "outsourcing"),
    Label("reoutsourcing_content", r"再委託事項", "outsourcing"),
    Label("provision_any", r"提供・移転の有無", "II"),
    # Headings that only end the value before them.
    Label(
        "heading",
        r"特定個人情報ファイルを取り扱う(?:事務|事務において使用するシステム|理由)",
        "heading",
    ),
    Label(
        "heading",
        r"評価実施機関における担当部署|他の評価実施機関|基本情報|特定個人情報の入手・使用",
        "heading",
    ),
    Label(
        "heading",
        r"特定個人情報ファイルの取扱いの委託|特定個人情報の提供・移転.*|特定個人情報の保管・消去",
        "heading",
    ),
    Label(
        "heading",
        r"備考|事務実施上の必要性|実現が期待されるメリット|事務の内容|特定個人情報ファイル記録項目",
        "heading",
    ),
    Label("system_heading", r"システム(?P<n>\d+)(?![~～\-‐―ー〜]\d)", "I"),
    # II 5. 提供・移転, per 提供先N / 移転先N ("提供先2～5" is a group heading, not an entry)
    Label("provision_heading", r"提供先(?P<n>\d+)(?![~～\-‐―ー〜]\d)", "disclosure"),
    Label("transfer_heading", r"移転先(?P<n>\d+)(?![~～\-‐―ー〜]\d)", "disclosure"),
    Label("disclosure_basis", r"法令上の根拠", "disclosure", number=1),
    Label("provision_purpose", r"提供先における用途", "disclosure"),
    Label("transfer_purpose", r"移転先における用途", "disclosure"),
    Label("provided_information", r"提供する情報", "disclosure", number=3),
    Label("transferred_information", r"移転する情報", "disclosure", number=3),
    Label("provision_method", r"提供方法", "disclosure", number=6),
    Label("transfer_method", r"移転方法", "disclosure", number=6),
    Label("disclosure_timing", r"時期[・･]?頻度", "disclosure", number=7),
)
_BY_KEY = {label.key: label for label in LABELS}

# Punctuation and marks that decorate labels but carry no meaning for matching.
_DECORATION = re.compile(r"[※\s\u3000:：]")


def normalize_label_text(text: str) -> tuple[int | None, str]:
    """(circled number or None, the text folded for matching: NFKC, no spaces, no ※)."""
    t = text.strip().lstrip("-").strip()
    number = circled_number(t[0]) if t else None
    if number is not None:
        t = t[1:]
    return number, _DECORATION.sub("", compact(t))


@dataclass(frozen=True)
class LabelMatch:
    """A label found at the start of a cell: its key, its circled number, the text after it."""

    label: Label
    number: int | None
    rest: str
    item: int | None = None  # N of システムN / 委託事項N

    @property
    def key(self) -> str:
        return self.label.key


_COMPILED = [(lab, re.compile(lab.pattern)) for lab in LABELS]


# Section numbering in front of a heading: "1. ", "３．", "II ", "Ⅱ　", "(1) " is NOT stripped
# (it prefixes file names, which are values).
_HEADING_NUMBER = re.compile(r"^(?:[0-9０-９]+\s*[.．]|[IVXⅠⅡⅢⅣⅤⅥ]+(?=[\s\u3000]))[\s\u3000]*")
# The label words: up to the first space, keeping a "※" that follows after spaces.
_HEAD = re.compile(r"^(?P<head>[^\s\u3000]+(?:[\s\u3000]*※)?)[\s\u3000]*(?P<tail>.*)$", re.S)


def match_label(cell: str, keys: set[str] | None = None) -> LabelMatch | None:
    """The template label that ``cell`` starts with, and the rest of the cell as its value.

    The whole cell may be the label (tab-separated layouts) or the label may be followed by
    its value after a space (plain-text layouts: `` ⑥委託先名 株式会社ジーシーシー``).
    ``keys`` restricts the search to some labels.
    """
    if keys is None and len(cell) <= 512:
        return _match_any_label(cell)
    return _match_label(cell, frozenset(keys) if keys is not None else None)


# A form repeats its cells (every "[ ]", every label of every file): short ones keep their answer.
@lru_cache(maxsize=1 << 16)
def _match_any_label(cell: str) -> LabelMatch | None:
    return _match_label(cell, None)


def _match_label(cell: str, keys: frozenset[str] | None) -> LabelMatch | None:
    raw = cell.strip().lstrip("-").strip()
    if not raw:
        return None
    number = circled_number(raw[0])
    body = raw[1:] if number is not None else _HEADING_NUMBER.sub("", raw)
    m = _HEAD.match(body)
    if m is None:
        return None
    _, folded_head = normalize_label_text(m["head"])
    found = _find_label(folded_head, number, keys)
    if found is None:
        return None
    lab, item = found
    return LabelMatch(lab, number, m["tail"].strip(), item)


# Documents repeat the same cell heads thousands of times (every table row starts with one).
@lru_cache(maxsize=65536)
def _find_label(
    folded_head: str, number: int | None, keys: frozenset[str] | None
) -> tuple[Label, int | None] | None:
    for lab, rx in _COMPILED:
        if keys is not None and lab.key not in keys:
            continue
        if lab.number is not None and (number or 0) != lab.number:
            continue
        found = rx.fullmatch(folded_head)
        if found is None:
            continue
        return lab, (int(found.group("n")) if "n" in rx.groupindex else None)
    return None


def label(key: str) -> Label:
    return _BY_KEY[key]


# The cover's title line, which also says the level.
COVER_TITLE = re.compile(
    r"特定個人情報保護評価書\s*[(（]\s*(?P<level>基礎項目|重点項目|全項目)評価書\s*[)）]"
)
LEVELS = {"基礎項目": "BasicLevel", "重点項目": "FocusedLevel", "全項目": "FullLevel"}

# The last section of every level of the form. The 項目一覧 lists it near the cover and the
# section itself comes at the end, so a document with only the first of the two stops short.
FINAL_SECTION = re.compile(r"^\s*(?:IV|V|VI)\s*評価実施手続\s*$")

# Choice lists printed beside a band: the chosen value is written before <選択肢>.
CHOICE_MARKER = re.compile(r"<\s*選択肢\s*>|＜\s*選択肢\s*＞|\d\s*[)）]\s*\S")

# Headings numbered 1. 2. … inside a section (NFKC applied).
NUMBERED_HEADING = re.compile(r"^\s*(?P<n>\d+)\s*[.．]\s*(?P<title>\S.*)$")

CONNECTION_OPTIONS = (
    "情報提供ネットワークシステム",
    "庁内連携システム",
    "住民基本台帳ネットワークシステム",
    "既存住民基本台帳システム",
    "宛名システム等",
    "税務システム",
    "その他",
)
# The boxes of ⑥提供方法 / ⑥移転方法 (NFKC: "電子記録媒体(フラッシュメモリを除く。)").
METHOD_OPTIONS = (
    "情報提供ネットワークシステム",
    "専用線",
    "電子メール",
    "電子記録媒体",
    "フラッシュメモリ",
    "紙",
    "庁内連携システム",
    "その他",
)
SOURCE_OPTIONS = (
    "本人又は本人の代理人",
    "評価実施機関内の他部署",
    "行政機関・独立行政法人等",
    "地方公共団体・地方独立行政法人",
    "民間事業者",
    "その他",
)

# Section III of the 全項目 form: each stage (2. 入手 … 7. 保管・消去) and the risks the form
# prints under it. In layout-order text the stage headings drift away from their risks, so a
# risk's stage is told by its label; labels shared by 2. and 6. are told apart by their
# neighbours (see loaders/documents/risks.py).
RISK_STAGES: dict[str, tuple[str, ...]] = {
    "特定個人情報の入手(情報提供ネットワークシステムを通じた入手を除く。)": (
        "目的外の入手が行われるリスク",
        "不適切な方法で入手が行われるリスク",
        "入手した特定個人情報が不正確であるリスク",
        "入手の際に特定個人情報が漏えい・紛失するリスク",
    ),
    "特定個人情報の使用": (
        "目的を超えた紐付け、事務に必要のない情報との紐付けが行われるリスク",
        "権限のない者(元職員、アクセス権限のない職員等)によって不正に使用されるリスク",
        "従業者が事務外で使用するリスク",
        "特定個人情報ファイルが不正に複製されるリスク",
    ),
    "特定個人情報ファイルの取扱いの委託": (),
    "特定個人情報の提供・移転(委託や情報提供ネットワークシステムを通じた提供を除く。)": (
        "不正な提供・移転が行われるリスク",
        "不適切な方法で提供・移転が行われるリスク",
        "誤った情報を提供・移転してしまうリスク、誤った相手に提供・移転してしまうリスク",
    ),
    "情報提供ネットワークシステムとの接続": (
        "目的外の入手が行われるリスク",
        "安全が保たれない方法によって入手が行われるリスク",
        "入手した特定個人情報が不正確であるリスク",
        "入手の際に特定個人情報が漏えい・紛失するリスク",
        "不正な提供が行われるリスク",
        "不適切な方法で提供されるリスク",
        "誤った情報を提供してしまうリスク、誤った相手に提供してしまうリスク",
    ),
    "特定個人情報の保管・消去": (
        "特定個人情報の漏えい・滅失・毀損リスク",
        "特定個人情報が古い情報のまま保管され続けるリスク",
        "特定個人情報が消去されずいつまでも存在するリスク",
    ),
}


# The words a whole page joined on one line is cut at: the cover's labels and the form's
# headings, and the circled item labels. Each label becomes a piece of its own and so does the
# text between two labels (a label's value).
_COVER_CUTS = (
    r"特定個人情報保護評価書\s*[(（]\s*(?:基礎項目|重点項目|全項目)評価書\s*[)）]",
    r"評価書番号",
    r"評価書名",
    r"個人のプライバシー等の権利利益の保護の宣言",
    r"特記事項",
    r"評価実施機関名",
    r"(?:特定)?個人情報保護委員会\s*承認日\s*(?:【\s*行政機関等のみ\s*】)?",
    r"公表日",
    r"\[\s*(?:平成|令和)[^\[\]]{0,24}?様\s*式\s*\d\s*\]",
    r"項目一覧",
)
_HEADING_WORDS = (
    "関連情報|基本情報|しきい値判断項目|しきい値判断結果|特定個人情報ファイルの概要|"
    "(?:特定個人情報ファイルの取扱いプロセスにおける)?リスク対策|その他のリスク対策|"
    "開示請求[、,]?\\s*問合せ|評価実施手続"
)
_NUMBERED_WORDS = (
    "特定個人情報ファイルを取り扱う事務(?:において使用するシステム)?|特定個人情報ファイル名|"
    "個人番号の利用|情報提供ネットワークシステムによる情報連携|評価実施機関における担当部署|"
    "他の評価実施機関|対象人数|取扱者数|重大事故"
)
_CIRCLED_WORDS = (
    "事務の名称|事務の概要|事務の内容|対象人数|システムの名称|システムの機能|他のシステムとの接続|"
    "実施の有無|法令上の根拠|部署|所属長(?:の役職名)?|評価対象の事務の対象人数は何人か|"
    "評価対象の事務に従事する職員数は何人か|.{0,12}重大事故.{0,20}か"
)
CUT = re.compile(
    "|".join(
        (
            *_COVER_CUTS,
            rf"(?:[ⅠⅡⅢⅣⅤⅥ]|(?<![A-Za-z])(?:VI|IV|V|III|II|I))\s*(?:{_HEADING_WORDS})",
            r"[(（]\s*別\s*[添紙]\s*\d*\s*[)）]\s*(?:事務の内容|特定個人情報ファイル記録項目|変更箇所)",
            rf"\d{{1,2}}\s*[.．]\s*(?:{_NUMBERED_WORDS})",
            rf"[①-⑳]\s*(?:{_CIRCLED_WORDS})",
        )
    )
)


def label_cuts(line: str) -> list[str]:
    """``line`` cut before and after every label or heading of the form it holds.

    >>> label_cuts("評価書番号 7 評価書名 介護保険に関する事務 評価実施機関名 札幌市長")
    ['評価書番号', ' 7 ', '評価書名', ' 介護保険に関する事務 ', '評価実施機関名', ' 札幌市長']
    """
    out: list[str] = []
    pos = 0
    for m in CUT.finditer(line):
        out.append(line[pos : m.start()])
        out.append(m.group())
        pos = m.end()
    out.append(line[pos:])
    return [p for p in out if p.strip()]
