"""The districts' daily upkeep: finished work past its age is deleted (domain.retention), and
any webhook secret still stored in plaintext is sealed (usecases.webhook_secrets).

Each district has one timer (kind RETENTION_TIMER, its subject the district). A purger leases
due ones (`FOR UPDATE SKIP LOCKED` on the timers table, so replicas take different districts),
then works in short transactions of its own, bound to the district, one bounded statement each:
row-level security keeps every statement inside the district, and the chain's timers never wait
behind a purge. A pass that leaves old rows behind (a backlog) comes due again at once; one that
finished comes due a day later. A crashed purger's district comes due again when its lease runs
out; what it deleted is gone and what it did not is found again.

A district's timer is set when the district is announced (tenant.created, keep_district_tidy)
and, for the districts that existed before, by migration 0005."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.retention_repo import RetentionRepository
from civicgrid_notifications.domain.retention import (
    RETENTION_EVERY,
    RETENTION_LEASE,
    RETENTION_TIMER,
)
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.webhook_secrets import seal_plaintext
from civicgrid_platform import timers

Purge = Callable[[RetentionRepository, datetime, int], Awaitable[int]]


async def keep_district_tidy(session: AsyncSession, tenant_id: UUID, now: datetime) -> None:
    """Sets the district's upkeep timer (a day from now) unless it has one, in the caller's
    transaction."""
    await timers.schedule_if_absent(
        session, tenant_id, RETENTION_TIMER, tenant_id, now + RETENTION_EVERY
    )


async def purge_due(ctx: NotificationsContext, *, limit: int = 1) -> int:
    """Runs the upkeep of up to `limit` districts that are due; how many it took."""
    now = ctx.clock()
    async with ctx.uow(tenant_id=None) as uow:
        leased = await timers.lease_due(
            uow.session, RETENTION_TIMER, now, now + RETENTION_LEASE, limit
        )
        await uow.commit()
    for timer in leased:
        finished = await upkeep(ctx, timer.tenant_id, now)
        async with ctx.uow(tenant_id=None) as uow:
            due = now + RETENTION_EVERY if finished else now
            await timers.schedule(
                uow.session, timer.tenant_id, RETENTION_TIMER, timer.subject_id, due
            )
            await uow.commit()
    return len(leased)


async def upkeep(ctx: NotificationsContext, tenant_id: UUID, now: datetime) -> bool:
    """One pass over a district; True when it left nothing past its age behind."""
    await seal_plaintext(ctx, tenant_id)
    policy = ctx.retention
    async with ctx.uow(tenant_id=tenant_id) as uow:
        subscriptions = await RetentionRepository(uow.session, tenant_id).subscriptions()

    async def webhook_messages(repo: RetentionRepository, cutoff: datetime, limit: int) -> int:
        return await repo.purge_webhook_messages(subscriptions, cutoff, limit)

    # Inbox messages before deliveries: an in-app delivery goes only after its message.
    steps: list[tuple[Purge, datetime]] = [
        (RetentionRepository.purge_read_inbox, now - policy.read_inbox),
        (RetentionRepository.purge_deliveries, now - policy.deliveries),
        (webhook_messages, now - policy.webhook_messages),
    ]
    finished = True
    for purge, cutoff in steps:
        finished = await _purge(ctx, tenant_id, purge, cutoff) and finished
    return finished


async def _purge(
    ctx: NotificationsContext, tenant_id: UUID, purge: Purge, cutoff: datetime
) -> bool:
    """Up to the policy's batches of one kind of row, each in its own transaction; True when
    the last one came short (nothing of that kind left)."""
    policy = ctx.retention
    for _ in range(policy.batches_per_pass):
        async with ctx.uow(tenant_id=tenant_id) as uow:
            deleted = await purge(RetentionRepository(uow.session, tenant_id), cutoff, policy.batch)
            await uow.commit()
        if deleted < policy.batch:
            return True
    return False
