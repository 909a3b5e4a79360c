"""A real Virtuoso open source server (Debian `virtuoso-opensource`) on loopback ports, with
its database in a temporary folder; started by the tests that need it, stopped after."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from servers import free_port, wait_for_http

VSP = Path("/var/lib/virtuoso-opensource-7/vsp")

_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {vsp}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
; the default cap, kept: bulk reads must page through it
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 300
"""


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if not found:
        pytest.fail(
            "Virtuoso is not installed: `apt-get install virtuoso-opensource` (.ci/run does it)"
        )
    return found


@contextmanager
def virtuoso_server(tmp: Path) -> Iterator[str]:
    """Virtuoso with a fresh database in ``tmp``; yields its base URL (``/sparql`` for
    queries, ``/sparql-auth`` for updates with digest auth as dba/dba)."""
    binary = virtuoso_binary()
    tmp.mkdir(parents=True, exist_ok=True)
    http = free_port()
    ini = tmp / "virtuoso.ini"
    ini.write_text(_INI.format(d=tmp, sql=free_port(), http=http, vsp=VSP), encoding="utf-8")
    proc = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{http}"
    try:
        wait_for_http(base + "/sparql?query=ASK%7B%7D", timeout=120)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
