"""Tickets and their history, always within one tenant."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, any_, bindparam, func, insert, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_platform.db.bulk import copy_rows, update_rows
from civicgrid_platform.db.driver import driver_connection
from civicgrid_tickets.db.tables import sla_timers, ticket_history, ticket_photos, tickets
from civicgrid_tickets.domain.records import HistoryEntry, PhotoRecord, SlaView, TicketRecord
from civicgrid_tickets.domain.sla_state import COMMITMENT_CLOCK, Timer

_COLUMNS = [tickets.c[f.name] for f in fields(TicketRecord)]

_SLA_VIEW = (
    "SELECT id, tenant_id, status, level, category, priority, grid_id, ancestor_ids,"
    " highest_level, sla_policy_version"
    " FROM tickets WHERE tenant_id = $1 AND id = ANY($2::uuid[])"
)
_HISTORY_COLUMNS = (
    "tenant_id",
    "ticket_id",
    "at",
    "actor_id",
    "action",
    "from_status",
    "to_status",
    "note",
    "details",
)


def _history_row(e: HistoryEntry) -> tuple[Any, ...]:
    return (e.at, e.actor_id, e.action, e.from_status, e.to_status, e.note, json.dumps(e.details))


def _uuids(ids: Sequence[UUID]) -> Any:
    """One array parameter for = ANY($1), not one parameter per id."""
    return bindparam(None, list(ids), type_=ARRAY(PG_UUID(as_uuid=True)), unique=True)


class TicketsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

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

    async def sla_view(self, ticket_ids: Sequence[UUID]) -> dict[UUID, SlaView]:
        """What the SLA sweep needs of each ticket, and nothing more (it reads thousands at a
        time, straight from the driver)."""
        if not ticket_ids:
            return {}
        connection = await driver_connection(self.session)
        rows = await connection.fetch(_SLA_VIEW, self.tenant_id, list(set(ticket_ids)))
        return {r[0]: SlaView(*r) for r in rows}

    async def by_idempotency_keys(self, keys: Sequence[str]) -> dict[str, TicketRecord]:
        """The tickets earlier submissions with these keys made."""
        if not keys:
            return {}
        query = select(*_COLUMNS).where(
            tickets.c.tenant_id == self.tenant_id, tickets.c.idempotency_key.in_(list(keys))
        )
        found = [TicketRecord(*r) for r in await self.session.execute(query)]
        return {r.idempotency_key: r for r in found if r.idempotency_key}

    async def history(self, ticket_id: UUID) -> list[HistoryEntry]:
        h = ticket_history.c
        query = (
            select(h.at, h.actor_id, h.action, h.from_status, h.to_status, h.note, h.details)
            .where(h.tenant_id == self.tenant_id, h.ticket_id == ticket_id)
            .order_by(h.id)
        )
        return [HistoryEntry(*r) for r in await self.session.execute(query)]

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

    async def matching(
        self,
        *,
        ids: Sequence[str],
        categories: Sequence[str],
        closed: bool | None,
        closed_statuses: frozenset[str],
        start: datetime | None,
        end: datetime | None,
        limit: int,
    ) -> list[TicketRecord]:
        """Open311's filters: ids alone, or categories, open/closed and a time window."""
        t = tickets.c
        query = select(*_COLUMNS).where(t.tenant_id == self.tenant_id)
        if ids:
            wanted = []
            for value in ids:
                try:
                    wanted.append(UUID(value))
                except ValueError:
                    continue  # an id this server never issued matches nothing
            query = query.where(t.id.in_(wanted))
        else:
            if categories:
                query = query.where(t.category.in_(list(categories)))
            if start is not None:
                query = query.where(t.created_at >= start)
            if end is not None:
                query = query.where(t.created_at <= end)
            if closed is not None:
                is_closed = t.status.in_(list(closed_statuses))
                query = query.where(is_closed if closed else ~is_closed)
        rows = await self.session.execute(query.order_by(t.created_at.desc()).limit(limit))
        return [TicketRecord(*r) for r in rows]

    async def merged_into(self, ticket_id: UUID) -> list[TicketRecord]:
        """The duplicates that follow this ticket."""
        query = select(*_COLUMNS).where(
            tickets.c.tenant_id == self.tenant_id, tickets.c.merged_into == ticket_id
        )
        return [TicketRecord(*r) for r in await self.session.execute(query)]

    async def photos(self, ticket_id: UUID) -> list[PhotoRecord]:
        p = ticket_photos.c
        query = (
            select(p.n, p.blob_key, p.media_type, p.size, p.sha256, p.uploaded_by, p.uploaded_at)
            .where(p.tenant_id == self.tenant_id, p.ticket_id == ticket_id)
            .order_by(p.n)
        )
        return [PhotoRecord(*r) for r in await self.session.execute(query)]

    async def add_photo(self, ticket_id: UUID, photo: PhotoRecord) -> None:
        await self.session.execute(
            insert(ticket_photos).values(
                tenant_id=self.tenant_id, ticket_id=ticket_id, **asdict(photo)
            )
        )

    async def update(self, ticket_id: UUID, **values: Any) -> None:
        await self.session.execute(
            tickets.update()
            .where(tickets.c.tenant_id == self.tenant_id, tickets.c.id == ticket_id)
            .values(**values)
        )

    async def schedule(self, ticket_id: UUID, timers: Sequence[Timer]) -> None:
        """Replace the ticket's SLA timers with these (its clocks changed)."""
        await self.schedule_many({ticket_id: timers})

    async def schedule_many(self, timers: Mapping[UUID, Sequence[Timer]]) -> None:
        """Replace each ticket's SLA timers: one delete, one COPY, however many tickets."""
        if not timers:
            return
        await self.session.execute(
            sla_timers.delete().where(
                sla_timers.c.ticket_id == any_(_uuids(list(timers))),
                sla_timers.c.clock != COMMITMENT_CLOCK,  # meetings' deadlines are their own
            )
        )
        rows = [
            (self.tenant_id, ticket_id, t.clock, t.kind, t.due_at)
            for ticket_id, each in timers.items()
            for t in each
        ]
        if rows:
            await copy_rows(
                self.session,
                sla_timers,
                ("tenant_id", "ticket_id", "clock", "kind", "due_at"),
                rows,
            )

    async def record_many(self, entries: Sequence[tuple[UUID, HistoryEntry]]) -> None:
        """History lines of many tickets in one COPY (the sweep writes thousands at once)."""
        if entries:
            await copy_rows(
                self.session,
                ticket_history,
                _HISTORY_COLUMNS,
                [(self.tenant_id, ticket_id, *_history_row(e)) for ticket_id, e in entries],
            )

    async def update_many(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """rows: (ticket id, *values of columns); one COPY and one UPDATE for all of them."""
        if rows:
            await update_rows(self.session, tickets, "id", columns, rows)
