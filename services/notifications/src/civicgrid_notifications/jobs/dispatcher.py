"""The delivery dispatcher component: due deliveries leave as soon as a commit queues them
(PostgreSQL LISTEN wakes it) and on a slow beat otherwise."""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial

from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.dispatch import dispatch_due
from civicgrid_notifications.usecases.fanout import DELIVERIES_CHANNEL
from civicgrid_platform import timers
from civicgrid_platform.db.notify_listener import NotificationListener


async def run_dispatcher(
    ctx: NotificationsContext, dsn: str, interval: float, stop: asyncio.Event
) -> None:
    wakeup = asyncio.Event()
    listener = NotificationListener(
        dsn,
        DELIVERIES_CHANNEL,
        lambda _payload: wakeup.set(),
        retry_interval=interval,
        name="civicgrid-deliveries-listener",
    )
    listening = asyncio.create_task(listener.run(), name="deliveries-listener")
    try:
        # A failed round loses nothing: its leased deliveries come due again when the lease ends.
        batch = partial(dispatch_due, ctx, limit=timers.BATCH)
        await timers.run_timers(batch, interval, stop, wakeup=wakeup)
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
