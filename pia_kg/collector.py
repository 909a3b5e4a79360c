"""Python's cycle collector held off while an answer's rows are built.

A corpus-wide answer is hundreds of thousands of new tuples, texts and terms, none of them in
a reference cycle (reference counting frees them). Each 700 allocations start a collection of
the youngest objects, and every so often of all of them: walking the whole heap again and again
while it grows. renumbering-impact of 5,000 documents (138,000 rows) took 7.7 s p50 with the
collector and 5.6 s without, in interleaved runs (unpacking its rows: 1.9-2.7 s, 1.1-1.2 s).

:func:`collector_paused` turns the collector off for the ``with`` block and back on after it,
for the outermost block of any thread (it is one switch per process: a block that ends while
another thread's is still running leaves it off until that one ends too). Reference counting
still frees everything that is let go meanwhile; only cycles wait, and are collected when the
collector is back on.

>>> import gc
>>> with collector_paused():
...     with collector_paused():
...         gc.isenabled()
...     gc.isenabled()
False
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_LOCK = threading.Lock()
_HOLDERS = [0]
# whether the collector was on when the first block began (a program that runs with it off
# keeps it off)
_WAS_ON = [False]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off inside the block (see the module docstring)."""
    with _LOCK:
        if _HOLDERS[0] == 0:
            _WAS_ON[0] = gc.isenabled()
            gc.disable()
        _HOLDERS[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _HOLDERS[0] -= 1
            if _HOLDERS[0] == 0 and _WAS_ON[0]:
                gc.enable()
