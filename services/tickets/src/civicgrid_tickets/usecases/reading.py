"""Reading tickets: staff see their district's, a resident sees the ones they reported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import NotFound
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.usecases.context import ADMIN_ROLES, STAFF_ROLES, TicketsContext

# Services (client credentials) that read or file tickets for their own channels.
READ_SCOPE = "tickets:read"
CREATE_SCOPE = "tickets:create"


def is_staff(actor: Principal) -> bool:
    return actor.has_role(*STAFF_ROLES, *ADMIN_ROLES) or actor.has_scope(READ_SCOPE)


def _visible(actor: Principal, ticket: TicketRecord) -> bool:
    return is_staff(actor) or str(ticket.reporter_person_id) == actor.subject


async def get_ticket(
    ctx: TicketsContext, actor: Principal, ticket_id: UUID
) -> tuple[TicketRecord, list[HistoryEntry]]:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = TicketsRepository(uow.session, tenant_id)
        found = await repo.get(ticket_id)
        # Someone else's ticket is as absent as one of another district: no existence leak.
        if found is None or not _visible(actor, found):
            raise NotFound("no such ticket", field="ticket_id")
        return found, await repo.history(ticket_id)


async def list_tickets(
    ctx: TicketsContext,
    actor: Principal,
    *,
    unit_id: UUID | None,
    statuses: Sequence[str],
    category: str | None,
    overdue: bool,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[TicketRecord]:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        rows = await TicketsRepository(uow.session, tenant_id).page(
            unit_id=unit_id,
            statuses=statuses,
            category=category,
            overdue_at=ctx.clock() if overdue else None,
            reporter=None if is_staff(actor) else _person(actor),
            after=after,
            limit=limit,
        )
    return rows


def _person(actor: Principal) -> UUID:
    try:
        return UUID(actor.subject)
    except ValueError:
        raise NotFound("no tickets of yours", field="subject") from None
