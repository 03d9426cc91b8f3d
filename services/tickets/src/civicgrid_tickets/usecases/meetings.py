"""Joint meetings (联席会议): staff of a community, street, district or the city put stalled
tickets before the departments, who commit to an action and a deadline on each. A commitment
that runs late is flagged by the sweep, announced and counted against its department."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from google.protobuf import timestamp_pb2

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from civicgrid_tickets.db.map_repo import MapRepository
from civicgrid_tickets.db.meetings_repo import (
    AgendaItem,
    CommitmentRecord,
    MeetingRecord,
    MeetingsRepository,
)
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.levels import LEVELS
from civicgrid_tickets.domain.records import HistoryEntry
from civicgrid_tickets.events.outgoing import ticket_event
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.reading import is_staff

MEETING_LEVELS = LEVELS[1:]  # a grid settles its own matters; meetings start at the community


@dataclass(frozen=True, slots=True)
class MeetingInput:
    level: str
    unit_id: UUID | None
    title: str
    held_at: datetime
    department_ids: list[UUID]
    unit_ids: list[UUID]


@dataclass(frozen=True, slots=True)
class CommitmentInput:
    ticket_id: UUID
    department_id: UUID
    responsible: str
    action: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class MeetingView:
    meeting: MeetingRecord
    agenda: list[AgendaItem]
    commitments: list[CommitmentRecord]


def _require_staff(actor: Principal) -> None:
    if not is_staff(actor):
        raise Forbidden("joint meetings are run by staff")


def _stamp(at: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(at)
    return stamp


async def schedule_meeting(
    ctx: TicketsContext, actor: Principal, data: MeetingInput
) -> MeetingView:
    _require_staff(actor)
    if data.level not in MEETING_LEVELS:
        raise InvalidInput(f"one of {', '.join(MEETING_LEVELS)}", field="level")
    if (data.level == "city") != (data.unit_id is None):
        raise InvalidInput("a unit for every level but the city", field="unit_id")
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        map_repo = MapRepository(uow.session, tenant_id)
        if data.unit_id is not None:
            unit = (await map_repo.units([data.unit_id])).get(data.unit_id)
            if unit is None or unit.kind != data.level:
                raise InvalidInput(f"a {data.level} of this district", field="unit_id")
        meeting = MeetingRecord(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            level=data.level,
            unit_id=data.unit_id,
            title=data.title,
            held_at=data.held_at,
            department_ids=data.department_ids,
            unit_ids=data.unit_ids,
            minutes="",
            created_by=actor.subject,
            created_at=ctx.clock(),
        )
        repo = MeetingsRepository(uow.session, tenant_id)
        await repo.insert(meeting)
        # The agenda proposes itself: what climbed above its grid or ran late under this unit.
        proposed = await repo.agenda_candidates(data.unit_id, ctx.clock())
        agenda = [AgendaItem(ticket_id, reason, "system") for ticket_id, reason in proposed]
        await repo.add_items(meeting.id, agenda)
        message = events_pb2.MeetingScheduled(
            meeting_id=str(meeting.id),
            level=meeting.level,
            unit_id=str(meeting.unit_id or ""),
            held_at=_stamp(meeting.held_at),
            ticket_ids=[str(i.ticket_id) for i in agenda],
            department_ids=[str(d) for d in meeting.department_ids],
        )
        uow.add_event(ticket_event(tenant_id, meeting.id, message))
        await uow.commit()
    return MeetingView(meeting, agenda, [])


async def get_meeting(ctx: TicketsContext, actor: Principal, meeting_id: UUID) -> MeetingView:
    _require_staff(actor)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = MeetingsRepository(uow.session, actor.tenant_uuid)
        meeting = await repo.get(meeting_id)
        if meeting is None:
            raise NotFound("no such meeting", field="meeting_id")
        return MeetingView(
            meeting, await repo.items(meeting_id), await repo.commitments_of(meeting_id)
        )


async def change_agenda(
    ctx: TicketsContext, actor: Principal, meeting_id: UUID, ticket_id: UUID, *, add: bool
) -> MeetingView:
    _require_staff(actor)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = MeetingsRepository(uow.session, tenant_id)
        if await repo.get(meeting_id) is None:
            raise NotFound("no such meeting", field="meeting_id")
        if add:
            if await TicketsRepository(uow.session, tenant_id).get(ticket_id) is None:
                raise InvalidInput("no such ticket", field="ticket_id")
            await repo.add_items(meeting_id, [AgendaItem(ticket_id, "added", actor.subject)])
        elif not await repo.remove_item(meeting_id, ticket_id):
            raise NotFound("the ticket is not on the agenda", field="ticket_id")
        await uow.commit()
    return await get_meeting(ctx, actor, meeting_id)


async def record_minutes(
    ctx: TicketsContext, actor: Principal, meeting_id: UUID, minutes: str
) -> MeetingView:
    _require_staff(actor)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = MeetingsRepository(uow.session, actor.tenant_uuid)
        if await repo.get(meeting_id) is None:
            raise NotFound("no such meeting", field="meeting_id")
        await repo.set_minutes(meeting_id, minutes)
        await uow.commit()
    return await get_meeting(ctx, actor, meeting_id)


async def make_commitment(
    ctx: TicketsContext, actor: Principal, meeting_id: UUID, data: CommitmentInput
) -> CommitmentRecord:
    _require_staff(actor)
    tenant_id = actor.tenant_uuid
    now = ctx.clock()
    if data.due_at <= now:
        raise InvalidInput("a deadline in the future", field="due_at")
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = MeetingsRepository(uow.session, tenant_id)
        meeting = await repo.get(meeting_id)
        if meeting is None:
            raise NotFound("no such meeting", field="meeting_id")
        if data.ticket_id not in {i.ticket_id for i in await repo.items(meeting_id)}:
            raise InvalidInput("a ticket on this meeting's agenda", field="ticket_id")
        if data.department_id not in meeting.department_ids:
            raise InvalidInput("a department attending this meeting", field="department_id")
        commitment = CommitmentRecord(
            id=uuid.uuid4(),
            tenant_id=tenant_id,
            meeting_id=meeting_id,
            ticket_id=data.ticket_id,
            department_id=data.department_id,
            responsible=data.responsible,
            action=data.action,
            due_at=data.due_at,
            done_at=None,
            overdue_at=None,
            created_at=now,
        )
        await repo.add_commitment(commitment)
        await TicketsRepository(uow.session, tenant_id).record(
            data.ticket_id,
            HistoryEntry(
                now,
                actor.subject,
                "commitment",
                None,
                None,
                data.action,
                {
                    "meeting_id": str(meeting_id),
                    "department_id": str(data.department_id),
                    "responsible": data.responsible,
                    "due_at": data.due_at.isoformat(),
                },
            ),
        )
        uow.add_event(ticket_event(tenant_id, data.ticket_id, commitment_message(commitment)))
        await uow.commit()
    return commitment


async def complete_commitment(
    ctx: TicketsContext, actor: Principal, commitment_id: UUID
) -> CommitmentRecord:
    _require_staff(actor)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = MeetingsRepository(uow.session, tenant_id)
        found = await repo.commitment(commitment_id)
        if found is None:
            raise NotFound("no such commitment", field="commitment_id")
        if found.done_at is not None:
            raise Conflict("the commitment is already done")
        await repo.complete(commitment_id, ctx.clock())
        done = await repo.commitment(commitment_id)
        await uow.commit()
    assert done is not None
    return done


def commitment_message(c: CommitmentRecord) -> events_pb2.CommitmentMade:
    return events_pb2.CommitmentMade(**commitment_fields(c))


def commitment_fields(c: CommitmentRecord) -> dict[str, Any]:
    """What was promised, by whom, by when: the payload of commitment.made and .overdue."""
    return dict(
        commitment_id=str(c.id),
        meeting_id=str(c.meeting_id),
        ticket_id=str(c.ticket_id),
        department_id=str(c.department_id),
        responsible=c.responsible,
        action=c.action,
        due_at=_stamp(c.due_at),
    )
