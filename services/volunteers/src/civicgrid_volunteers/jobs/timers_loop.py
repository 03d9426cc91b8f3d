"""The timers component: due offers, expiries, reminders and loan reminders, every few seconds."""

from __future__ import annotations

import asyncio
from functools import partial

from civicgrid_platform.timers import run_timers as run_timer_batches
from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.timer_kinds import HANDLERS
from civicgrid_volunteers.usecases.timers import run_due


async def run_timers(ctx: VolunteersContext, interval: float, stop: asyncio.Event) -> None:
    await run_timer_batches(partial(run_due, ctx, HANDLERS), interval, stop)
