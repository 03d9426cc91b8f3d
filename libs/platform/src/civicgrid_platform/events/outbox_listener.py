"""Wakes the outbox relay the moment a unit of work commits events (PostgreSQL LISTEN).

The unit of work runs ``pg_notify`` inside its transaction; PostgreSQL delivers it at commit.
Notifications are only a doorbell: the relay also polls, so a lost connection costs latency,
never events.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from civicgrid_platform.db.outbox_table import OUTBOX_CHANNEL

logger = logging.getLogger(__name__)


class OutboxListener:
    """Sets ``wakeup`` on every outbox notification, over its own dedicated connection.

    The connection is outside the engine's pool: it sits idle in LISTEN for the life of the
    process, and a pooled connection may be recycled or reset under it.
    """

    def __init__(self, dsn: str, wakeup: asyncio.Event, *, retry_interval: float) -> None:
        self._dsn = dsn
        self._wakeup = wakeup
        self._retry_interval = retry_interval
        self.listening = asyncio.Event()

    async def run(self) -> None:
        """Listen until cancelled; after a failure or a lost connection, connect again."""
        while True:
            try:
                connection = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": "civicgrid-outbox-listener"}
                )
                try:
                    await self._listen(connection)
                finally:
                    self.listening.clear()
                    await connection.close(timeout=1)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                logger.warning("outbox listener failed; relying on polling", exc_info=True)
                await asyncio.sleep(self._retry_interval)

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(OUTBOX_CHANNEL, self._on_notification)
        self.listening.set()
        # Anything committed while nobody was listening is found by this extra round.
        self._wakeup.set()
        await lost.wait()
        logger.warning("outbox listener connection lost; reconnecting")

    def _on_notification(self, *_args: object) -> None:
        self._wakeup.set()
