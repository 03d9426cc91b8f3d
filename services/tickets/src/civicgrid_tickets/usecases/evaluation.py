"""The monthly evaluation: when a month is over, a tenant admin closes it; every unit's counts
are rolled up in one SQL pass, scored and ranked among siblings by the tenant's formula, stored
as that month's snapshot and announced. The district's headline joins the city-level view."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Conflict, Forbidden, InvalidInput, NotFound
from civicgrid_tickets.db.evaluation_repo import EvaluationRepository, city_view
from civicgrid_tickets.db.jurisdictions_repo import all_jurisdictions
from civicgrid_tickets.db.map_repo import MapRepository
from civicgrid_tickets.domain.evaluation import (
    FIGURE_NAMES,
    UnitCounts,
    UnitEvaluation,
    evaluate,
    to_csv,
)
from civicgrid_tickets.events.outgoing import ticket_event
from civicgrid_tickets.usecases.context import TicketsContext, require_admin

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True)
class Closing:
    month: str
    formula_version: int
    units: int


def month_bounds(month: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """The month in the district's own time zone, its calendar's (a report at 23:30 on the 31st
    counts in that month there)."""
    found = _MONTH.match(month)
    if not found:
        raise InvalidInput("a month as YYYY-MM", field="month")
    year, number = int(found.group(1)), int(found.group(2))
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return start, end


def _figures(e: UnitEvaluation) -> dict[str, float | None]:
    return {
        name: (float(value) if (value := e.figures.value(name)) is not None else None)
        for name in FIGURE_NAMES
    }


async def close_month(ctx: TicketsContext, actor: Principal, month: str) -> Closing:
    require_admin(actor, "closes a month")
    return await close_district_month(ctx, actor.tenant_uuid, month, actor.subject)


async def close_district_month(
    ctx: TicketsContext, tenant_id: UUID, month: str, closed_by: str
) -> Closing:
    month_bounds(month, UTC)  # a bad month is refused before anything is read
    now = ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        # The rules in force as the month closes, read afresh rather than from the cache: a
        # closing is final, so it must not miss a formula just published on another replica.
        rules = await ctx.rules.current(uow.session, tenant_id, refresh=True)
        start, end = month_bounds(month, rules.calendar.zone)
        if end > now:
            raise Conflict(f"{month} is not over yet")
        repo = EvaluationRepository(uow.session, tenant_id)
        if await repo.closing(month) is not None:
            raise Conflict(f"{month} is already closed; its snapshot stands")
        formula = rules.formula
        counts = await repo.counts(start, end)
        results = evaluate([UnitCounts(**c) for c in counts], formula)
        by_unit = {c["unit_id"]: c for c in counts}
        rows = [
            (
                UUID(e.unit_id),
                UUID(e.parent_id) if e.parent_id else None,
                e.level.value,
                e.received,
                float(e.score) if e.score is not None else None,
                e.rank,
                e.unranked_reason,
                _figures(e),
                by_unit[e.unit_id],
            )
            for e in results
        ]
        await repo.store(month, formula.version, rows, now, closed_by)
        for e in results:
            if e.level.value == "district":
                score = float(e.score) if e.score is not None else None
                await repo.publish_district(month, UUID(e.unit_id), e.received, score, _figures(e))
        message = events_pb2.EvaluationPublished(
            month=month,
            formula_version=formula.version,
            units=len(rows),
            snapshot_id=f"{tenant_id}/{month}",
        )
        uow.add_event(ticket_event(tenant_id, f"{tenant_id}/{month}", message))
        await uow.commit()
    return Closing(month, formula.version, len(rows))


async def stored_evaluation(
    ctx: TicketsContext, actor: Principal, month: str
) -> list[dict[str, Any]]:
    month_bounds(month, UTC)  # only checks the month
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        rows = await EvaluationRepository(uow.session, actor.tenant_uuid).stored(month)
    if not rows:
        raise NotFound(f"{month} has not been closed", field="month")
    return rows


async def evaluation_csv(ctx: TicketsContext, actor: Principal, month: str) -> str:
    """The published table, rebuilt from the stored counts by the formula version they used."""
    rows = await stored_evaluation(ctx, actor, month)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        formula = await ctx.rules.formula(uow.session, tenant_id, rows[0]["formula_version"])
        results = evaluate([UnitCounts(**r["counts"]) for r in rows], formula)
        units = await MapRepository(uow.session, tenant_id).units(
            [UUID(e.unit_id) for e in results]
        )
    return to_csv(results, month, {str(k): u.name for k, u in units.items()})


async def districts_of_the_city(
    ctx: TicketsContext, actor: Principal, month: str
) -> list[dict[str, Any]]:
    if not actor.is_platform_admin:
        raise Forbidden("the city-level view is for platform admins")
    month_bounds(month, UTC)  # only checks the month
    async with ctx.uow(tenant_id=None) as uow:
        return await city_view(uow.session, month)


def previous_month(ctx: TicketsContext, now: datetime) -> str:
    """Last month by the built-in calendar's clock. A district whose own zone is behind hears
    "not over yet" until its month ends, and the timers component asks again later."""
    local = now.astimezone(ctx.sla.calendar.zone)
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{month:02d}"


async def close_last_month_everywhere(ctx: TicketsContext) -> list[str]:
    """What the timers component does once a month is over: close it for every district that
    has not closed it by hand. Returns the districts (slugs) closed now."""
    month = previous_month(ctx, ctx.clock())
    async with ctx.uow(tenant_id=None) as uow:
        districts = await all_jurisdictions(uow.session)
    closed = []
    for slug, tenant_id in districts:
        async with ctx.uow(tenant_id=tenant_id) as uow:
            done = await EvaluationRepository(uow.session, tenant_id).closing(month)
        if done is None:
            try:
                await close_district_month(ctx, tenant_id, month, "system")
            except (Conflict, IntegrityError):
                continue  # closed meanwhile, by hand or by another replica
            closed.append(slug)
    return closed
