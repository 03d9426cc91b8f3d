"""The dispatcher: due deliveries leave on their channel, one attempt at a time each.

Due deliveries are leased from the timers table (`FOR UPDATE SKIP LOCKED`), so replicas share
them. A district's leased deliveries are then attempted in groups: one transaction per group
locks its deliveries' rows, holds the locks while the providers answer (sent concurrently), and
records every attempt together, so a delivery whose lease ran out while a slow provider was
still talking is never sent twice at once, and a message costs a handful of statements shared
with its group instead of a transaction of its own. A crash loses nothing: the lease runs out
and the delivery is due again (at least once; the delivery id travels with the message for the
provider to dedupe)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from civicgrid.notifications.v1 import events_pb2
from civicgrid_notifications.db.deliveries_repo import Attempt, DeliveriesRepository, Delivery
from civicgrid_notifications.domain import delivery as states
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.events.outgoing import notification_event
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import DELIVERY_TIMER
from civicgrid_notifications.usecases.ports import Outgoing, Sender, SendResult
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import NotFound

log = logging.getLogger(__name__)
# Long enough for the slowest provider's timeouts across a fallback chain.
LEASE = timedelta(seconds=120)


async def dispatch_due(
    ctx: NotificationsContext, *, limit: int = 100, concurrency: int = 16
) -> int:
    """Leases up to `limit` due deliveries and attempts them, `concurrency` at a time (and at
    most that many to a transaction)."""
    now = ctx.clock()
    async with ctx.uow(tenant_id=None) as uow:
        due = await timers.lease_due(uow.session, DELIVERY_TIMER, now, now + LEASE, limit)
        await uow.commit()
    by_district: dict[UUID, list[UUID]] = defaultdict(list)
    for timer in due:
        by_district[timer.tenant_id].append(timer.subject_id)
    groups = [
        (tenant_id, ids[start : start + concurrency])
        for tenant_id, ids in by_district.items()
        for start in range(0, len(ids), concurrency)
    ]
    gate = asyncio.Semaphore(concurrency)

    async def one(tenant_id: UUID, ids: list[UUID]) -> None:
        try:
            await attempt_many(ctx, tenant_id, ids, gate)
        except Exception:
            # One group's trouble never holds up the others: its leases run out and its
            # deliveries are tried again then.
            log.exception("deliveries %s could not be attempted; retried later", ids)

    await asyncio.gather(*(one(tenant_id, ids) for tenant_id, ids in groups))
    return len(due)


async def attempt_many(
    ctx: NotificationsContext,
    tenant_id: UUID,
    delivery_ids: Sequence[UUID],
    gate: asyncio.Semaphore,
) -> dict[UUID, str]:
    """One attempt at each of these deliveries of one district, in one transaction, sending at
    most as many at once as `gate` lets; each one's status afterwards ("missing" for one that
    is not there)."""
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = DeliveriesRepository(uow.session, tenant_id)
        found = {d.id: d for d in await repo.lock_many(delivery_ids)}
        statuses = {i: found[i].status if i in found else "missing" for i in delivery_ids}
        # Stale ones (sent, given up, or acknowledged meanwhile) only lose their timer.
        done = [i for i in delivery_ids if statuses[i] != states.QUEUED]
        queued = [found[i] for i in delivery_ids if statuses[i] == states.QUEUED]
        addresses = await _addresses(ctx, tenant_id, queued)
        changes: list[tuple[UUID, dict[str, Any]]] = []
        sends: list[tuple[Delivery, Sender, Outgoing]] = []
        for delivery in queued:
            address = delivery.address or addresses.get(delivery.id, "")
            sender = ctx.senders.get(Channel(delivery.channel))
            if address and sender is not None:
                sends.append((delivery, sender, _outgoing(tenant_id, delivery, address)))
                continue
            why = "no address on this channel" if not address else "no provider for the channel"
            # Suppressed, not failed: nothing was tried, and nothing will change by retrying.
            changes.append(
                (
                    delivery.id,
                    {"status": states.SUPPRESSED, "last_error": why, "finished_at": ctx.clock()},
                )
            )
            statuses[delivery.id] = states.SUPPRESSED
            done.append(delivery.id)
        results = await asyncio.gather(*(_gated(gate, s, m) for _, s, m in sends))
        attempts: list[tuple[UUID, Attempt]] = []
        retries: list[tuple[UUID, str, UUID, datetime]] = []
        for (delivery, _, _), result in zip(sends, results, strict=True):
            status, change, retry_at = _outcome(ctx, uow, tenant_id, delivery, result, attempts)
            statuses[delivery.id] = status
            changes.append((delivery.id, change))
            if retry_at is None:
                done.append(delivery.id)
            else:
                retries.append((tenant_id, DELIVERY_TIMER, delivery.id, retry_at))
        await repo.add_attempts(attempts)
        await repo.change_many(changes)
        await timers.schedule_many(uow.session, retries)
        await timers.cancel_many(uow.session, DELIVERY_TIMER, done)
        await uow.commit()
    return statuses


async def _gated(gate: asyncio.Semaphore, sender: Sender, message: Outgoing) -> SendResult:
    async with gate:
        return await sender.send(message)


async def _addresses(
    ctx: NotificationsContext, tenant_id: UUID, deliveries: Sequence[Delivery]
) -> dict[UUID, str]:
    """Addresses identity gives for deliveries made without one (one call for them all)."""
    asking = [d for d in deliveries if not d.address and d.person_id is not None]
    if not asking or ctx.directory is None:
        return {}
    try:
        found = await ctx.directory.people(tenant_id, [d.person_id for d in asking if d.person_id])
    except NotFound:
        return {}  # identity knows no such district: nobody to reach
    addresses: dict[UUID, str] = {}
    for delivery in asking:
        person = found.get(delivery.person_id) if delivery.person_id else None
        if person is not None:
            addresses[delivery.id] = (
                person.email if delivery.channel == Channel.EMAIL else person.phone
            )
    return addresses


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


def _outcome(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    delivery: Delivery,
    result: SendResult,
    attempts: list[tuple[UUID, Attempt]],
) -> tuple[str, dict[str, Any], datetime | None]:
    """(status, the delivery's changes, when it is due again or None) after one attempt; its
    provider tries go on `attempts`, and a delivery given up on is announced."""
    number = delivery.attempts + 1
    for tried in result.tries:
        attempts.append(
            (
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
    changes: dict[str, Any] = {
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
    if step.status == states.FAILED:
        uow.add_event(
            notification_event(
                tenant_id,
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
    return step.status, changes, step.retry_at
