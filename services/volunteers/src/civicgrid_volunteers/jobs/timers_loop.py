"""The timers component: due offers, expiries, reminders and loan reminders, every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.timer_kinds import HANDLERS
from civicgrid_volunteers.usecases.timers import run_due

log = logging.getLogger(__name__)
BATCH = 200


async def run_timers(ctx: VolunteersContext, interval: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            while await run_due(ctx, HANDLERS, limit=BATCH) == BATCH and not stop.is_set():
                pass
        except Exception:
            # The batch rolled back and its timers are due again: retried on the next beat.
            log.exception("a batch of timers failed; it will be retried")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
