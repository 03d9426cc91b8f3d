"""The dispatcher: due deliveries leave on their channel, one attempt at a time.

Due deliveries are leased from the timers table (`FOR UPDATE SKIP LOCKED`), so replicas share
them; each attempt then runs in its own transaction that holds the delivery's row lock while
the provider answers, so a delivery whose lease ran out while a slow provider was still talking
is never sent twice at once. A crash loses nothing: the lease runs out and the delivery is due
again (at least once; the delivery id travels with the message for the provider to dedupe)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from uuid import UUID

from civicgrid.notifications.v1 import events_pb2
from civicgrid_notifications.db.deliveries_repo import Attempt, DeliveriesRepository, Delivery
from civicgrid_notifications.domain import delivery as states
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.events.outgoing import notification_event
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import DELIVERY_TIMER
from civicgrid_notifications.usecases.ports import Outgoing, SendResult
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import NotFound

log = logging.getLogger(__name__)
# Long enough for the slowest provider's timeouts across a fallback chain.
LEASE = timedelta(seconds=120)


async def dispatch_due(
    ctx: NotificationsContext, *, limit: int = 100, concurrency: int = 16
) -> int:
    """Leases up to `limit` due deliveries and attempts them, `concurrency` at a time."""
    now = ctx.clock()
    async with ctx.uow(tenant_id=None) as uow:
        due = await timers.lease_due(uow.session, DELIVERY_TIMER, now, now + LEASE, limit)
        await uow.commit()
    gate = asyncio.Semaphore(concurrency)

    async def one(tenant_id: UUID, delivery_id: UUID) -> None:
        async with gate:
            try:
                await attempt(ctx, tenant_id, delivery_id)
            except Exception:
                # One delivery's trouble never holds up the others: its lease runs out and it
                # is tried again then.
                log.exception("delivery %s could not be attempted; retried later", delivery_id)

    await asyncio.gather(*(one(t.tenant_id, t.subject_id) for t in due))
    return len(due)


async def attempt(ctx: NotificationsContext, tenant_id: UUID, delivery_id: UUID) -> str:
    """One attempt at one delivery; its status afterwards."""
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = DeliveriesRepository(uow.session, tenant_id)
        delivery = await repo.get(delivery_id, lock=True)
        if delivery is None or delivery.status != states.QUEUED:
            # Stale: sent, given up, or acknowledged meanwhile.
            await timers.cancel(uow.session, DELIVERY_TIMER, delivery_id)
            await uow.commit()
            return delivery.status if delivery else "missing"
        try:
            address = delivery.address or await _address_of(ctx, tenant_id, delivery)
        except NotFound:
            address = ""  # identity knows no such person (or district): nobody to reach
        sender = ctx.senders.get(Channel(delivery.channel))
        if not address or sender is None:
            why = "no address on this channel" if not address else "no provider for the channel"
            # Suppressed, not failed: nothing was tried, and nothing will change by retrying.
            await repo.change(
                delivery_id, status=states.SUPPRESSED, last_error=why, finished_at=ctx.clock()
            )
            await timers.cancel(uow.session, DELIVERY_TIMER, delivery_id)
            await uow.commit()
            return states.SUPPRESSED
        result = await sender.send(_outgoing(tenant_id, delivery, address))
        status = await _record(ctx, uow, repo, delivery, result)
        await uow.commit()
        return status


def _outgoing(tenant_id: UUID, delivery: Delivery, address: str) -> Outgoing:
    return Outgoing(
        delivery_id=delivery.id,
        tenant_id=tenant_id,
        channel=Channel(delivery.channel),
        address=address,
        subject=delivery.subject,
        body=delivery.body,
        locale=delivery.locale,
        urgent=delivery.urgent,
        alert_id=delivery.alert_id,
    )


async def _address_of(ctx: NotificationsContext, tenant_id: UUID, delivery: Delivery) -> str:
    if delivery.person_id is None or ctx.directory is None:
        return ""
    found = await ctx.directory.people(tenant_id, [delivery.person_id])
    person = found.get(delivery.person_id)
    if person is None:
        return ""
    return person.email if delivery.channel == Channel.EMAIL else person.phone


async def _record(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    repo: DeliveriesRepository,
    delivery: Delivery,
    result: SendResult,
) -> str:
    number = delivery.attempts + 1
    for tried in result.tries:
        await repo.add_attempt(
            delivery.id,
            Attempt(
                number,
                tried.provider,
                tried.started_at,
                tried.finished_at,
                tried.outcome,
                tried.status_code,
                tried.detail,
            ),
        )
    final = result.final
    now = ctx.clock()
    policy = ctx.delivery
    outcome = result.outcome
    step = states.after_attempt(
        outcome,
        number,
        delivery.max_attempts,
        now,
        base=policy.retry_base_seconds,
        cap=policy.retry_max_seconds,
    )
    changes: dict[str, object] = {
        "status": step.status,
        "attempts": number,
        "provider": final.provider,
        "provider_ref": final.provider_ref,
        "next_attempt_at": step.retry_at,
        "last_error": final.detail if outcome in ("failed", "error") else None,
    }
    if step.status in (states.SENT, states.DELIVERED):
        changes["sent_at"] = now
    if step.status in states.FINAL:
        changes["finished_at"] = now
    await repo.change(delivery.id, **changes)
    if step.retry_at is not None:
        await timers.schedule(
            uow.session, repo.tenant_id, DELIVERY_TIMER, delivery.id, step.retry_at
        )
    else:
        await timers.cancel(uow.session, DELIVERY_TIMER, delivery.id)
    if step.status == states.FAILED:
        uow.add_event(
            notification_event(
                repo.tenant_id,
                delivery.id,
                events_pb2.DeliveryFailed(
                    delivery_id=str(delivery.id),
                    event_type=delivery.event_type,
                    channel=delivery.channel,
                    recipient=delivery.recipient,
                    attempts=number,
                    last_error=final.detail,
                ),
            )
        )
    return step.status
