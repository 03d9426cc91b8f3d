"""The SLA sweep: due warnings are announced, due breaches announced and the ticket climbs one
level (grid → community → street → district → city) with a fresh budget for its new owners.
Runs in any replica, as often as it likes: timers are claimed rows, never in-memory state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from google.protobuf import timestamp_pb2

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.collector import collector_paused
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_tickets.db.map_repo import MapRepository
from civicgrid_tickets.db.meetings_repo import MeetingsRepository
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.db.timers_repo import DueTimer, claim_due
from civicgrid_tickets.domain.levels import higher_level, next_level, unit_at_level
from civicgrid_tickets.domain.records import HistoryEntry, SlaView
from civicgrid_tickets.domain.sla_state import COMMITMENT_CLOCK, Timer
from civicgrid_tickets.events.outgoing import ticket_event
from civicgrid_tickets.usecases.climbing_clocks import ClimbingClocks
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.meetings import commitment_fields

_DONE = frozenset({"resolved", "closed", "rejected", "merged"})
SYSTEM = "system"


@dataclass
class SweepResult:
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    commitments_overdue: int = 0
    skipped: int = 0  # timers of tickets or commitments that had moved on

    @property
    def handled(self) -> int:
        return self.warnings + self.breaches + self.commitments_overdue + self.skipped


async def sweep(ctx: TicketsContext, *, limit: int = 1000) -> SweepResult:
    """One batch of due timers in one transaction; call until it handles fewer than `limit`."""
    result = SweepResult()
    with collector_paused():
        return await _sweep(ctx, limit, result)


async def _sweep(ctx: TicketsContext, limit: int, result: SweepResult) -> SweepResult:
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


@dataclass
class _Batch:
    """What one district's share of a sweep writes, written together at the end."""

    history: list[tuple[UUID, HistoryEntry]] = field(default_factory=list)
    updates: list[tuple[Any, ...]] = field(default_factory=list)
    timers: dict[UUID, Sequence[Timer]] = field(default_factory=dict)


async def _sweep_district(
    ctx: TicketsContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    timers: list[DueTimer],
    result: SweepResult,
) -> None:
    repo = TicketsRepository(uow.session, tenant_id)
    deadlines = [t for t in timers if t.clock == COMMITMENT_CLOCK]
    timers = [t for t in timers if t.clock != COMMITMENT_CLOCK]
    await _flag_commitments(ctx, uow, tenant_id, repo, deadlines, result)
    tickets = await repo.sla_view([t.ticket_id for t in timers])
    chains = await _chains(MapRepository(uow.session, tenant_id), tickets.values())
    batch = _Batch()
    now = ctx.clock()
    climbing = await ClimbingClocks.for_district(
        ctx.rules, uow.session, tenant_id, tickets.values(), now
    )
    for timer in timers:
        ticket = tickets.get(timer.ticket_id)
        # A ticket that moved on (done, or climbed in this batch) has newer timers of its own.
        if ticket is None or ticket.status in _DONE or timer.ticket_id in batch.timers:
            result.skipped += 1
            continue
        due_at = timestamp_pb2.Timestamp()
        due_at.FromDatetime(timer.due_at)
        fields = {"ticket_id": str(ticket.id), "clock": timer.clock, "level": ticket.level}
        entry = {"clock": timer.clock, "due_at": timer.due_at.isoformat()}
        if timer.kind == "warning":
            result.warnings += 1
            _add(uow, ticket, events_pb2.TicketSlaWarning(due_at=due_at, **fields))
            batch.history.append((ticket.id, _history("sla_warning", ticket, timer, entry)))
            continue
        result.breaches += 1
        _add(uow, ticket, events_pb2.TicketSlaBreached(due_at=due_at, **fields))
        batch.history.append((ticket.id, _history("sla_breach", ticket, timer, entry)))
        level = next_level(ticket.level)
        if level is None:
            continue  # the city: nothing above, the breach stands and is counted
        result.escalations += 1
        _climb(uow, batch, ticket, level, chains.get(ticket.id, {}), timer, climbing, now)
    await repo.update_many(_UPDATED, batch.updates)
    await repo.schedule_many(batch.timers)
    await repo.record_many(batch.history)


_UPDATED = (
    "level",
    "highest_level",
    "owner_unit_id",
    "owner_department_id",
    "sla_clocks",
    "acknowledge_due_at",
    "resolve_due_at",
    "updated_at",
)


def _climb(
    uow: UnitOfWork,
    batch: _Batch,
    ticket: SlaView,
    level: str,
    chain: dict[str, UUID],
    timer: DueTimer,
    clocks: ClimbingClocks,
    now: datetime,
) -> None:
    unit = unit_at_level(level, chain)
    unacknowledged = ticket.status in ("submitted", "reopened")
    fresh = clocks.for_ticket(ticket, unacknowledged)
    highest = higher_level(ticket.highest_level, level)
    due = (fresh.acknowledge_due, fresh.resolve_due)
    batch.updates.append((ticket.id, level, highest, unit, None, fresh.stored, *due, now))
    batch.timers[ticket.id] = fresh.timers
    details = {"trigger": "automatic", "level": level, "owner_unit_id": str(unit) if unit else None}
    batch.history.append(
        (
            ticket.id,
            HistoryEntry(now, SYSTEM, "escalate", ticket.status, ticket.status, None, details),
        )
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


async def _flag_commitments(
    ctx: TicketsContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    repo: TicketsRepository,
    deadlines: list[DueTimer],
    result: SweepResult,
) -> None:
    """A commitment past its deadline and not done is flagged, announced, and noted on its
    ticket; its department answers for it in the monthly evaluation."""
    meetings = MeetingsRepository(uow.session, tenant_id)
    now = ctx.clock()
    for timer in deadlines:
        if timer.commitment_id is None:
            result.skipped += 1
            continue
        late = await meetings.flag_overdue(timer.commitment_id, now)
        if late is None:
            result.skipped += 1
            continue
        result.commitments_overdue += 1
        overdue = events_pb2.CommitmentOverdue(**commitment_fields(late))
        uow.add_event(ticket_event(tenant_id, late.ticket_id, overdue))
        details = {
            "commitment_id": str(late.id),
            "meeting_id": str(late.meeting_id),
            "department_id": str(late.department_id),
            "due_at": late.due_at.isoformat(),
        }
        await repo.record(
            late.ticket_id,
            HistoryEntry(now, SYSTEM, "commitment_overdue", None, None, late.action, details),
        )


def _history(
    action: str, ticket: SlaView, timer: DueTimer, details: dict[str, Any]
) -> HistoryEntry:
    return HistoryEntry(timer.due_at, SYSTEM, action, ticket.status, ticket.status, None, details)


def _add(uow: UnitOfWork, ticket: SlaView, message: Any) -> None:
    uow.add_event(ticket_event(ticket.tenant_id, ticket.id, message))


async def _chains(repo: MapRepository, tickets: Any) -> dict[UUID, dict[str, UUID]]:
    """level -> unit id above each ticket's grid, from one read of the map."""
    wanted = {u for t in tickets for u in [t.grid_id, *t.ancestor_ids] if u}
    units = await repo.units(list(wanted))
    return {
        t.id: {units[u].kind: u for u in [t.grid_id, *t.ancestor_ids] if u and u in units}
        for t in tickets
    }
