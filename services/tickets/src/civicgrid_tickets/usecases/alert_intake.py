"""An elderly resident's emergency alert becomes a P0 ticket in their grid, in the transaction
that records the consumed alert.raised (inbox), with the ticket's events. One ticket per alert:
the alert id is its intake key, so a replayed raising finds the first ticket."""

from __future__ import annotations

import logging
from uuid import UUID

from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_tickets.db.intake_repo import IntakeRepository
from civicgrid_tickets.db.map_repo import MapRepository
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.alerts import (
    ALERT_CATEGORY,
    ALERT_CHANNEL,
    ALERT_PRIORITY,
    RaisedAlert,
    idempotency_key,
)
from civicgrid_tickets.domain.records import TicketRecord
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.usecases.catalogues import DEFAULTS
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.intake import take_numbers
from civicgrid_tickets.usecases.intake_compose import Accepted, announcements, compose
from civicgrid_tickets.usecases.intake_placing import owners_of, route
from civicgrid_tickets.usecases.routing import UNPLACED, Placement
from civicgrid_tickets.usecases.sla_sweep import SYSTEM

log = logging.getLogger(__name__)

# The standard catalogue's definition (P0, handled by the grid), not the district's: an
# emergency reaches the person's grid at once whatever a district did with its catalogue.
ALERT = next(c for c in DEFAULTS if c.code == ALERT_CATEGORY)


async def open_alert_ticket(
    ctx: TicketsContext, uow: UnitOfWork, tenant_id: UUID, alert: RaisedAlert
) -> TicketRecord | None:
    """The alert's ticket (made now, or earlier by the same alert); None for a drill."""
    if alert.is_drill:
        log.info("alert %s is a drill: no ticket", alert.id)
        return None
    key = idempotency_key(alert.id)
    earlier = await TicketsRepository(uow.session, tenant_id).by_idempotency_keys([key])
    if key in earlier:
        return earlier[key]
    report = Accepted(
        Submission(
            channel=ALERT_CHANNEL,
            category=ALERT.code,
            description=alert.description,
            address=alert.address or None,
            lat=alert.lat,
            lon=alert.lon,
            priority=ALERT_PRIORITY,
            reporter_person_id=alert.person_id,
            idempotency_key=key,
        ),
        SYSTEM,
        ALERT,
        {},
    )
    repo = IntakeRepository(uow.session, tenant_id)
    where = route(report, await _placement(MapRepository(uow.session, tenant_id), alert), [])
    [holders] = await owners_of(repo, [where])
    rules = await ctx.rules.current(uow.session, tenant_id)
    [number] = await take_numbers(ctx, tenant_id, alert.raised_at.year, 1)
    # The clocks start when the button was pressed, not when this event was read.
    made = compose(
        report, number, tenant_id, where, (rules.policy, rules.calendar), alert.raised_at
    )
    ticket = made.record
    await repo.insert([ticket], [(ticket.id, made.history)], [(ticket.id, t) for t in made.timers])
    for event in announcements(ticket, holders):
        uow.add_event(event)
    return ticket


async def _placement(repo: MapRepository, alert: RaisedAlert) -> Placement:
    """The alert's grid (the person's, as identity knows it) and the chain above it from
    tickets' copy of the map. A grid the copy does not hold yet (its events still on their
    way) is kept alone, so the grid's staff still get the ticket. No grid: unplaced, like any
    report without a place (it waits at city level)."""
    if alert.grid_id is None:
        return UNPLACED
    grid = (await repo.units([alert.grid_id])).get(alert.grid_id)
    ancestors = list(grid.ancestor_ids) if grid else []
    above = await repo.units(ancestors)
    # Nearest first: written last, so the nearest unit of a kind wins.
    chain = {above[a].kind: a for a in reversed(ancestors) if a in above}
    return Placement(alert.grid_id, ancestors, chain | {"grid": alert.grid_id}, resolved_by="alert")
