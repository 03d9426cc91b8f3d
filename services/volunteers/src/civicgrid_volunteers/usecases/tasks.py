"""Tasks: created by staff, by other services (gRPC) or from events; offered by the offer
rounds (see offering); cancelled with their offers withdrawn."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform import timers
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, NotFound
from civicgrid_volunteers.db.offers_repo import AssignmentsRepository, OffersRepository
from civicgrid_volunteers.db.tasks_repo import TasksRepository
from civicgrid_volunteers.db.volunteers_repo import VolunteersRepository
from civicgrid_volunteers.domain.tasks import CANCELLED, COMPLETED, Task, check_new_task
from civicgrid_volunteers.events.messages import task_message
from civicgrid_volunteers.events.outgoing import volunteer_event
from civicgrid_volunteers.usecases.context import (
    VolunteersContext,
    person_of,
    require_task_access,
    works_with_tasks,
)

OFFER_ROUND = "offer_round"


@dataclass(frozen=True, slots=True)
class Created:
    task: Task
    replayed: bool = False


async def create_task(
    ctx: VolunteersContext,
    actor: Principal,
    fields: Mapping[str, Any],
    *,
    idempotency_key: str | None = None,
) -> Created:
    """A new open task, announced, with its first round of offers due at once. A retry with
    the same key (or the same source and reference) returns the first task."""
    require_task_access(actor, "working with tasks")
    tenant_id = actor.tenant_uuid
    check_new_task(dict(fields), ctx.clock())
    try:
        async with ctx.uow(tenant_id=tenant_id) as uow:
            task = await add_task(
                uow, tenant_id, fields, actor.subject, idempotency_key, now=ctx.clock()
            )
            await uow.commit()
        return Created(task)
    except IntegrityError as exc:
        if "uq_tasks_" not in str(exc):
            raise
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = TasksRepository(uow.session, tenant_id)
        earlier = await repo.by_key(idempotency_key=idempotency_key) if idempotency_key else None
        if earlier is None and fields.get("source_ref"):
            earlier = await repo.by_key(
                source=(fields.get("source", "staff"), fields["source_ref"])
            )
    if earlier is None:
        raise Conflict("a task with this key exists")
    return Created(earlier, replayed=True)


async def add_task(
    uow: UnitOfWork,
    tenant_id: UUID,
    fields: Mapping[str, Any],
    created_by: str | None,
    idempotency_key: str | None = None,
    *,
    now: datetime | None = None,
) -> Task:
    """Inserts an open task, announces it and makes its first offer round due `now` (the
    database's clock when not given), in the caller's transaction: tasks from tickets, visit
    plans and the lending station's deliveries come this way too."""
    values = dict(fields) | {"created_by": created_by, "idempotency_key": idempotency_key}
    values["skills"] = [dict(s) for s in values.get("skills", [])]
    if now is not None:
        values["created_at"] = now
    task = await TasksRepository(uow.session, tenant_id).insert(values)
    uow.add_event(
        volunteer_event(tenant_id, task.id, events_pb2.TaskCreated(task=task_message(task)))
    )
    await timers.schedule(uow.session, tenant_id, OFFER_ROUND, task.id, task.created_at)
    return task


async def add_task_once(
    uow: UnitOfWork, tenant_id: UUID, fields: Mapping[str, Any], *, now: datetime | None = None
) -> Task | None:
    """add_task for a task made from something else (a ticket, a visit plan's week): None,
    and nothing changed, when the same source and reference already made one."""
    source = (fields["source"], fields["source_ref"])
    if await TasksRepository(uow.session, tenant_id).by_key(source=source) is not None:
        return None
    try:
        # A savepoint: losing a race to the unique index must not undo the caller's work.
        async with uow.savepoint():
            return await add_task(uow, tenant_id, fields, None, now=now)
    except IntegrityError as exc:
        if "uq_tasks_source" not in str(exc):
            raise
        return None


async def get_task(ctx: VolunteersContext, actor: Principal, task_id: UUID) -> Task:
    """Staff and task-making services see every task; a volunteer only those offered to them
    (a task names an elderly person and where they live)."""
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        task = await TasksRepository(uow.session, tenant_id).get(task_id)
        if task is not None and not works_with_tasks(actor):
            person = person_of(actor)
            me = person and await VolunteersRepository(uow.session, tenant_id).by_person(person)
            offered = me and await OffersRepository(uow.session, tenant_id).offered(task_id, me.id)
            if not offered:
                task = None
    if task is None:
        raise NotFound("no such task")
    return task


async def page(
    ctx: VolunteersContext,
    actor: Principal,
    status: str | None,
    after: tuple[Any, UUID] | None,
    limit: int,
) -> Sequence[Task]:
    require_task_access(actor, "working with tasks")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await TasksRepository(uow.session, actor.tenant_uuid).page(status, after, limit)


async def cancel_task(ctx: VolunteersContext, actor: Principal, task_id: UUID, reason: str) -> Task:
    """Cancelled: waiting offers are withdrawn and accepted volunteers released (both
    announced), and no further round or reminder runs."""
    require_task_access(actor, "working with tasks")
    tenant_id = actor.tenant_uuid
    now = ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = TasksRepository(uow.session, tenant_id)
        task = await repo.get(task_id, lock=True)
        if task is None:
            raise NotFound("no such task")
        if task.status in (CANCELLED, COMPLETED):
            raise Conflict(f"the task is already {task.status}")
        task = await repo.change(task_id, status=CANCELLED)
        await timers.cancel(uow.session, OFFER_ROUND, task_id)
        for offer in await OffersRepository(uow.session, tenant_id).withdraw_pending(task_id, now):
            await timers.cancel(uow.session, "offer_expiry", offer.id)
            uow.add_event(
                volunteer_event(
                    tenant_id,
                    task_id,
                    events_pb2.OfferDeclined(
                        offer_id=str(offer.id),
                        task_id=str(task_id),
                        volunteer_id=str(offer.volunteer_id),
                        reason="withdrawn",
                    ),
                )
            )
        places = AssignmentsRepository(uow.session, tenant_id)
        for place in await places.of_task(task_id):
            if place.status in ("accepted", "confirmed", "checked_in"):
                await places.change(place.id, status="cancelled", cancelled_at=now)
                await timers.cancel(uow.session, "reminder", place.id)
                await timers.cancel(uow.session, "no_show_check", place.id)
        uow.add_event(
            volunteer_event(
                tenant_id,
                task_id,
                events_pb2.TaskCancelled(
                    task_id=str(task_id), reason=reason, actor_id=actor.subject
                ),
            )
        )
        await uow.commit()
    return task
