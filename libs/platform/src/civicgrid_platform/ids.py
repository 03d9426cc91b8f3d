"""Time-ordered UUIDs (version 7, RFC 9562) for rows written in bulk.

Random (version 4) ids land on random pages of every index that holds them, and each such page
is written again in full to the WAL after a checkpoint; ids that grow with time land at the
right edge of the index. The random part (74 bits) comes from `os.urandom`, 256 ids' worth at a
time per thread; a forked child starts afresh, so parent and child never hand out the same ids.
"""

from __future__ import annotations

import os
import threading
import time
from uuid import UUID

_RANDOM_BYTES = 10  # 12 bits of rand_a and 62 of rand_b, from 80 drawn
_BATCH = 256 * _RANDOM_BYTES
_VERSION_7 = 0x7 << 76
_VARIANT = 0b10 << 62


class _Pool(threading.local):
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.random = b""
        self.used = 0


_pool = _Pool()
os.register_at_fork(after_in_child=_pool.reset)


def new_uuid() -> UUID:
    """A fresh version 7 UUID: the Unix time in milliseconds, then 74 random bits."""
    pool = _pool
    if pool.used >= len(pool.random):
        pool.random, pool.used = os.urandom(_BATCH), 0
    start = pool.used
    pool.used = start + _RANDOM_BYTES
    rand = int.from_bytes(pool.random[start : start + _RANDOM_BYTES])
    rand_a = (rand >> 68) & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    millis = time.time_ns() // 1_000_000
    return UUID(int=(millis << 80) | _VERSION_7 | (rand_a << 64) | _VARIANT | rand_b)


def uuid_time_ms(value: UUID) -> int:
    """When a version 7 UUID was made, in Unix milliseconds."""
    return value.int >> 80
