"""The webhook dispatcher component: a few loops that send due webhook messages in batches.

Each loop leases its own batch (the dispatch's database round trips overlap with another
loop's sending), runs batches back to back while they come full, then waits `interval`.
Any number of replicas may run it (see usecases.webhook_dispatch)."""

from __future__ import annotations

import asyncio
from functools import partial

from civicgrid_notifications.domain.webhooks import WebhookPolicy
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.webhook_dispatch import (
    DEFAULT_CONCURRENCY,
    DEFAULT_POLICY,
    dispatch_due,
)
from civicgrid_notifications.usecases.webhook_ports import WebhookSender
from civicgrid_platform.runner import Component
from civicgrid_platform.timers import run_timers


def webhook_dispatcher(
    ctx: NotificationsContext,
    sender: WebhookSender,
    *,
    interval: float = 0.5,
    loops: int = 2,
    concurrency: int = DEFAULT_CONCURRENCY,
    policy: WebhookPolicy = DEFAULT_POLICY,
) -> Component:
    """The component; it owns `sender` and closes it when stopped. `concurrency` bounds the
    requests in flight per loop."""
    batch = partial(dispatch_due, ctx, sender, policy=policy, concurrency=concurrency)

    async def run(stop: asyncio.Event) -> None:
        try:
            await asyncio.gather(*(run_timers(batch, interval, stop) for _ in range(loops)))
        finally:
            await sender.aclose()

    return Component("webhooks", run)
