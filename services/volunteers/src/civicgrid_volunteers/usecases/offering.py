"""Offers: rounds made by the timers (sequential for normal tasks, the top k at once for urgent
ones), answered by volunteers. The last free place goes to exactly one volunteer however many
accept at once: the task row's slot counter is taken in the database (see TasksRepository)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform import timers
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, NotFound
from civicgrid_platform.events.cloudevents import OutgoingEvent
from civicgrid_platform.timers import DueTimer
from civicgrid_volunteers.db.offers_repo import AssignmentsRepository, OfferRecord, OffersRepository
from civicgrid_volunteers.db.policies_repo import PoliciesRepository
from civicgrid_volunteers.db.tasks_repo import TasksRepository
from civicgrid_volunteers.db.volunteers_repo import VolunteersRepository
from civicgrid_volunteers.domain.policy import MatchingPolicy
from civicgrid_volunteers.domain.tasks import FILLED, OPEN, Task
from civicgrid_volunteers.events.messages import breakdown_message, timestamp
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.matching import best_matches
from civicgrid_volunteers.usecases.profiles import mine
from civicgrid_volunteers.usecases.tasks import OFFER_ROUND

OFFER_EXPIRY = "offer_expiry"
REMINDER = "reminder"
NO_SHOW_CHECK = "no_show_check"


def wanted_offers(task: Task, pending: int, policy: MatchingPolicy) -> int:
    """How many new offers this round: one waiting offer per open place (sequential), or the
    district's top k for urgent tasks (parallel; the first to accept take the places)."""
    if task.status != OPEN or task.open_slots <= 0:
        return 0
    waiting = (
        max(task.open_slots, policy.urgent_parallel)
        if task.urgency == "urgent"
        else task.open_slots
    )
    return max(0, waiting - pending)


async def offer_round(ctx: VolunteersContext, uow: UnitOfWork, timer: DueTimer) -> None:
    tenant_id, now = timer.tenant_id, ctx.clock()
    tasks = TasksRepository(uow.session, tenant_id)
    task = await tasks.get(timer.subject_id, lock=True)
    if task is None or task.status != OPEN or task.ends_at <= now:
        return
    offers = OffersRepository(uow.session, tenant_id)
    everyone, pending = await offers.offered_volunteers(task.id)
    policy = await PoliciesRepository(uow.session, tenant_id).current()
    wanted = wanted_offers(task, pending, policy)
    if wanted == 0:
        return
    matches = await best_matches(
        ctx,
        uow,
        tenant_id,
        task.need,
        (task.lat, task.lon),
        wanted,
        policy=policy,
        exclude=everyone,
    )
    if not matches:
        if pending == 0:  # nobody left to wait for: look again later (people join, weeks end)
            retry = now + timedelta(minutes=policy.retry_minutes)
            await timers.schedule(uow.session, tenant_id, OFFER_ROUND, task.id, retry)
        return
    expires = min(now + policy.offer_timeout(task.urgency), task.ends_at)
    made = await offers.insert(
        [
            {
                "task_id": task.id,
                "volunteer_id": m.candidate.volunteer_id,
                "round": task.offer_round + 1,
                "score": m.score,
                "breakdown": [
                    {"factor": p.factor, "value": p.value, "weight": p.weight, "points": p.points}
                    for p in m.parts
                ],
                "made_at": now,
                "expires_at": expires,
            }
            for m in matches
        ]
    )
    await tasks.change(task.id, offer_round=task.offer_round + 1)
    for offer, match in zip(made, matches, strict=True):
        await timers.schedule(uow.session, tenant_id, OFFER_EXPIRY, offer.id, expires)
        uow.add_event(
            volunteer_event(
                tenant_id,
                task.id,
                events_pb2.OfferMade(
                    offer_id=str(offer.id),
                    task_id=str(task.id),
                    volunteer_id=str(offer.volunteer_id),
                    person_id=str(match.candidate.person_id),
                    score=match.score,
                    breakdown=breakdown_message(match.parts),
                    expires_at=timestamp(expires),
                    round=offer.round,
                ),
            )
        )


async def offer_expired(ctx: VolunteersContext, uow: UnitOfWork, timer: DueTimer) -> None:
    tenant_id, now = timer.tenant_id, ctx.clock()
    offer = await OffersRepository(uow.session, tenant_id).answer(timer.subject_id, "expired", now)
    if offer is None:
        return  # answered meanwhile
    await VolunteersRepository(uow.session, tenant_id).count(offer.volunteer_id, offers_expired=1)
    uow.add_event(
        volunteer_event(
            tenant_id,
            offer.task_id,
            events_pb2.OfferExpired(
                offer_id=str(offer.id),
                task_id=str(offer.task_id),
                volunteer_id=str(offer.volunteer_id),
            ),
        )
    )
    await timers.schedule(uow.session, tenant_id, OFFER_ROUND, offer.task_id, now)


async def _own_offer(
    uow: UnitOfWork, tenant_id: UUID, volunteer_id: UUID, offer_id: UUID
) -> OfferRecord:
    offer = await OffersRepository(uow.session, tenant_id).get(offer_id)
    if offer is None or offer.volunteer_id != volunteer_id:
        raise NotFound("no such offer of yours")
    return offer


async def decline(ctx: VolunteersContext, actor: Principal, offer_id: UUID) -> OfferRecord:
    me = await mine(ctx, actor)
    tenant_id, now = actor.tenant_uuid, ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        await _own_offer(uow, tenant_id, me.id, offer_id)
        offer = await OffersRepository(uow.session, tenant_id).answer(offer_id, "declined", now)
        if offer is None:
            raise Conflict("this offer was already answered, expired or withdrawn")
        await VolunteersRepository(uow.session, tenant_id).count(me.id, offers_declined=1)
        await timers.cancel(uow.session, OFFER_EXPIRY, offer_id)
        await timers.schedule(uow.session, tenant_id, OFFER_ROUND, offer.task_id, now)
        uow.add_event(_declined(tenant_id, offer, "declined"))
        await uow.commit()
    return offer


def _declined(tenant_id: UUID, offer: OfferRecord, reason: str) -> OutgoingEvent:
    return volunteer_event(
        tenant_id,
        offer.task_id,
        events_pb2.OfferDeclined(
            offer_id=str(offer.id),
            task_id=str(offer.task_id),
            volunteer_id=str(offer.volunteer_id),
            reason=reason,
        ),
    )


async def accept(ctx: VolunteersContext, actor: Principal, offer_id: UUID) -> OfferRecord:
    """The volunteer takes a place; Conflict if the offer is no longer open or every place is
    already taken (the offer is then withdrawn)."""
    me = await mine(ctx, actor)
    tenant_id, now = actor.tenant_uuid, ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        found = await _own_offer(uow, tenant_id, me.id, offer_id)
        # The task's row first, then the offer's: the order every writer of both keeps (a
        # filled task withdraws the other offers while holding the task), so no deadlock.
        task = await TasksRepository(uow.session, tenant_id).take_slot(found.task_id)
        if task is None:
            raise Conflict("every place on this task is already taken")
        offer = await OffersRepository(uow.session, tenant_id).answer(
            offer_id, "accepted", now, only_before=now
        )
        if offer is None:  # rolls the place back
            raise Conflict("this offer was already answered, expired or withdrawn")
        await _seat(ctx, uow, tenant_id, task, offer, me.person_id, now)
        await uow.commit()
    return offer


async def _seat(
    ctx: VolunteersContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    task: Task,
    offer: OfferRecord,
    person_id: UUID,
    now: datetime,
) -> None:
    policy = await PoliciesRepository(uow.session, tenant_id).current()
    place = await AssignmentsRepository(uow.session, tenant_id).insert(
        {
            "task_id": task.id,
            "volunteer_id": offer.volunteer_id,
            "offer_id": offer.id,
            "client_person_id": task.client_person_id,
            "starts_at": task.starts_at,
            "ends_at": task.ends_at,
            "accepted_at": now,
        }
    )
    await VolunteersRepository(uow.session, tenant_id).count(offer.volunteer_id, offers_accepted=1)
    await timers.cancel(uow.session, OFFER_EXPIRY, offer.id)
    remind_at = task.starts_at - timedelta(hours=policy.reminder_hours)
    if remind_at > now:
        await timers.schedule(uow.session, tenant_id, REMINDER, place.id, remind_at)
    grace = task.starts_at + timedelta(minutes=policy.no_show_grace_minutes)
    await timers.schedule(uow.session, tenant_id, NO_SHOW_CHECK, place.id, grace)
    uow.add_event(
        volunteer_event(
            tenant_id,
            task.id,
            events_pb2.OfferAccepted(
                offer_id=str(offer.id),
                task_id=str(task.id),
                volunteer_id=str(offer.volunteer_id),
                person_id=str(person_id),
            ),
        )
    )
    if task.open_slots == 0:
        await _filled(uow, tenant_id, task, now)


async def _filled(uow: UnitOfWork, tenant_id: UUID, task: Task, now: datetime) -> None:
    await TasksRepository(uow.session, tenant_id).change(task.id, status=FILLED)
    await timers.cancel(uow.session, OFFER_ROUND, task.id)
    for other in await OffersRepository(uow.session, tenant_id).withdraw_pending(task.id, now):
        await timers.cancel(uow.session, OFFER_EXPIRY, other.id)
        uow.add_event(_declined(tenant_id, other, "withdrawn"))
    places = await AssignmentsRepository(uow.session, tenant_id).of_task(task.id)
    seated = [str(p.volunteer_id) for p in places if p.status != "cancelled"]
    uow.add_event(
        volunteer_event(
            tenant_id, task.id, events_pb2.TaskFilled(task_id=str(task.id), volunteer_ids=seated)
        )
    )
