"""Wakes the outbox relay the moment a unit of work commits events (PostgreSQL LISTEN).

The unit of work runs ``pg_notify`` inside its transaction; PostgreSQL delivers it at commit.
Notifications are only a doorbell: the relay also polls, so a lost connection costs latency,
never events.
"""

from __future__ import annotations

import asyncio

from civicgrid_platform.db.notify_listener import NotificationListener
from civicgrid_platform.db.outbox_table import OUTBOX_CHANNEL


class OutboxListener(NotificationListener):
    """Sets ``wakeup`` on every outbox notification (and after connecting: anything committed
    while nobody was listening is found by that extra round)."""

    def __init__(self, dsn: str, wakeup: asyncio.Event, *, retry_interval: float) -> None:
        super().__init__(
            dsn,
            OUTBOX_CHANNEL,
            lambda _payload: wakeup.set(),
            retry_interval=retry_interval,
            name="civicgrid-outbox-listener",
        )
