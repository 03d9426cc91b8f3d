"""Volunteers' timers on the platform's timers: one batch of due work, with this context."""

from __future__ import annotations

from collections.abc import Mapping

from civicgrid_platform import timers
from civicgrid_volunteers.usecases.context import VolunteersContext

TimerHandler = timers.TimerHandler[VolunteersContext]


async def run_due(
    ctx: VolunteersContext, handlers: Mapping[str, TimerHandler], *, limit: int = timers.BATCH
) -> int:
    """Handles one batch of due timers; returns how many (call again while it equals limit)."""
    return await timers.run_due(ctx.uow, ctx.clock(), ctx, handlers, limit=limit)
