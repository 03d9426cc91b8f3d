"""An alert's ticket follows the alert chain: an acknowledgement acknowledges it, the responder
on site starts it, the alert's outcome resolves it, each through the lifecycle rules with the
system as the actor; the chain's steps and escalations are notes on its timeline. In the
transaction that records the consumed alert event (inbox)."""

from __future__ import annotations

import logging
from uuid import UUID

from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.alerts import AlertFact, idempotency_key, steps_towards
from civicgrid_tickets.domain.lifecycle import Relation, TicketStatus, decide
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.sla_sweep import SYSTEM
from civicgrid_tickets.usecases.transitions import apply_step

log = logging.getLogger(__name__)


async def follow_alert(
    ctx: TicketsContext, uow: UnitOfWork, tenant_id: UUID, alert_id: UUID, fact: AlertFact
) -> TicketRecord | None:
    """The alert's ticket after recording `fact`; None when no ticket follows the alert."""
    tickets = TicketsRepository(uow.session, tenant_id)
    key = idempotency_key(alert_id)
    found = (await tickets.by_idempotency_keys([key])).get(key)
    if found is None:
        # A drill, or an alert raised before tickets listened (or replayed out of order):
        # there is nothing to follow, and the alert chain goes on without a ticket.
        log.info("no ticket follows alert %s; its %s is not recorded", alert_id, fact.kind)
        return None
    ticket = await tickets.get(found.id, for_update=True)  # against a person's step racing
    assert ticket is not None  # found in this transaction, and tickets are never deleted
    details = {"alert_id": str(alert_id), "alert_event": fact.kind, **fact.details}
    steps = steps_towards(TicketStatus(ticket.status), fact.reaches) if fact.reaches else []
    if not steps:
        # Only noted: a chain step, or staff got there (or elsewhere) first.
        entry = HistoryEntry(
            fact.at, SYSTEM, fact.action, ticket.status, ticket.status, fact.note, details
        )
        await tickets.record(ticket.id, entry)
        return ticket
    for n, action in enumerate(steps):
        step = decide(
            TicketStatus(ticket.status),
            action,
            {Relation.SYSTEM},
            now=fact.at,
            ticket_id=ticket.id,
            # Said once, on the step the fact is about (resolve needs its note).
            note=fact.note if n == len(steps) - 1 else None,
        )
        ticket = await apply_step(ctx, uow, tickets, ticket, step, SYSTEM, details=details)
    return ticket
