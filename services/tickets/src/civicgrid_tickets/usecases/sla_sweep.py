"""The SLA sweep: due warnings are announced, due breaches announced and the ticket climbs one
level (grid → community → street → district → city) with a fresh budget for its new owners.
Runs in any replica, as often as it likes: timers are claimed rows, never in-memory state."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from google.protobuf import timestamp_pb2

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_tickets.db.map_repo import MapRepository
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.db.timers_repo import DueTimer, claim_due
from civicgrid_tickets.domain.levels import next_level, unit_at_level
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.domain.sla_state import TicketClocks
from civicgrid_tickets.events.outgoing import ticket_event
from civicgrid_tickets.usecases.context import TicketsContext

_DONE = frozenset({"resolved", "closed", "rejected", "merged"})
SYSTEM = "system"


@dataclass
class SweepResult:
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0

    @property
    def handled(self) -> int:
        return self.warnings + self.breaches


async def sweep(ctx: TicketsContext, *, limit: int = 1000) -> SweepResult:
    """One batch of due timers in one transaction; call until it handles fewer than `limit`."""
    result = SweepResult()
    async with ctx.uow(tenant_id=None) as uow:
        due = await claim_due(uow.session, ctx.clock(), limit)
        by_tenant: dict[UUID, list[DueTimer]] = defaultdict(list)
        for timer in due:
            by_tenant[timer.tenant_id].append(timer)
        for tenant_id, timers in by_tenant.items():
            await uow.bind_tenant(tenant_id)
            await _sweep_district(ctx, uow, tenant_id, timers, result)
        await uow.commit()
    return result


async def _sweep_district(
    ctx: TicketsContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    timers: list[DueTimer],
    result: SweepResult,
) -> None:
    repo = TicketsRepository(uow.session, tenant_id)
    tickets = await repo.get_many([t.ticket_id for t in timers])
    chains = await _chains(MapRepository(uow.session, tenant_id), tickets.values())
    moved: set[UUID] = set()
    for timer in timers:
        ticket = tickets.get(timer.ticket_id)
        # A ticket that moved on (done, or climbed in this batch) has newer timers of its own.
        if ticket is None or ticket.status in _DONE or timer.ticket_id in moved:
            continue
        due_at = timestamp_pb2.Timestamp()
        due_at.FromDatetime(timer.due_at)
        fields = {"ticket_id": str(ticket.id), "clock": timer.clock, "level": ticket.level}
        entry = {"clock": timer.clock, "due_at": timer.due_at.isoformat()}
        if timer.kind == "warning":
            result.warnings += 1
            _add(uow, ticket, events_pb2.TicketSlaWarning(due_at=due_at, **fields))
            await repo.record(ticket.id, _history("sla_warning", ticket, timer, entry))
            continue
        result.breaches += 1
        _add(uow, ticket, events_pb2.TicketSlaBreached(due_at=due_at, **fields))
        await repo.record(ticket.id, _history("sla_breach", ticket, timer, entry))
        level = next_level(ticket.level)
        if level is None:
            continue  # the city: nothing above, the breach stands and is counted
        moved.add(ticket.id)
        result.escalations += 1
        await _climb(ctx, uow, repo, ticket, level, chains.get(ticket.id, {}), timer)


async def _climb(
    ctx: TicketsContext,
    uow: UnitOfWork,
    repo: TicketsRepository,
    ticket: TicketRecord,
    level: str,
    chain: dict[str, UUID],
    timer: DueTimer,
) -> None:
    now = ctx.clock()
    unit = unit_at_level(level, chain)
    fresh = TicketClocks.start(ctx.sla.policy, ticket.category, ticket.priority, now)
    unacknowledged = ticket.status in ("submitted", "reopened")
    clocks = TicketClocks(fresh.acknowledge if unacknowledged else None, fresh.resolve)
    acknowledge_due, resolve_due = clocks.deadlines(ctx.sla.calendar)
    await repo.update(
        ticket.id,
        level=level,
        owner_unit_id=unit,
        owner_department_id=None,
        sla_clocks=clocks.to_dict(),
        acknowledge_due_at=acknowledge_due,
        resolve_due_at=resolve_due,
        updated_at=now,
    )
    await repo.schedule(ticket.id, clocks.timers(ctx.sla.calendar))
    details = {"trigger": "automatic", "level": level, "owner_unit_id": str(unit) if unit else None}
    await repo.record(
        ticket.id,
        HistoryEntry(now, SYSTEM, "escalate", ticket.status, ticket.status, None, details),
    )
    _add(
        uow,
        ticket,
        events_pb2.TicketEscalated(
            ticket_id=str(ticket.id),
            from_level=ticket.level,
            to_level=level,
            owner_unit_id=str(unit or ""),
            trigger="automatic",
            reason=f"{timer.clock}_deadline_breached",
            actor_id=SYSTEM,
        ),
    )


def _history(
    action: str, ticket: TicketRecord, timer: DueTimer, details: dict[str, Any]
) -> HistoryEntry:
    return HistoryEntry(timer.due_at, SYSTEM, action, ticket.status, ticket.status, None, details)


def _add(uow: UnitOfWork, ticket: TicketRecord, message: Any) -> None:
    uow.add_event(ticket_event(ticket.tenant_id, ticket.id, message))


async def _chains(repo: MapRepository, tickets: Any) -> dict[UUID, dict[str, UUID]]:
    """level -> unit id above each ticket's grid, from one read of the map."""
    wanted = {u for t in tickets for u in [t.grid_id, *t.ancestor_ids] if u}
    units = await repo.units(list(wanted))
    return {
        t.id: {units[u].kind: u for u in [t.grid_id, *t.ancestor_ids] if u and u in units}
        for t in tickets
    }
