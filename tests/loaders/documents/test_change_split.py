"""A change record whose text repeats one block many times still splits (the number of places
scored is bounded, so the work grows linearly with the text)."""

from __future__ import annotations

from pia_kg.loaders.documents.change_blocks import PlainRecord, _split


def test_duplicated_block_finishes():
    block = [["住民記録システムの運用保守を委託する。", "株式会社ジーシーシー"]]
    record = PlainRecord(start=1, end=1)
    record.blocks = [block] * 400
    _split(record)
    assert record.before or record.notes
