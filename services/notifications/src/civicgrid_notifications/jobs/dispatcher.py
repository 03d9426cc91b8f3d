"""The delivery dispatcher component: due deliveries leave as soon as a commit queues them
(PostgreSQL LISTEN wakes it) and on a slow beat otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.dispatch import dispatch_due
from civicgrid_notifications.usecases.fanout import DELIVERIES_CHANNEL
from civicgrid_platform.db.notify_listener import NotificationListener

log = logging.getLogger(__name__)
BATCH = 100


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
        while not stop.is_set():
            wakeup.clear()
            try:
                while await dispatch_due(ctx, limit=BATCH) == BATCH and not stop.is_set():
                    pass
            except Exception:
                # Leased deliveries come due again when their lease ends: nothing is lost.
                log.exception("a dispatch round failed; it will be retried")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(stop, wakeup), timeout=interval)
    finally:
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening


async def _first(*events: asyncio.Event) -> None:
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for w in waits:
            w.cancel()
