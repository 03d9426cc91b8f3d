"""Open311 GeoReport v2 on top of intake and reading: the district's categories are its
services, a POSTed request is a ticket from the open311 channel, and requests read back with
status open or closed. Residents' contacts never leave the service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from civicgrid_platform.errors import InvalidInput, NotFound
from civicgrid_tickets.db.categories_repo import CategoriesRepository
from civicgrid_tickets.db.jurisdictions_repo import tenant_of
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.categories import Category
from civicgrid_tickets.domain.records import TicketRecord
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.usecases import intake
from civicgrid_tickets.usecases.context import TicketsContext

CLOSED = frozenset({"resolved", "closed", "rejected", "merged"})


@dataclass(frozen=True, slots=True)
class Report:
    """An Open311 POST as intake needs it (the wire parsing is the edge's)."""

    service_code: str
    description: str
    lat: float | None
    lon: float | None
    address: str | None
    attributes: Mapping[str, Any]
    email: str | None
    phone: str | None
    name: str | None


async def district(ctx: TicketsContext, jurisdiction_id: str | None) -> UUID:
    if not jurisdiction_id:
        raise InvalidInput("required: the district's slug", field="jurisdiction_id")
    async with ctx.uow(tenant_id=None) as uow:
        found = await tenant_of(uow.session, jurisdiction_id)
    if found is None:
        raise NotFound(f"no district {jurisdiction_id}", field="jurisdiction_id")
    return found


async def services(ctx: TicketsContext, tenant_id: UUID) -> list[Category]:
    async with ctx.uow(tenant_id=tenant_id) as uow:
        found = await ctx.catalogues.of(CategoriesRepository(uow.session, tenant_id))
        await uow.commit()
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


async def submit(
    ctx: TicketsContext, tenant_id: UUID, client_id: str, report: Report, *, token: str | None
) -> TicketRecord:
    contact = {k: v for k, v in (("email", report.email), ("phone", report.phone)) if v}
    if report.name:
        contact["name"] = report.name
    submission = Submission(
        channel="open311",
        category=report.service_code,
        description=report.description,
        lat=report.lat,
        lon=report.lon,
        address=report.address,
        attributes={code: _plain(v) for code, v in report.attributes.items()},
        contact=contact or None,
    )
    done = await intake.create_ticket(ctx, tenant_id, client_id, submission, token=token)
    return done.ticket


async def requests(
    ctx: TicketsContext,
    tenant_id: UUID,
    *,
    ids: Sequence[str],
    codes: Sequence[str],
    statuses: Sequence[str],
    start: datetime | None,
    end: datetime | None,
    limit: int,
) -> list[TicketRecord]:
    async with ctx.uow(tenant_id=tenant_id) as uow:
        return await TicketsRepository(uow.session, tenant_id).matching(
            ids=ids,
            categories=codes,
            closed=None if set(statuses) in ({"open", "closed"}, set()) else "closed" in statuses,
            closed_statuses=CLOSED,
            start=start,
            end=end,
            limit=limit,
        )
