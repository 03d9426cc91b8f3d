"""Every kind of timer notifications sets, and who handles it."""

from __future__ import annotations

from collections.abc import Mapping

from civicgrid_notifications.usecases.alert_timers import ALERT_TIMERS
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.digest import send_digests
from civicgrid_notifications.usecases.fanout import DIGEST_TIMER
from civicgrid_platform import timers

# Deliveries are timers too ("delivery"), but leased by the dispatcher, never run here.
HANDLERS: Mapping[str, timers.TimerHandler[NotificationsContext]] = {
    DIGEST_TIMER: send_digests,
    **ALERT_TIMERS,
}


async def run_due(ctx: NotificationsContext, *, limit: int = timers.BATCH) -> int:
    """One batch of due timers (deliveries excluded); how many ran."""
    return await timers.run_due(ctx.uow, ctx.clock(), ctx, HANDLERS, limit=limit)
