"""Weekly visit plans: staff plan a weekly visit to an elderly person living alone; the plan's
timer makes each week's task ahead of time (domain.visit_plans.LEAD) and sets itself for the
following week. Stopping a plan stops its timer; tasks already made stay (staff may cancel
them). A change of weekday or time moves the timer; other changes apply from the next task."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from civicgrid_platform import timers
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import NotFound
from civicgrid_platform.timers import DueTimer
from civicgrid_volunteers.db.plans_repo import VisitPlansRepository
from civicgrid_volunteers.domain.visit_plans import (
    LEAD,
    VISIT_PLAN_TIMER,
    VisitPlan,
    check_plan,
    first_run,
    following_run,
    parse_start,
    upcoming_visit,
    visit_task_fields,
)
from civicgrid_volunteers.usecases.context import VolunteersContext, require_staff
from civicgrid_volunteers.usecases.tasks import add_task_once
from civicgrid_volunteers.usecases.timers import TimerHandler

# Changing these moves the plan's timer.
_TIMING = frozenset({"weekday", "start", "active"})


def _zone(ctx: VolunteersContext) -> ZoneInfo:
    return ZoneInfo(ctx.default_timezone)


def _repo(uow: UnitOfWork, actor: Principal) -> VisitPlansRepository:
    return VisitPlansRepository(uow.session, actor.tenant_uuid)


def _skills(plan: VisitPlan) -> list[dict[str, Any]]:
    return [{"code": s.code, "min_level": s.min_level} for s in plan.skills]


async def _set_timer(
    ctx: VolunteersContext, uow: UnitOfWork, tenant_id: UUID, plan: VisitPlan
) -> None:
    if plan.active:
        due = first_run(plan, _zone(ctx), ctx.clock())
        await timers.schedule(uow.session, tenant_id, VISIT_PLAN_TIMER, plan.id, due)
    else:
        await timers.cancel(uow.session, VISIT_PLAN_TIMER, plan.id)


def upcoming(ctx: VolunteersContext, plan: VisitPlan) -> datetime | None:
    """The plan's next visit there is still time to find someone for; None when stopped."""
    return upcoming_visit(plan, _zone(ctx), ctx.clock()) if plan.active else None


async def create_plan(
    ctx: VolunteersContext, actor: Principal, fields: Mapping[str, Any]
) -> VisitPlan:
    require_staff(actor, "plan weekly visits")
    values = dict(fields) | {"start": parse_start(str(fields["start"]))}
    check_plan(values)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        plan = await _repo(uow, actor).insert(values | {"created_by": actor.subject})
        await _set_timer(ctx, uow, actor.tenant_uuid, plan)
        await uow.commit()
    return plan


async def get_plan(ctx: VolunteersContext, actor: Principal, plan_id: UUID) -> VisitPlan:
    require_staff(actor, "read visit plans")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        plan = await _repo(uow, actor).get(plan_id)
    if plan is None:
        raise NotFound("no such visit plan", field="plan_id")
    return plan


async def list_plans(
    ctx: VolunteersContext,
    actor: Principal,
    client_person_id: UUID | None,
    active: bool | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[VisitPlan]:
    require_staff(actor, "read visit plans")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await _repo(uow, actor).page(client_person_id, active, after, limit)


async def change_plan(
    ctx: VolunteersContext, actor: Principal, plan_id: UUID, changes: Mapping[str, Any]
) -> VisitPlan:
    require_staff(actor, "change visit plans")
    values = dict(changes)
    if "start" in values:
        values["start"] = parse_start(str(values["start"]))
    if "active" in values:
        values["stopped_at"] = None if values["active"] else ctx.clock()
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        plan = await repo.get(plan_id, lock=True)
        if plan is None:
            raise NotFound("no such visit plan", field="plan_id")
        if "active" in values and values["active"] == plan.active:
            del values["active"], values["stopped_at"]  # as it was, its stop time included
        if not values:
            return plan
        kept = {
            "lat": plan.lat,
            "lon": plan.lon,
            "weekday": plan.weekday,
            "minutes": plan.minutes,
            "volunteers_needed": plan.volunteers_needed,
            "skills": _skills(plan),
        }
        check_plan(kept | values)
        plan = await repo.change(plan_id, values)
        if _TIMING & set(values):
            await _set_timer(ctx, uow, actor.tenant_uuid, plan)
        await uow.commit()
    return plan


async def stop_plan(ctx: VolunteersContext, actor: Principal, plan_id: UUID) -> VisitPlan:
    """No more weekly tasks from this plan; a stopped plan stays stopped (repeating is fine)."""
    return await change_plan(ctx, actor, plan_id, {"active": False})


async def make_next_visit(ctx: VolunteersContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """The plan's timer: make the upcoming visit's task (once: its source reference is the
    plan and the visit's date) and set the timer for the week after. Runs in run_due's unit of
    work, bound to the plan's district; run_due commits."""
    plan = await VisitPlansRepository(uow.session, timer.tenant_id).get(timer.subject_id, lock=True)
    if plan is None or not plan.active:
        return
    zone, now = _zone(ctx), ctx.clock()
    visit = upcoming_visit(plan, zone, now)
    if visit - LEAD > now:
        # Too early for this visit (the clock stepped back), or too late for the last one
        # (the timers were down): wait for this one's time.
        due = visit - LEAD
    else:
        await add_task_once(
            uow, timer.tenant_id, visit_task_fields(plan, visit, zone), now=ctx.clock()
        )
        due = following_run(plan, zone, visit)
    await timers.schedule(uow.session, timer.tenant_id, VISIT_PLAN_TIMER, plan.id, due)


VISIT_PLAN_TIMERS: dict[str, TimerHandler] = {VISIT_PLAN_TIMER: make_next_visit}
