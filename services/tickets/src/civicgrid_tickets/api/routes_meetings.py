"""Joint meetings over HTTP: schedule (the agenda proposes itself), adjust the agenda, record
commitments and minutes, mark commitments done."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

from fastapi import APIRouter, status

from civicgrid_platform.errors import InvalidInput
from civicgrid_platform.http import CurrentPrincipal, Idempotent
from civicgrid_tickets.api import schemas
from civicgrid_tickets.api.deps import Ctx
from civicgrid_tickets.db.meetings_repo import CommitmentRecord
from civicgrid_tickets.usecases import meetings

router = APIRouter(tags=["meetings"])


def _meeting(view: meetings.MeetingView) -> schemas.MeetingRead:
    m = view.meeting
    return schemas.MeetingRead(
        id=m.id,
        level=m.level,
        unit_id=m.unit_id,
        title=m.title,
        held_at=m.held_at,
        department_ids=m.department_ids,
        unit_ids=m.unit_ids,
        minutes=m.minutes,
        agenda=[schemas.AgendaItemRead(**asdict(i)) for i in view.agenda],
        commitments=[_commitment(c) for c in view.commitments],
    )


def _commitment(c: CommitmentRecord) -> schemas.CommitmentRead:
    fields = asdict(c)
    del fields["tenant_id"], fields["created_at"]
    return schemas.CommitmentRead(**fields)


def _aware(value: object, field: str) -> None:
    if getattr(value, "tzinfo", None) is None:
        raise InvalidInput("a date and time with its zone", field=field)


@router.post("/v1/meetings", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def schedule_meeting(
    body: schemas.MeetingWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.MeetingRead:
    _aware(body.held_at, "held_at")
    data = meetings.MeetingInput(**body.model_dump())
    return _meeting(await meetings.schedule_meeting(ctx, actor, data))


@router.get("/v1/meetings/{meeting_id}")
async def get_meeting(meeting_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.MeetingRead:
    return _meeting(await meetings.get_meeting(ctx, actor, meeting_id))


@router.post("/v1/meetings/{meeting_id}/agenda")
async def add_to_agenda(
    meeting_id: UUID, body: schemas.AgendaWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.MeetingRead:
    view = await meetings.change_agenda(ctx, actor, meeting_id, body.ticket_id, add=True)
    return _meeting(view)


@router.delete("/v1/meetings/{meeting_id}/agenda/{ticket_id}")
async def remove_from_agenda(
    meeting_id: UUID, ticket_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.MeetingRead:
    view = await meetings.change_agenda(ctx, actor, meeting_id, ticket_id, add=False)
    return _meeting(view)


@router.put("/v1/meetings/{meeting_id}/minutes")
async def record_minutes(
    meeting_id: UUID, body: schemas.MinutesWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.MeetingRead:
    return _meeting(await meetings.record_minutes(ctx, actor, meeting_id, body.minutes))


@router.post(
    "/v1/meetings/{meeting_id}/commitments",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Idempotent],
)
async def make_commitment(
    meeting_id: UUID, body: schemas.CommitmentWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.CommitmentRead:
    _aware(body.due_at, "due_at")
    data = meetings.CommitmentInput(**body.model_dump())
    return _commitment(await meetings.make_commitment(ctx, actor, meeting_id, data))


@router.post("/v1/commitments/{commitment_id}/done")
async def complete_commitment(
    commitment_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.CommitmentRead:
    return _commitment(await meetings.complete_commitment(ctx, actor, commitment_id))
