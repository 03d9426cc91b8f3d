"""Where tasks come from besides staff, over HTTP: the tenant admin maps ticket categories to
the task their tickets need (staff read the rules), and staff plan weekly visits to elderly
people living alone."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Response, status

from civicgrid_platform.errors import InvalidInput
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams
from civicgrid_volunteers.api import schemas_plans as schemas
from civicgrid_volunteers.api.deps import Ctx
from civicgrid_volunteers.api.schemas import SkillNeed
from civicgrid_volunteers.domain.ticket_tasks import TicketTaskRule
from civicgrid_volunteers.domain.visit_plans import VisitPlan
from civicgrid_volunteers.usecases import ticket_tasks, visit_plans
from civicgrid_volunteers.usecases.context import VolunteersContext

router = APIRouter(tags=["task sources"])
Category = Annotated[
    str, Path(pattern=schemas.CATEGORY_PATTERN, description="The tickets service's category")
]


def _rule(r: TicketTaskRule) -> schemas.TicketTaskRuleRead:
    return schemas.TicketTaskRuleRead(
        category=r.category,
        kind=r.kind,
        title=r.title,
        skills=[SkillNeed(code=s.code, min_level=s.min_level) for s in r.skills],
        volunteers_needed=r.volunteers_needed,
        hours=round(r.minutes / 60, 4),
        urgency=r.urgency,
        needs_safeguarding=r.needs_safeguarding,
        starts_after_hours=round(r.delay_minutes / 60, 4),
        updated_at=r.updated_at,
    )


def _plan(ctx: VolunteersContext, p: VisitPlan) -> schemas.VisitPlanRead:
    fields = asdict(p)
    fields["start"] = p.start.strftime("%H:%M")
    fields["skills"] = [SkillNeed(code=s.code, min_level=s.min_level) for s in p.skills]
    return schemas.VisitPlanRead(**fields, next_visit_at=visit_plans.upcoming(ctx, p))


# Ticket categories that need volunteers


@router.get("/v1/ticket-task-rules")
async def list_rules(ctx: Ctx, actor: CurrentPrincipal) -> list[schemas.TicketTaskRuleRead]:
    return [_rule(r) for r in await ticket_tasks.list_rules(ctx, actor)]


@router.get("/v1/ticket-task-rules/{category}")
async def get_rule(
    category: Category, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.TicketTaskRuleRead:
    return _rule(await ticket_tasks.get_rule(ctx, actor, category))


@router.put("/v1/ticket-task-rules/{category}")
async def put_rule(
    category: Category, body: schemas.TicketTaskRuleWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.TicketTaskRuleRead:
    """Tickets of this category reported from now on each get this task (a location needed)."""
    fields: dict[str, Any] = body.model_dump(exclude={"hours", "starts_after_hours"})
    fields["minutes"] = round(body.hours * 60)
    fields["delay_minutes"] = round(body.starts_after_hours * 60)
    return _rule(await ticket_tasks.put_rule(ctx, actor, category, fields))


@router.delete("/v1/ticket-task-rules/{category}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(category: Category, ctx: Ctx, actor: CurrentPrincipal) -> Response:
    await ticket_tasks.delete_rule(ctx, actor, category)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Weekly visit plans


@router.post("/v1/visit-plans", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def create_plan(
    body: schemas.VisitPlanCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.VisitPlanRead:
    return _plan(ctx, await visit_plans.create_plan(ctx, actor, body.model_dump()))


@router.get("/v1/visit-plans")
async def list_plans(
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    client_person_id: UUID | None = None,
    active: bool | None = None,
) -> CursorPage[schemas.VisitPlanRead]:
    after = None
    if page.after:
        try:
            after = (datetime.fromisoformat(str(page.after["at"])), UUID(str(page.after["id"])))
        except (KeyError, ValueError):
            raise InvalidInput("not a cursor of this list", field="cursor") from None
    found = await visit_plans.list_plans(
        ctx, actor, client_person_id, active, after, page.fetch_limit
    )
    return page.page(
        [_plan(ctx, p) for p in found],
        lambda p: {"at": p.created_at.isoformat(), "id": str(p.id)},
    )


@router.get("/v1/visit-plans/{plan_id}")
async def get_plan(plan_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.VisitPlanRead:
    return _plan(ctx, await visit_plans.get_plan(ctx, actor, plan_id))


@router.patch("/v1/visit-plans/{plan_id}")
async def change_plan(
    plan_id: UUID, body: schemas.VisitPlanUpdate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.VisitPlanRead:
    changes = body.model_dump(exclude_none=True)
    return _plan(ctx, await visit_plans.change_plan(ctx, actor, plan_id, changes))


@router.post("/v1/visit-plans/{plan_id}/stop")
async def stop_plan(plan_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.VisitPlanRead:
    """No more weekly tasks; tasks already made stay (staff may cancel them)."""
    return _plan(ctx, await visit_plans.stop_plan(ctx, actor, plan_id))
