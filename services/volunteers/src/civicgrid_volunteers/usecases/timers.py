"""Due timers, claimed in one transaction and handed to their kind's handler district by
district (the transaction re-binds its tenant for each). Any replica may run this."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from uuid import UUID

from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_volunteers.db.timers_repo import DueTimer, claim_due
from civicgrid_volunteers.usecases.context import VolunteersContext

# (ctx, uow bound to the timer's district, the timer) -> None
TimerHandler = Callable[[VolunteersContext, UnitOfWork, DueTimer], Awaitable[None]]


async def run_due(
    ctx: VolunteersContext, handlers: Mapping[str, TimerHandler], *, limit: int = 200
) -> int:
    """Handles one batch of due timers; returns how many (call again while it equals limit)."""
    async with ctx.uow(tenant_id=None) as uow:
        due = await claim_due(uow.session, ctx.clock(), limit)
        by_tenant: dict[UUID, list[DueTimer]] = defaultdict(list)
        for timer in due:
            by_tenant[timer.tenant_id].append(timer)
        for tenant_id, timers in by_tenant.items():
            await uow.bind_tenant(tenant_id)
            for timer in timers:
                handler = handlers.get(timer.kind)
                if handler is None:
                    raise LookupError(f"no handler for timers of kind {timer.kind!r}")
                await handler(ctx, uow, timer)
        await uow.commit()
    return len(due)
