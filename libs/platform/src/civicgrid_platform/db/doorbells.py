"""Live doorbells over PostgreSQL LISTEN: a transaction rings a key with
``uow.notify(channel, key)`` (pg_notify); every task in this process waiting on that key wakes
at commit.

For live streams (server-sent events) across replicas: whichever replica committed, every
replica holding a stream for that key hears it. A doorbell carries no data; the woken task
reads what is new from the database, so a missed ring costs latency, never data (a reconnect
rings everyone)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator

from civicgrid_platform.db.notify_listener import NotificationListener


class Doorbells:
    def __init__(self, dsn: str, channel: str, *, retry_interval: float = 1.0) -> None:
        self._listener = NotificationListener(
            dsn, channel, self._ring, retry_interval=retry_interval, name=f"{channel}-doorbells"
        )
        self._waiting: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None

    def _ring(self, key: str | None) -> None:
        targets = self._waiting.values() if key is None else [self._waiting.get(key, set())]
        for bells in targets:
            for bell in bells:
                bell.set()

    @contextlib.asynccontextmanager
    async def subscribe(self, key: str) -> AsyncIterator[asyncio.Event]:
        """An event set whenever `key` rings (clear it after reading)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._listener.run(), name="doorbells")
        bell = asyncio.Event()
        self._waiting[key].add(bell)
        try:
            yield bell
        finally:
            self._waiting[key].discard(bell)
            if not self._waiting[key]:
                del self._waiting[key]

    async def listening(self) -> None:
        """Until the listener is connected (tests; a stream works before, by its own reads)."""
        await self._listener.listening.wait()

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
