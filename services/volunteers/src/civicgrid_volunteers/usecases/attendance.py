"""A volunteer's place on a task, from reminder to check-out: confirm or cancel after the
reminder, check in and out with where they were, hours into the ledger; a place nobody turned
up for is a no-show, and repeated no-shows pause new offers."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform import timers
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, NotFound
from civicgrid_platform.timers import DueTimer
from civicgrid_volunteers.db.offers_repo import AssignmentRecord, AssignmentsRepository
from civicgrid_volunteers.db.policies_repo import PoliciesRepository
from civicgrid_volunteers.db.tasks_repo import TasksRepository
from civicgrid_volunteers.db.volunteers_repo import VolunteersRepository
from civicgrid_volunteers.domain.attendance import (
    SEATED,
    check_in_allowed,
    is_late,
    minutes_served,
)
from civicgrid_volunteers.domain.tasks import COMPLETED, FILLED, OPEN, Task
from civicgrid_volunteers.events.messages import timestamp
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.ledger import post_hours
from civicgrid_volunteers.usecases.offering import NO_SHOW_CHECK, REMINDER
from civicgrid_volunteers.usecases.profiles import mine
from civicgrid_volunteers.usecases.tasks import OFFER_ROUND


async def _own_place(
    uow: UnitOfWork, tenant_id: UUID, volunteer_id: UUID, assignment_id: UUID
) -> AssignmentRecord:
    place = await AssignmentsRepository(uow.session, tenant_id).get(assignment_id, lock=True)
    if place is None or place.volunteer_id != volunteer_id:
        raise NotFound("no such place of yours")
    return place


async def _own_place_and_task(
    uow: UnitOfWork, tenant_id: UUID, volunteer_id: UUID, assignment_id: UUID
) -> tuple[AssignmentRecord, Task | None]:
    """The place and its task, both locked: the task's row first, as accepting takes them, so
    a cancel or check-out never deadlocks with an accept."""
    found = await AssignmentsRepository(uow.session, tenant_id).get(assignment_id)
    if found is None or found.volunteer_id != volunteer_id:
        raise NotFound("no such place of yours")
    task = await TasksRepository(uow.session, tenant_id).get(found.task_id, lock=True)
    return await _own_place(uow, tenant_id, volunteer_id, assignment_id), task


async def confirm(
    ctx: VolunteersContext, actor: Principal, assignment_id: UUID
) -> AssignmentRecord:
    me = await mine(ctx, actor)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        place = await _own_place(uow, actor.tenant_uuid, me.id, assignment_id)
        if place.status != "accepted":
            raise Conflict(f"cannot confirm a place that is {place.status}")
        repo = AssignmentsRepository(uow.session, actor.tenant_uuid)
        place = await repo.change(assignment_id, status="confirmed", confirmed_at=ctx.clock())
        await uow.commit()
    return place


async def cancel(ctx: VolunteersContext, actor: Principal, assignment_id: UUID) -> AssignmentRecord:
    """The volunteer gives the place back; close to the start it counts as a late
    cancellation. The place is offered again."""
    me = await mine(ctx, actor)
    tenant_id, now = actor.tenant_uuid, ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        tasks = TasksRepository(uow.session, tenant_id)
        place, task = await _own_place_and_task(uow, tenant_id, me.id, assignment_id)
        if place.status not in SEATED:
            raise Conflict(f"cannot cancel a place that is {place.status}")
        policy = await PoliciesRepository(uow.session, tenant_id).current()
        late = is_late(place.starts_at, now, policy.late_cancellation_hours)
        place = await AssignmentsRepository(uow.session, tenant_id).change(
            assignment_id, status="cancelled", cancelled_at=now, late_cancellation=late
        )
        if late:
            await VolunteersRepository(uow.session, tenant_id).count(me.id, late_cancellations=1)
        await timers.cancel(uow.session, REMINDER, assignment_id)
        await timers.cancel(uow.session, NO_SHOW_CHECK, assignment_id)
        if task is not None and task.status in (OPEN, FILLED):
            await tasks.give_back_slot(task.id)
            if task.status == FILLED:
                await tasks.change(task.id, status=OPEN)
            await timers.schedule(uow.session, tenant_id, OFFER_ROUND, task.id, now)
        uow.add_event(
            volunteer_event(
                tenant_id,
                place.task_id,
                events_pb2.OfferDeclined(
                    offer_id=str(place.offer_id or ""),
                    task_id=str(place.task_id),
                    volunteer_id=str(me.id),
                    reason="late_cancellation" if late else "cancelled",
                ),
            )
        )
        await uow.commit()
    return place


async def check_in(
    ctx: VolunteersContext, actor: Principal, assignment_id: UUID, lat: float, lon: float
) -> AssignmentRecord:
    me = await mine(ctx, actor)
    now = ctx.clock()
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        place = await _own_place(uow, actor.tenant_uuid, me.id, assignment_id)
        check_in_allowed(place.status, place.starts_at, place.ends_at, now)
        place = await AssignmentsRepository(uow.session, actor.tenant_uuid).change(
            assignment_id,
            status="checked_in",
            checked_in_at=now,
            check_in_lat=lat,
            check_in_lon=lon,
        )
        await timers.cancel(uow.session, NO_SHOW_CHECK, assignment_id)
        await uow.commit()
    return place


async def check_out(
    ctx: VolunteersContext, actor: Principal, assignment_id: UUID, lat: float, lon: float
) -> AssignmentRecord:
    """Done: the minutes served go into the ledger; the last to leave completes the task."""
    me = await mine(ctx, actor)
    tenant_id, now = actor.tenant_uuid, ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        places = AssignmentsRepository(uow.session, tenant_id)
        tasks = TasksRepository(uow.session, tenant_id)
        place, task = await _own_place_and_task(uow, tenant_id, me.id, assignment_id)
        if place.status != "checked_in" or place.checked_in_at is None:
            raise Conflict("check in first")
        place = await places.change(
            assignment_id,
            status="completed",
            checked_out_at=now,
            check_out_lat=lat,
            check_out_lon=lon,
        )
        minutes = minutes_served(place.checked_in_at, now, place.starts_at, place.ends_at)  # type: ignore[arg-type]
        if minutes:
            await post_hours(
                uow,
                tenant_id,
                me.id,
                minutes,
                reason="check_out",
                worked_on=now,
                task_id=place.task_id,
                actor_id=actor.subject,
            )
        await VolunteersRepository(uow.session, tenant_id).count(me.id, tasks_completed=1)
        others = await places.of_task(place.task_id)
        if task is not None and not any(p.status in (*SEATED, "checked_in") for p in others):
            await tasks.change(task.id, status=COMPLETED, completed_at=now)
            await timers.cancel(uow.session, OFFER_ROUND, task.id)
            uow.add_event(
                volunteer_event(
                    tenant_id,
                    task.id,
                    events_pb2.TaskCompleted(task_id=str(task.id), completed_at=timestamp(now)),
                )
            )
        await uow.commit()
    return place


async def remind(ctx: VolunteersContext, uow: UnitOfWork, timer: DueTimer) -> None:
    tenant_id = timer.tenant_id
    places = AssignmentsRepository(uow.session, tenant_id)
    place = await places.get(timer.subject_id)
    if place is None or place.status not in SEATED:
        return
    volunteer = await VolunteersRepository(uow.session, tenant_id).get(place.volunteer_id)
    await places.change(place.id, reminded_at=ctx.clock())
    uow.add_event(
        volunteer_event(
            tenant_id,
            place.task_id,
            events_pb2.TaskReminder(
                task_id=str(place.task_id),
                volunteer_id=str(place.volunteer_id),
                person_id=str(volunteer.person_id if volunteer else ""),
                starts_at=timestamp(place.starts_at),
            ),
        )
    )


async def check_no_show(ctx: VolunteersContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """Nobody checked in by the grace time: a no-show; enough of them within the window pause
    new offers to that volunteer."""
    tenant_id, now = timer.tenant_id, ctx.clock()
    places = AssignmentsRepository(uow.session, tenant_id)
    place = await places.get(timer.subject_id, lock=True)
    if place is None or place.status not in SEATED:
        return
    await places.change(place.id, status="no_show")
    volunteers = VolunteersRepository(uow.session, tenant_id)
    await volunteers.count(place.volunteer_id, no_shows=1)
    policy = await PoliciesRepository(uow.session, tenant_id).current()
    recent = await places.no_shows_since(
        place.volunteer_id, now - timedelta(days=policy.no_show_window_days)
    )
    paused_until = None
    if recent >= policy.no_show_limit:
        paused_until = now + timedelta(days=policy.pause_days)
        await volunteers.change(place.volunteer_id, {"paused_until": paused_until})
    uow.add_event(
        volunteer_event(
            tenant_id,
            place.task_id,
            events_pb2.NoShowRecorded(
                task_id=str(place.task_id),
                volunteer_id=str(place.volunteer_id),
                recent_no_shows=recent,
                paused_until=timestamp(paused_until) if paused_until else None,
            ),
        )
    )
