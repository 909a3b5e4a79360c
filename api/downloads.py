"""Every row of a named query as a download (CSV or .xlsx), written as the store reads them.

A page's "every row" link and ``/queries/{name}?_format=csv`` ask for answers that grow with
the corpus: at 35,000 assessments the departments under one item run to about 42,000 rows and
the transfers past a million, far over the row cap that keeps a JSON answer in memory
(``DEFAULT_MAX_ROWS``, 413 past it). A download is never held whole, so it has no cap: a
thread of its own reads the rows (Oxigraph's row iterators stay on the thread that asked) and
writes them, CSV in chunks to a short queue that the response sends, a workbook to a
temporary file (its sheets are zipped when whole) sent from there. The query starts before
the response does, so a wrong parameter or an outdated store is still an error status; a
failure later cuts the transfer short (the client sees it incomplete, never a file that looks
whole). At most ``DOWNLOADS`` are written at once, and each stops when its client leaves.
"""

from __future__ import annotations

import io
import queue
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Mapping

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from pia_kg.errors import StoreError
from pia_kg.exports import (
    EXPORT_MEDIA_TYPES,
    ExportFormat,
    ExportTable,
    rows_table,
    write_csv,
    write_xlsx,
)
from pia_kg.named_queries import stream_query

from .query_runner import export_format
from .settings import DOWNLOADS, settings_of

__all__ = ["download_response", "asked_download"]

#: Bytes of a download sent at a time, and chunks waiting to be sent.
CHUNK = 1 << 16
_WAITING = 16
#: Seconds a download waits for its client to take a chunk before looking whether it left.
_PATIENCE = 1.0
_END = object()


class _Gone(Exception):
    """The client stopped reading: the download stops writing."""


class _Chunks(io.TextIOBase):
    """A text stream whose UTF-8 bytes go to ``put`` ``CHUNK`` at a time."""

    def __init__(self, put: Callable[[bytes], None]):
        self._put = put
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= CHUNK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            self._put("".join(self._parts).encode("utf-8"))
            self._parts, self._size = [], 0


class _Download(threading.Thread):
    """One download's writer: its table made (``make``: the query started, a report built),
    then its rows written to ``chunks``."""

    def __init__(self, request: Request, make: Callable[[], ExportTable], fmt: ExportFormat):
        super().__init__(name="download", daemon=True)
        self._make, self._fmt = make, fmt
        self._japanese = request.query_params.get("_headers", "").lower() == "ja"
        self._bom = request.query_params.get("_bom", "").lower() in ("1", "true", "yes")
        self._slots = settings_of(request).downloads
        self.chunks: queue.Queue[object] = queue.Queue(maxsize=_WAITING)
        self.started = threading.Event()
        self.error: BaseException | None = None
        self.gone = False

    def run(self) -> None:
        try:
            try:
                table = self._make()
            except BaseException as exc:  # told to the request, which answers with its status
                self.error = exc
                return
            finally:
                self.started.set()
            try:
                if self._fmt is ExportFormat.xlsx:
                    with tempfile.TemporaryFile() as f:
                        write_xlsx(f, table, japanese=self._japanese)
                        f.seek(0)
                        while chunk := f.read(CHUNK):
                            self._put(chunk)
                else:
                    stream = _Chunks(self._put)
                    write_csv(stream, table, japanese=self._japanese, bom=self._bom)
                    stream.flush()
                self._put(_END)
            except _Gone:
                pass
            except BaseException as exc:  # the transfer is cut short: the client sees it incomplete
                self._put(exc)
        except _Gone:
            pass
        finally:
            self._slots.release()

    def _put(self, item: object) -> None:
        while True:
            if self.gone:
                raise _Gone
            try:
                self.chunks.put(item, timeout=_PATIENCE)
                return
            except queue.Full:
                continue


def asked_download(request: Request, name: str, params: Mapping[str, str], fmt: str | None) -> StreamingResponse | None:
    """Every row of named query ``name`` with ``params`` as a file named after it, written as
    the store reads them (:func:`download_response`), when the request asks for a
    spreadsheet (``_format=csv|xlsx``, or Accept: text/csv); None when it asks for JSON."""
    export = export_format(request, fmt)
    if export is None:
        return None
    store = settings_of(request).store
    return download_response(request, lambda: rows_table(*stream_query(store, name, params)), export, name)


def download_response(request: Request, make: Callable[[], ExportTable], fmt: ExportFormat, filename: str) -> StreamingResponse:
    """The table ``make`` gives, as a ``fmt`` file named ``filename`` (``_bom=1``: CSV with a
    BOM; ``_headers=ja``: Japanese headings and values in words), made and written in a
    thread of its own as its rows come. Raises, before anything is sent, what ``make``
    raises, and StoreError (503) while ``DOWNLOADS`` are written."""
    slots = settings_of(request).downloads
    if not slots.acquire(blocking=False):
        raise StoreError(f"{DOWNLOADS} downloads are being written; try again in a minute")
    download = _Download(request, make, fmt)
    download.start()
    download.started.wait()
    if download.error is not None:
        raise download.error

    async def body() -> AsyncIterator[bytes]:
        try:
            while True:
                item = await run_in_threadpool(download.chunks.get)
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            download.gone = True

    disposition = f'attachment; filename="{filename}.{fmt.value}"'
    return StreamingResponse(body(), media_type=EXPORT_MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})
