"""The timers component: sweeps due SLA timers every second, in every replica that runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.evaluation import close_last_month_everywhere, previous_month
from civicgrid_tickets.usecases.sla_sweep import sweep

logger = logging.getLogger(__name__)
BATCH = 5000


async def sweep_periodically(ctx: TicketsContext, stop: asyncio.Event, every: float = 1.0) -> None:
    """Due SLA timers every second; last month's evaluation once it is over (a cheap check
    each round: a district's closing is one indexed row)."""
    checked_month = ""
    while not stop.is_set():
        month = previous_month(ctx, ctx.clock())
        if month != checked_month:
            try:
                closed = await close_last_month_everywhere(ctx)
                checked_month = month
                if closed:
                    logger.info("closed %s for %d districts", month, len(closed))
            except Exception:
                logger.exception("closing %s failed; retrying next round", month)
        try:
            while (await sweep(ctx, limit=BATCH)).handled == BATCH and not stop.is_set():
                pass  # a backlog: keep going without waiting
        except Exception:
            # A failed batch rolls back and its timers stay due: the next round retries them.
            logger.exception("SLA sweep failed; retrying next round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
