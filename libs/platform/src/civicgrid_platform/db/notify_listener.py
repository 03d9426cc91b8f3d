"""PostgreSQL LISTEN on one channel over a dedicated connection, reconnecting when lost.

Transactions announce work with ``pg_notify``; PostgreSQL delivers at commit. A notification
is only a doorbell: listeners also poll or re-read, so a lost connection costs latency, never
data. The connection is outside the engine's pool: it sits idle in LISTEN for the life of the
process, and a pooled connection may be recycled or reset under it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

logger = logging.getLogger(__name__)

# Called with each notification's payload, and with None right after (re)connecting: anything
# committed while nobody was listening must be looked for.
OnNotify = Callable[[str | None], None]


class NotificationListener:
    def __init__(
        self, dsn: str, channel: str, on_notify: OnNotify, *, retry_interval: float, name: str
    ) -> None:
        self._dsn = dsn
        self._channel = channel
        self._on_notify = on_notify
        self._retry_interval = retry_interval
        self._name = name
        self.listening = asyncio.Event()

    async def run(self) -> None:
        """Listen until cancelled; after a failure or a lost connection, connect again."""
        while True:
            try:
                connection = await asyncpg.connect(
                    self._dsn, server_settings={"application_name": self._name}
                )
                try:
                    await self._listen(connection)
                finally:
                    self.listening.clear()
                    await connection.close(timeout=1)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                logger.warning("%s failed; relying on polling", self._name, exc_info=True)
                await asyncio.sleep(self._retry_interval)

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(self._channel, self._notified)
        self.listening.set()
        self._on_notify(None)
        await lost.wait()
        logger.warning("%s connection lost; reconnecting", self._name)

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self._on_notify(payload)


def dsn_of(url: object) -> str:
    """A SQLAlchemy engine URL as the plain DSN asyncpg connects with."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)  # type: ignore[attr-defined]
