"""The timers component: sweeps due SLA timers every second, in every replica that runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.sla_sweep import sweep

logger = logging.getLogger(__name__)
BATCH = 5000


async def sweep_periodically(ctx: TicketsContext, stop: asyncio.Event, every: float = 1.0) -> None:
    while not stop.is_set():
        try:
            while (await sweep(ctx, limit=BATCH)).handled == BATCH and not stop.is_set():
                pass  # a backlog: keep going without waiting
        except Exception:
            # A failed batch rolls back and its timers stay due: the next round retries them.
            logger.exception("SLA sweep failed; retrying next round")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
