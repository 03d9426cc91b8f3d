"""Building a million small objects without the cycle collector rescanning them all.

A district import, an index build, the demo generator or an SLA sweep creates dicts, tuples
and frozen dataclasses by the hundred thousand. None of them form reference cycles, but CPython's
generational collector still walks the whole heap each time its thresholds trip, which more
than doubled the time of a 100k-grid import. Pausing it for the duration loses nothing.

The collector is process-wide and builds may run in worker threads (asyncio.to_thread), so
pauses are counted: the first one in switches it off, the last one out restores what it was.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
