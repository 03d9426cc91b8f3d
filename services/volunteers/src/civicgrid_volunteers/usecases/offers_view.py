"""Reading offers and candidates: staff see a task's offers and the best candidates now; a
volunteer sees their own offers and places."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import NotFound
from civicgrid_volunteers.db.offers_repo import (
    AssignmentRecord,
    AssignmentsRepository,
    OfferRecord,
    OffersRepository,
)
from civicgrid_volunteers.db.tasks_repo import TasksRepository
from civicgrid_volunteers.domain.matching import Match
from civicgrid_volunteers.usecases.context import VolunteersContext, require_staff
from civicgrid_volunteers.usecases.matching import best_matches
from civicgrid_volunteers.usecases.profiles import mine


async def of_task(ctx: VolunteersContext, actor: Principal, task_id: UUID) -> Sequence[OfferRecord]:
    require_staff(actor, "see a task's offers")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        if await TasksRepository(uow.session, actor.tenant_uuid).get(task_id) is None:
            raise NotFound("no such task")
        return await OffersRepository(uow.session, actor.tenant_uuid).of_task(task_id)


async def candidates(
    ctx: VolunteersContext, actor: Principal, task_id: UUID, n: int
) -> list[Match]:
    require_staff(actor, "look for volunteers")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        task = await TasksRepository(uow.session, actor.tenant_uuid).get(task_id)
        if task is None:
            raise NotFound("no such task")
        return await best_matches(ctx, uow, actor.tenant_uuid, task.need, (task.lat, task.lon), n)


async def my_offers(
    ctx: VolunteersContext, actor: Principal, status: str | None
) -> Sequence[OfferRecord]:
    me = await mine(ctx, actor)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await OffersRepository(uow.session, actor.tenant_uuid).of_volunteer(me.id, status)


async def my_places(ctx: VolunteersContext, actor: Principal) -> Sequence[AssignmentRecord]:
    me = await mine(ctx, actor)
    since = ctx.clock() - timedelta(days=30)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await AssignmentsRepository(uow.session, actor.tenant_uuid).of_volunteer(
            me.id, since
        )
