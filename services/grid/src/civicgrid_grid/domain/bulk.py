"""Building a million small objects without the cycle collector rescanning them all.

A district import or the demo generator creates dicts, tuples and frozen dataclasses by the
hundred thousand. None of them form reference cycles, but CPython's generational collector
still walks the whole young-to-old heap each time its thresholds trip, which more than doubled
the time of a 100k-grid import. Pausing it for the duration loses nothing and the previous
state is always restored.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
