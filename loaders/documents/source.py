"""A source document as numbered lines, and the cleaning of one cell of text.

Every loader reads a file through ``SourceText.read`` so that the checks every input needs
(exists, not empty, not binary, valid UTF-8) and the line numbering used in provenance
(1-based, as editors show them) are the same everywhere.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from pia_kg.errors import LoaderError
from pia_kg.text.widths import fold_spaces, nfkc

__all__ = ["SourceText", "clean_cell", "parse_source_ref"]

_SOURCE_REF = re.compile(r"^(?P<file>.+)#L(?P<start>\d+)-L(?P<end>\d+)$")


def parse_source_ref(ref: str) -> tuple[str, int, int] | None:
    """(file, first line, last line) of a ``FILE#Lstart-Lend`` reference; None if it is not one."""
    m = _SOURCE_REF.match(ref)
    return (m["file"], int(m["start"]), int(m["end"])) if m else None


@dataclass(frozen=True)
class SourceText:
    """The text of one source file. ``lines[0]`` is line 1."""

    path: Path
    text: str
    lines: tuple[str, ...] = field(repr=False)
    sha256: str

    @property
    def doc_id(self) -> str:
        """The stable id of the document: its file name without extension."""
        return self.path.stem

    @property
    def name(self) -> str:
        return self.path.name

    @cached_property
    def folded_lines(self) -> tuple[str, ...]:
        """``lines`` in NFKC (``widths.nfkc``), made once for the readers that scan every line."""
        return tuple(nfkc(line) for line in self.lines)

    def line(self, number: int) -> str:
        """Line ``number`` (1-based)."""
        return self.lines[number - 1]

    def source_ref(self, start: int, end: int | None = None) -> str:
        """``FILE#Lstart-Lend``, the provenance string answers show."""
        return f"{self.name}#L{start}-L{end if end is not None else start}"

    @classmethod
    def read(cls, path: str | Path, *, max_bytes: int | None = None) -> SourceText:
        """Read a UTF-8 text file; LoaderError if it is missing, empty, binary, not UTF-8 or
        larger than ``max_bytes`` (default ``PIA_KG_MAX_DOCUMENT_BYTES`` or 20 MB)."""
        p = Path(path)
        limit = max_bytes if max_bytes is not None else max_document_bytes()
        try:
            if p.is_file() and p.stat().st_size > limit:
                raise LoaderError(
                    f"too large: {p.stat().st_size} bytes, over the limit of {limit} "
                    "(set PIA_KG_MAX_DOCUMENT_BYTES to raise it)",
                    source=p,
                )
            raw = p.read_bytes()
        except FileNotFoundError:
            raise LoaderError("no such file", source=p) from None
        except IsADirectoryError:
            raise LoaderError("is a folder, not a document", source=p) from None
        except OSError as exc:
            raise LoaderError(f"cannot read: {exc.strerror}", source=p) from None
        if not raw.strip():
            raise LoaderError("the file is empty", source=p, line=1)
        if b"\x00" in raw[:8192]:
            raise LoaderError("binary file (NUL bytes), not a text document", source=p, line=1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise LoaderError(
                f"not valid UTF-8 text (byte {exc.start}); convert the PDF to UTF-8 text first",
                source=p,
                line=line,
            ) from None
        return cls.from_text(p, text, hashlib.sha256(raw).hexdigest())

    @classmethod
    def from_text(cls, path: Path, text: str, sha256: str) -> SourceText:
        """A source from text already decoded (a PDF's extracted text)."""
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return cls(path, text, tuple(text.split("\n")), sha256)


DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def max_document_bytes() -> int:
    """The input size limit: ``PIA_KG_MAX_DOCUMENT_BYTES`` or 20 MB."""
    try:
        return int(os.environ.get("PIA_KG_MAX_DOCUMENT_BYTES", DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


_TAG = re.compile(r"<[^>]+>")


def clean_cell(cell: str) -> str:
    """Plain text of a cell: HTML tags removed, entities decoded, widths and spaces folded."""
    return _clean_short(cell) if len(cell) <= 512 else _clean(cell)


@lru_cache(maxsize=1 << 16)  # a form repeats its cells: short ones keep their answer
def _clean_short(cell: str) -> str:
    return _clean(cell)


def _clean(cell: str) -> str:
    text = re.sub(r"<input[^>]*checked[^>]*>", "○", cell)
    text = re.sub(r"</?(p|br|div|tr|li)\b[^>]*>", " ", text)
    text = _TAG.sub("", text)
    return fold_spaces(html.unescape(text))
