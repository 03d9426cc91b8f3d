"""Tickets and their history, always within one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, insert, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_tickets.db.tables import sla_timers, ticket_history, tickets
from civicgrid_tickets.domain.duplicates import Candidate
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.domain.sla_state import Timer

_COLUMNS = [tickets.c[f.name] for f in fields(TicketRecord)]

# Takes the tenant's next number for the year in one statement (the row lock serialises takers).
_NEXT_NUMBER = text(
    "INSERT INTO ticket_numbers (tenant_id, year, last) VALUES (:tenant, :year, 1)"
    " ON CONFLICT (tenant_id, year) DO UPDATE SET last = ticket_numbers.last + 1"
    " RETURNING last"
)


class TicketsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def next_number(self, year: int) -> str:
        last = await self.session.scalar(_NEXT_NUMBER, {"tenant": self.tenant_id, "year": year})
        return f"{year}-{int(last or 0):06d}"

    async def insert(self, record: TicketRecord) -> None:
        await self.session.execute(insert(tickets).values(**asdict(record)))

    async def record(self, ticket_id: UUID, entry: HistoryEntry) -> None:
        await self.session.execute(
            insert(ticket_history).values(
                tenant_id=self.tenant_id, ticket_id=ticket_id, **asdict(entry)
            )
        )

    async def get(self, ticket_id: UUID, *, for_update: bool = False) -> TicketRecord | None:
        query = select(*_COLUMNS).where(
            tickets.c.tenant_id == self.tenant_id, tickets.c.id == ticket_id
        )
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return TicketRecord(*row) if row else None

    async def get_many(self, ticket_ids: Sequence[UUID]) -> dict[UUID, TicketRecord]:
        if not ticket_ids:
            return {}
        query = select(*_COLUMNS).where(
            tickets.c.tenant_id == self.tenant_id, tickets.c.id.in_(list(set(ticket_ids)))
        )
        return {r.id: TicketRecord(*r) for r in await self.session.execute(query)}

    async def by_idempotency_key(self, key: str) -> TicketRecord | None:
        query = select(*_COLUMNS).where(
            tickets.c.tenant_id == self.tenant_id, tickets.c.idempotency_key == key
        )
        row = (await self.session.execute(query)).first()
        return TicketRecord(*row) if row else None

    async def history(self, ticket_id: UUID) -> list[HistoryEntry]:
        h = ticket_history.c
        query = (
            select(h.at, h.actor_id, h.action, h.from_status, h.to_status, h.note, h.details)
            .where(h.tenant_id == self.tenant_id, h.ticket_id == ticket_id)
            .order_by(h.id)
        )
        return [HistoryEntry(*r) for r in await self.session.execute(query)]

    async def recent_nearby(
        self,
        category: str,
        since: datetime,
        lat: float,
        lon: float,
        dlat: float,
        dlon: float,
    ) -> list[Candidate]:
        """Open tickets of the category reported since `since` in a box around the point."""
        t = tickets.c
        query = select(t.id, t.number, t.lat, t.lon, t.description).where(
            t.tenant_id == self.tenant_id,
            t.category == category,
            t.created_at >= since,
            t.status.not_in(("closed", "rejected", "merged")),
            t.lat.between(lat - dlat, lat + dlat),
            t.lon.between(lon - dlon, lon + dlon),
        )
        rows = await self.session.execute(query.order_by(t.created_at.desc()).limit(200))
        return [Candidate(str(r.id), r.number, r.lat, r.lon, r.description) for r in rows]

    async def page(
        self,
        *,
        unit_id: UUID | None,
        statuses: Sequence[str],
        category: str | None,
        overdue_at: datetime | None,
        reporter: UUID | None,
        after: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[TicketRecord]:
        """Newest first; unit_id limits to tickets placed at or below that unit, reporter to
        the tickets one person reported."""
        t = tickets.c
        query = select(*_COLUMNS).where(t.tenant_id == self.tenant_id)
        if reporter is not None:
            query = query.where(t.reporter_person_id == reporter)
        if unit_id is not None:
            query = query.where(or_(t.grid_id == unit_id, t.ancestor_ids.contains([unit_id])))
        if statuses:
            query = query.where(t.status.in_(list(statuses)))
        if category:
            query = query.where(t.category == category)
        if overdue_at is not None:
            query = query.where(
                t.status.not_in(("resolved", "closed", "rejected", "merged")),
                or_(
                    and_(t.acknowledged_at.is_(None), t.acknowledge_due_at < overdue_at),
                    t.resolve_due_at < overdue_at,
                ),
            )
        if after is not None:
            query = query.where(func.row(t.created_at, t.id) < func.row(*after))
        rows = await self.session.execute(
            query.order_by(t.created_at.desc(), t.id.desc()).limit(limit)
        )
        return [TicketRecord(*r) for r in rows]

    async def update(self, ticket_id: UUID, **values: Any) -> None:
        await self.session.execute(
            tickets.update()
            .where(tickets.c.tenant_id == self.tenant_id, tickets.c.id == ticket_id)
            .values(**values)
        )

    async def schedule(self, ticket_id: UUID, timers: Sequence[Timer]) -> None:
        """Replace the ticket's SLA timers with these (its clocks changed)."""
        await self.session.execute(sla_timers.delete().where(sla_timers.c.ticket_id == ticket_id))
        if timers:
            await self.session.execute(
                insert(sla_timers),
                [
                    {
                        "tenant_id": self.tenant_id,
                        "ticket_id": ticket_id,
                        "clock": t.clock,
                        "kind": t.kind,
                        "due_at": t.due_at,
                    }
                    for t in timers
                ],
            )
