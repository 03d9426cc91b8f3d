"""HTTP routes: the hours ledger. A volunteer reads their own balance and statement; staff read
anyone's, correct hours with an audited posting, and read the community time bank."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, status

from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import InvalidInput
from civicgrid_platform.http import CurrentPrincipal, Idempotent, PageParams, PageRequest
from civicgrid_volunteers.api import schemas_hours as schemas
from civicgrid_volunteers.api.deps import Ctx
from civicgrid_volunteers.db.ledger_repo import StatementEntry
from civicgrid_volunteers.usecases import ledger
from civicgrid_volunteers.usecases.context import VolunteersContext

router = APIRouter(tags=["hours"])


@router.post(
    "/v1/hours/corrections", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent]
)
async def correct_hours(
    body: schemas.CorrectionCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.PostingRead:
    """Staff correct a volunteer's hours: a new posting that records who made it and why;
    nothing already posted is changed. 409 when it would take the balance below zero."""
    fix = ledger.Correction(
        volunteer_id=body.volunteer_id,
        minutes=body.minutes,
        note=body.note,
        worked_on=body.worked_on,
        task_id=body.task_id,
    )
    done = await ledger.correct_hours(ctx, actor, fix)
    return schemas.PostingRead(
        posting_id=done.posting_id,
        volunteer_id=done.volunteer_id,
        minutes=done.minutes,
        reason=done.reason,
        note=done.note,
        task_id=done.task_id,
        actor_id=done.actor_id,
        worked_on=done.worked_on,
        balance_minutes=done.balance,
    )


@router.get("/v1/volunteers/me/hours")
async def my_hours(ctx: Ctx, actor: CurrentPrincipal, page: PageParams) -> schemas.HoursStatement:
    """The caller's own balance and statement, newest first."""
    return await _statement(ctx, actor, None, page)


@router.get("/v1/volunteers/{volunteer_id}/hours")
async def volunteer_hours(
    volunteer_id: UUID, ctx: Ctx, actor: CurrentPrincipal, page: PageParams
) -> schemas.HoursStatement:
    """A volunteer's balance and statement, newest first: the volunteer themselves or staff."""
    return await _statement(ctx, actor, volunteer_id, page)


@router.get("/v1/timebank")
async def timebank(ctx: Ctx, actor: CurrentPrincipal) -> schemas.TimebankRead:
    """The community time bank: what the district's volunteers have been credited, for staff."""
    totals = await ledger.timebank(ctx, actor)
    return schemas.TimebankRead(
        balance_minutes=totals.balance,
        minutes_served=-totals.balance,
        volunteers=totals.volunteers,
        postings=totals.postings,
    )


async def _statement(
    ctx: VolunteersContext, actor: Principal, volunteer_id: UUID | None, page: PageRequest
) -> schemas.HoursStatement:
    found = await ledger.statement(
        ctx, actor, volunteer_id, before_entry=_before(page.after), limit=page.fetch_limit
    )
    shown = page.page(found.entries, lambda e: {"before": e.entry_id})
    return schemas.HoursStatement(
        volunteer_id=found.volunteer_id,
        balance_minutes=found.balance,
        items=[_entry(e) for e in shown.items],
        next_cursor=shown.next_cursor,
    )


def _before(after: dict[str, Any] | None) -> int | None:
    if after is None:
        return None
    before = after.get("before")
    if type(before) is not int:
        raise InvalidInput("this cursor belongs to another listing", field="cursor")
    return before


def _entry(entry: StatementEntry) -> schemas.EntryRead:
    return schemas.EntryRead(
        posting_id=entry.posting_id,
        minutes=entry.minutes,
        balance_after_minutes=entry.balance_after,
        reason=entry.reason,
        note=entry.note,
        task_id=entry.task_id,
        actor_id=entry.actor_id,
        worked_on=entry.worked_on,
        posted_at=entry.posted_at,
    )
