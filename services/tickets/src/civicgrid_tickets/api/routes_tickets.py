"""Tickets over HTTP for people: report, follow, list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, status

from civicgrid_platform.errors import Forbidden, InvalidInput
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams
from civicgrid_tickets.api import schemas, views
from civicgrid_tickets.api.deps import Ctx
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.usecases import intake, reading, transitions

router = APIRouter(tags=["tickets"])


@router.post("/v1/tickets", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def create_ticket(
    body: schemas.TicketCreate, ctx: Ctx, actor: CurrentPrincipal, request: Request
) -> schemas.TicketCreated:
    reporter: UUID | None = None
    if body.on_behalf_of is not None or body.channel != "web":
        if not reading.is_staff(actor):
            raise Forbidden("only staff report on the hotline, on patrol or for someone else")
        reporter = body.on_behalf_of
    elif not body.anonymous:
        try:
            reporter = UUID(actor.subject)
        except ValueError:
            raise InvalidInput("a service cannot report as itself", field="anonymous") from None
    submission = Submission(
        channel=body.channel,
        category=body.category,
        description=body.description,
        lat=body.lat,
        lon=body.lon,
        address=body.address,
        priority=body.priority,
        attributes=body.attributes,
        reporter_person_id=reporter,
        contact=body.contact.model_dump(exclude_none=True) if body.contact else None,
    )
    done = await intake.create_ticket(
        ctx, actor.tenant_uuid, actor.subject, submission, token=actor.token
    )
    return views.created(done.ticket, done.duplicates)


@router.get("/v1/tickets/{ticket_id}")
async def get_ticket(ticket_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.TicketRead:
    found, _ = await reading.get_ticket(ctx, actor, ticket_id)
    return views.ticket(found)


@router.get("/v1/tickets/{ticket_id}/history")
async def ticket_history(
    ticket_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> list[schemas.HistoryRead]:
    _, entries = await reading.get_ticket(ctx, actor, ticket_id)
    return [views.history(e) for e in entries]


@router.get("/v1/tickets")
async def list_tickets(
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    unit_id: Annotated[UUID | None, Query(description="at or below this unit")] = None,
    status_: Annotated[list[str] | None, Query(alias="status")] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    overdue: bool = False,
) -> CursorPage[schemas.TicketRead]:
    after = None
    if page.after:
        after = (datetime.fromisoformat(str(page.after["at"])), UUID(str(page.after["id"])))
    rows = await reading.list_tickets(
        ctx,
        actor,
        unit_id=unit_id,
        statuses=status_ or [],
        category=category,
        overdue=overdue,
        after=after,
        limit=page.fetch_limit,
    )
    return page.page(
        [views.ticket(t) for t in rows],
        lambda t: {"at": t.created_at.isoformat(), "id": str(t.id)},
    )


@router.post("/v1/tickets/{ticket_id}/actions", dependencies=[Idempotent])
async def take_step(
    ticket_id: UUID, body: schemas.StepWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.TicketRead:
    """One step of the lifecycle (acknowledge, start, resolve, confirm, reopen, rate, transfer,
    escalate, …): refused with 403 for the wrong person, 409 from the wrong state."""
    step = transitions.StepRequest(**body.model_dump())
    return views.ticket(await transitions.take_step(ctx, actor, ticket_id, step))
