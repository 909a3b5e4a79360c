"""Generated corpora: N realistic assessments made from the seeds, for benchmarks and tests.

Each generated document is one seed (its template) rewritten for another body: the body's
name, some department names, the contractors, and a few cited item numbers change; lines
are only rewritten in place, so every generated document keeps its template's line count and
the rows each part of the loader reads (a 変更箇所 table keeps its rows, a 委託 list its
entries). The same ``seed`` gives the same corpus, byte for byte.

>>> docs = list(generate(3, seed=7))
>>> [d.name for d in docs] == [d.name for d in generate(3, seed=7)]
True
>>> docs[0].text.count("\\n") == docs[0].template.read_text(encoding="utf-8").count("\\n")
True
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["GeneratedDocument", "TEMPLATES", "generate", "write_corpus"]

SEEDS_DIR = Path(__file__).resolve().parents[1] / "data" / "assessments"

# seed file stem -> the body it was written by (the name rewritten in a generated copy)
TEMPLATES: dict[str, str] = {
    "000_446cb3177695f62c": "静岡市",
    "001_57af33314b6a26f0": "金沢市",
    "002_aa3841ff71230e60": "旭川市",
    "003_629faf11296c78e3": "新宿区",
    "004_3b0bc6d58fb0621c": "群馬県",
}

# Real place names without 都/道/府/県/市/区/町/村 inside them (the body pattern stops at the
# first such character), so that each reads back as one body.
_PLACES = (
    "札幌 函館 小樽 青森 弘前 八戸 盛岡 仙台 石巻 秋田 山形 福島 郡山 水戸 日立 宇都宮 前橋 高崎 "
    "川越 千葉 船橋 柏 八王子 横浜 川崎 相模原 新潟 長岡 富山 高岡 福井 甲府 長野 松本 岐阜 大垣 "
    "浜松 沼津 名古屋 豊橋 岡崎 一宮 津 四日市 大津 彦根 舞鶴 堺 豊中 吹田 高槻 枚方 神戸 姫路 "
    "尼崎 明石 西宮 奈良 和歌山 鳥取 松江 岡山 倉敷 広島 呉 福山 下関 宇部 徳島 高松 松山 "
    "今治 高知 北九州 福岡 久留米 佐賀 長崎 佐世保 熊本 大分 宮崎 鹿児島 那覇 旭 釧路 帯広 "
    "苫小牧 江別 一関 会津若松 いわき つくば 足利 伊勢崎 太田 所沢 越谷 松戸 市原 藤沢 平塚 "
    "上越 金沢 小松 敦賀 諏訪 各務原 富士 焼津 春日井 豊田 鈴鹿 草津 宇治 茨木 八尾 加古川 "
    "宝塚 橿原 出雲 津山 尾道 周南 鳴門 丸亀 新居浜 南国 飯塚 唐津 諫早 八代 別府 都城 霧島 浦添"
).split()
_WARDS = "千代田 中央 港 文京 台東 墨田 江東 品川 目黒 大田 世田谷 渋谷 中野 杉並 豊島 北 荒川 板橋 練馬 足立 葛飾 江戸川".split()
_PREFECTURES = "青森 岩手 宮城 秋田 山形 福島 茨城 栃木 埼玉 千葉 新潟 富山 石川 福井 山梨 長野 岐阜 静岡 愛知 三重 滋賀 兵庫 奈良 和歌山 鳥取 島根 岡山 広島 山口 徳島 香川 愛媛 高知 福岡 佐賀 長崎 熊本 大分 宮崎 鹿児島 沖縄".split()

# Department names as the seeds print them, and what other bodies call the same unit.
_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "市民課": ("市民窓口課", "住民課", "市民サービス課"),
    "戸籍住民課": ("市民課", "住民記録課", "戸籍住民登録課"),
    "子育て支援課": ("子ども支援課", "こども家庭課", "子育て推進課"),
    "生活支援課": ("生活福祉課", "保護課", "社会福祉課"),
    "介護保険課": ("介護保険室", "高齢者支援課", "介護福祉課"),
    "国民健康保険課": ("国保年金課", "保険年金課", "国民健康保険室"),
    "健康推進課": ("健康増進課", "健康づくり課", "保健センター課"),
    "障害福祉課": ("障がい福祉課", "障害者支援課", "福祉支援課"),
    "市民税課": ("住民税課", "課税課", "市民税務課"),
    "納税課": ("収納課", "納税推進課", "債権管理課"),
    "市民生活部": ("市民部", "市民協働部", "くらし部"),
    "地域振興部": ("地域部", "地域政策部", "まちづくり部"),
    "保健福祉局": ("健康福祉局", "福祉保健局", "保健福祉部"),
    "こども未来局": ("こども局", "子ども未来部", "こども家庭局"),
    "総務部": ("総務局", "総務企画部", "行政管理部"),
}

# Contractors as the seeds print them, replaced by others of the same legal form.
_CONTRACTORS = (
    "株式会社エヌ・ティ・ティ・データ東海",
    "株式会社データサービスセンター",
    "株式会社東海道シグマ",
    "株式会社静岡セイコー",
    "富士通Japan株式会社",
    "富士通JAPAN株式会社",
    "富士フイルムシステムサービス株式会社",
    "日本電気株式会社",
    "株式会社ジーシーシー",
)
_COMPANY_STEMS = (
    "アイネス 両備システムズ 電算 RKKCS TKC 日立システムズ 北海道日立 中部システム 京都電子計算 "
    "南日本情報処理センター 東日本計算センター 九州電算 四国情報管理センター 北陸コンピュータ "
    "ジャパンシステム 行政システム 内田洋行 オービック 大和総研 さくらシステム"
).split()

# A cited item number: "56の項", "1、2、3の項", "項番 12", "の表 第106号" on a line that cites a
# table, or the item number in a row of an annex list ("5\t全国健康保険協会\t6\t…").
_ITEM_NUMBER = re.compile(
    r"(?<![\d第])(\d{1,3})(?=(?:の\d+)*(?:\s*[、,，]\s*\d+(?:の\d+)*)*\s*(?:の項|項))"
    r"|(?<=項番|表第)(\s*)(\d{1,3})|(?<=表 第)()(\d{1,3})"
)
_ANNEX_ROW = re.compile(r"^(\d{1,3}\t[^\t]+\t)(\d{1,3})(?=\t)")
_PERTURBED_SHARE = 0.15


@dataclass(frozen=True)
class GeneratedDocument:
    name: str  # file name: {index}_{digest}.txt, unique in the corpus
    body: str
    template: Path
    text: str


def _body_name(rng: random.Random, original: str) -> str:
    suffix = original[-1]
    pool = {"区": _WARDS, "県": _PREFECTURES}.get(suffix, _PLACES)
    return rng.choice(pool) + suffix


def _company(rng: random.Random, original: str) -> str:
    stem = rng.choice(_COMPANY_STEMS)
    return f"{stem}株式会社" if original.endswith("株式会社") else f"株式会社{stem}"


def _shifted(number: str, rng: random.Random, share: float) -> str:
    if rng.random() >= share:
        return number
    return str(max(1, int(number) + rng.choice((-2, -1, 1, 2))))


def _perturb_items(line: str, rng: random.Random) -> str:
    if "表" not in line:
        return _ANNEX_ROW.sub(lambda m: m.group(1) + _shifted(m.group(2), rng, 0.05), line)

    def shift(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return _shifted(m.group(1), rng, _PERTURBED_SHARE)
        space, number = (m.group(2), m.group(3)) if m.group(3) else (m.group(4), m.group(5))
        return space + _shifted(number, rng, _PERTURBED_SHARE)

    return _ITEM_NUMBER.sub(shift, line)


def rewrite(text: str, original_body: str, rng: random.Random) -> tuple[str, str]:
    """``text`` as another body would have written it: (new body name, new text)."""
    body = _body_name(rng, original_body)
    swaps = {original_body: body}
    for name, others in _DEPARTMENTS.items():
        if rng.random() < 0.5:
            swaps[name] = rng.choice(others)
    for name in _CONTRACTORS:
        swaps[name] = _company(rng, name)
    # Longest first, in one pass, so that a replacement is never rewritten again.
    pattern = re.compile("|".join(re.escape(k) for k in sorted(swaps, key=len, reverse=True)))
    text = pattern.sub(lambda m: swaps[m.group(0)], text)
    return body, "\n".join(_perturb_items(line, rng) for line in text.split("\n"))


def generate(n: int, *, seed: int = 0, templates: Sequence[Path] | None = None) -> Iterator[GeneratedDocument]:
    """``n`` documents, the templates taken in turn; deterministic for a given ``seed``."""
    paths = list(templates) if templates else [SEEDS_DIR / f"{stem}.txt" for stem in TEMPLATES]
    texts = {p: p.read_text(encoding="utf-8") for p in paths}
    for i in range(n):
        template = paths[i % len(paths)]
        rng = random.Random(f"{seed}:{i}")
        body, text = rewrite(texts[template], TEMPLATES[template.stem], rng)
        digest = hashlib.sha1(f"{seed}:{i}:{template.stem}".encode()).hexdigest()[:12]
        yield GeneratedDocument(f"g{i:06d}_{digest}.txt", body, template, text)


def write_corpus(out: Path, n: int, *, seed: int = 0) -> list[Path]:
    """Write ``n`` generated documents into ``out`` (created); returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in generate(n, seed=seed):
        path = out / doc.name
        path.write_text(doc.text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write N generated assessments into a folder.")
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = write_corpus(args.out, args.n, seed=args.seed)
    print(f"{len(paths)} documents in {args.out}")


if __name__ == "__main__":
    main()
