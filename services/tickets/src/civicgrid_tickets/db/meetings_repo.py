"""Joint meetings, their agendas and commitments, always within one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_tickets.db.tables import commitments, meeting_items, meetings, sla_timers, tickets
from civicgrid_tickets.domain.sla_state import COMMITMENT_CLOCK

_OPEN = ("submitted", "acknowledged", "in_progress", "waiting_on_resident", "on_hold", "reopened")


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    id: UUID
    tenant_id: UUID
    level: str
    unit_id: UUID | None
    title: str
    held_at: datetime
    department_ids: list[UUID]
    unit_ids: list[UUID]
    minutes: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AgendaItem:
    ticket_id: UUID
    reason: str
    added_by: str


@dataclass(frozen=True, slots=True)
class CommitmentRecord:
    id: UUID
    tenant_id: UUID
    meeting_id: UUID
    ticket_id: UUID
    department_id: UUID
    responsible: str
    action: str
    due_at: datetime
    done_at: datetime | None
    overdue_at: datetime | None
    created_at: datetime


class MeetingsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def insert(self, meeting: MeetingRecord) -> None:
        await self.session.execute(insert(meetings).values(**asdict(meeting)))

    async def get(self, meeting_id: UUID) -> MeetingRecord | None:
        query = select(*meetings.c).where(
            meetings.c.tenant_id == self.tenant_id, meetings.c.id == meeting_id
        )
        row = (await self.session.execute(query)).first()
        return MeetingRecord(*row) if row else None

    async def set_minutes(self, meeting_id: UUID, minutes: str) -> None:
        await self.session.execute(
            update(meetings)
            .where(meetings.c.tenant_id == self.tenant_id, meetings.c.id == meeting_id)
            .values(minutes=minutes)
        )

    async def agenda_candidates(
        self, unit_id: UUID | None, now: datetime, limit: int = 200
    ) -> list[tuple[UUID, str]]:
        """Open tickets at or below the unit that climbed above their grid or are overdue."""
        t = tickets.c
        overdue = or_(
            and_(t.acknowledged_at.is_(None), t.acknowledge_due_at < now), t.resolve_due_at < now
        )
        query = select(t.id, t.level, overdue.label("overdue")).where(
            t.tenant_id == self.tenant_id,
            t.status.in_(_OPEN),
            or_(t.level != "grid", overdue),
        )
        if unit_id is not None:
            query = query.where(or_(t.grid_id == unit_id, t.ancestor_ids.contains([unit_id])))
        rows = await self.session.execute(query.order_by(t.created_at).limit(limit))
        return [(r.id, "escalated" if r.level != "grid" else "overdue") for r in rows]

    async def add_items(self, meeting_id: UUID, items: Sequence[AgendaItem]) -> None:
        for item in items:
            statement = pg_insert(meeting_items).values(
                meeting_id=meeting_id, tenant_id=self.tenant_id, **asdict(item)
            )
            await self.session.execute(statement.on_conflict_do_nothing())

    async def remove_item(self, meeting_id: UUID, ticket_id: UUID) -> bool:
        done = await self.session.execute(
            meeting_items.delete().where(
                meeting_items.c.tenant_id == self.tenant_id,
                meeting_items.c.meeting_id == meeting_id,
                meeting_items.c.ticket_id == ticket_id,
            )
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def items(self, meeting_id: UUID) -> list[AgendaItem]:
        m = meeting_items.c
        query = select(m.ticket_id, m.reason, m.added_by).where(
            m.tenant_id == self.tenant_id, m.meeting_id == meeting_id
        )
        return [AgendaItem(*r) for r in await self.session.execute(query.order_by(m.ticket_id))]

    async def add_commitment(self, commitment: CommitmentRecord) -> None:
        await self.session.execute(insert(commitments).values(**asdict(commitment)))
        await self.session.execute(
            insert(sla_timers).values(
                tenant_id=self.tenant_id,
                ticket_id=commitment.ticket_id,
                clock=COMMITMENT_CLOCK,
                kind="overdue",
                due_at=commitment.due_at,
                commitment_id=commitment.id,
            )
        )

    async def commitments_of(self, meeting_id: UUID) -> list[CommitmentRecord]:
        query = select(*commitments.c).where(
            commitments.c.tenant_id == self.tenant_id, commitments.c.meeting_id == meeting_id
        )
        rows = await self.session.execute(query.order_by(commitments.c.created_at))
        return [CommitmentRecord(*r) for r in rows]

    async def commitment(self, commitment_id: UUID) -> CommitmentRecord | None:
        query = select(*commitments.c).where(
            commitments.c.tenant_id == self.tenant_id, commitments.c.id == commitment_id
        )
        row = (await self.session.execute(query.with_for_update())).first()
        return CommitmentRecord(*row) if row else None

    async def complete(self, commitment_id: UUID, at: datetime) -> None:
        await self.session.execute(
            update(commitments)
            .where(commitments.c.tenant_id == self.tenant_id, commitments.c.id == commitment_id)
            .values(done_at=at)
        )
        await self.session.execute(
            sla_timers.delete().where(sla_timers.c.commitment_id == commitment_id)
        )

    async def flag_overdue(self, commitment_id: UUID, at: datetime) -> CommitmentRecord | None:
        """Marks an open commitment overdue; None if it was done (or flagged) meanwhile."""
        c = commitments.c
        done = await self.session.execute(
            update(commitments)
            .where(
                c.tenant_id == self.tenant_id,
                c.id == commitment_id,
                c.done_at.is_(None),
                c.overdue_at.is_(None),
            )
            .values(overdue_at=at)
            .returning(*commitments.c)
        )
        row = done.first()
        return CommitmentRecord(*row) if row else None
