"""Working a ticket: every step checked by the lifecycle rules, recorded in its history with
the actor, and announced, in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput, NotFound
from civicgrid_tickets.db.map_repo import MapRepository
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.calendar import WorkingCalendar
from civicgrid_tickets.domain.levels import higher_level, next_level, unit_at_level
from civicgrid_tickets.domain.lifecycle import Action, Relation, TicketStatus, Transition, decide
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.domain.sla import ClockKind, SlaPolicy
from civicgrid_tickets.domain.sla_state import TicketClocks
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.relations import relations_of
from civicgrid_tickets.usecases.step_events import OUTCOMES, announce_step, tell_the_duplicates


@dataclass(frozen=True, slots=True)
class StepRequest:
    action: str
    note: str | None = None
    reason_code: str | None = None
    meeting_id: UUID | None = None
    merge_target: UUID | None = None
    rating: int | None = None
    to_unit_id: UUID | None = None  # transfer
    to_department_id: UUID | None = None  # transfer


async def chain_of(repo: MapRepository, ticket: TicketRecord) -> dict[str, str]:
    """level -> unit id for the ticket's grid and the units above it."""
    units = await repo.units([u for u in [ticket.grid_id, *ticket.ancestor_ids] if u])
    return {u.kind: str(u.id) for u in units.values()}


async def take_step(
    ctx: TicketsContext, actor: Principal, ticket_id: UUID, request: StepRequest
) -> TicketRecord:
    try:
        action = Action(request.action)
    except ValueError:
        raise InvalidInput(f"one of {', '.join(a.value for a in Action)}", field="action") from None
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        tickets = TicketsRepository(uow.session, tenant_id)
        ticket = await tickets.get(ticket_id, for_update=True)
        if ticket is None:
            raise NotFound("no such ticket", field="ticket_id")
        map_repo = MapRepository(uow.session, tenant_id)
        chain = await chain_of(map_repo, ticket)
        relations = relations_of(actor, ticket, chain)
        if relations == {Relation.OTHER}:
            # A stranger learns nothing, not even that the ticket exists.
            raise NotFound("no such ticket", field="ticket_id")
        step = decide(
            TicketStatus(ticket.status),
            action,
            relations,
            now=ctx.clock(),
            previous_status=TicketStatus(ticket.previous_status)
            if ticket.previous_status
            else None,
            closed_at=ticket.closed_at,
            ticket_id=ticket.id,
            note=request.note,
            reason_code=request.reason_code,
            meeting_id=request.meeting_id,
            merge_target=request.merge_target,
            rating=request.rating,
        )
        updated = await apply_step(
            ctx, uow, tickets, ticket, step, actor.subject, chain=chain, request=request
        )
        await uow.commit()
    return updated


async def apply_step(
    ctx: TicketsContext,
    uow: UnitOfWork,
    tickets: TicketsRepository,
    ticket: TicketRecord,
    step: Transition,
    actor_id: str,
    *,
    chain: dict[str, str] | None = None,
    request: StepRequest | None = None,
    details: Mapping[str, Any] | None = None,
) -> TicketRecord:
    """Store a step `decide` accepted: the ticket's new state and clocks, its history line
    (with `details` added), its timers and events; the ticket as it is now. The caller's
    transaction, not committed: a person's step through the API, or the alert chain's."""
    tenant_id = tickets.tenant_id
    changes = _changes(ticket, step, chain or {}, request or StepRequest(step.action.value))
    # Restarted clocks get the budgets of the policy the ticket started with, counted in
    # the district's calendar as it is now.
    calendar = (await ctx.rules.current(uow.session, tenant_id)).calendar
    policy = await ctx.rules.policy(uow.session, tenant_id, ticket.sla_policy_version)
    clocks = _clocks_after(policy, calendar, ticket, step)
    changes["sla_clocks"] = clocks.to_dict()
    changes["acknowledge_due_at"], changes["resolve_due_at"] = clocks.deadlines(calendar)
    if step.merge_target is not None and await tickets.get(step.merge_target) is None:
        raise InvalidInput("no such ticket to merge into", field="merge_target")
    await tickets.update(ticket.id, **changes)
    await tickets.record(ticket.id, _history(actor_id, step, changes, details or {}))
    await tickets.schedule(ticket.id, clocks.timers(calendar))
    announce_step(uow, ticket, step, actor_id, changes)
    if step.changes_status and step.to_status in OUTCOMES:
        await tell_the_duplicates(uow, tickets, ticket, step, actor_id)
    updated = await tickets.get(ticket.id)
    assert updated is not None  # locked by the caller, updated just now
    return updated


_CLOSED = frozenset({TicketStatus.CLOSED, TicketStatus.REJECTED, TicketStatus.MERGED})
_UNACKNOWLEDGED = frozenset({TicketStatus.SUBMITTED, TicketStatus.REOPENED})


def _clocks_after(
    policy: SlaPolicy, calendar: WorkingCalendar, ticket: TicketRecord, step: Transition
) -> TicketClocks:
    clocks = TicketClocks.from_dict(ticket.sla_clocks)
    now = step.at
    if step.to_status in _CLOSED:
        return TicketClocks(None, None)
    if step.action is Action.REOPEN or step.action is Action.TRANSFER:
        # Someone must take it up again from scratch: both budgets afresh.
        return TicketClocks.start(policy, ticket.category, ticket.priority, now)
    if step.action is Action.ESCALATE:
        fresh = TicketClocks.start(policy, ticket.category, ticket.priority, now)
        acknowledge = fresh.acknowledge if step.to_status in _UNACKNOWLEDGED else None
        return TicketClocks(acknowledge, fresh.resolve)
    if step.action is Action.ACKNOWLEDGE:
        clocks = clocks.stop(ClockKind.ACKNOWLEDGE)
    if step.action is Action.RESOLVE:
        clocks = TicketClocks(None, None)
    if step.pauses_sla_clocks:
        clocks = clocks.pause(now)
    if step.resumes_sla_clocks:
        clocks = clocks.resume(now, calendar)
    return clocks


def _changes(
    ticket: TicketRecord, step: Transition, chain: dict[str, str], request: StepRequest
) -> dict[str, Any]:
    changes: dict[str, Any] = {"status": step.to_status.value, "updated_at": step.at}
    if step.action is Action.REQUEST_INFO:
        changes["previous_status"] = ticket.status
    if step.action is Action.ACKNOWLEDGE:
        due = ticket.acknowledge_due_at
        changes.update(acknowledged_at=step.at, acknowledged_in_time=due is None or step.at <= due)
    if step.action is Action.RESOLVE:
        due = ticket.resolve_due_at
        changes.update(resolved_at=step.at, resolved_in_time=due is None or step.at <= due)
    if step.to_status is TicketStatus.CLOSED and step.changes_status:
        changes["closed_at"] = step.at
    if step.action is Action.REOPEN:
        changes.update(reopen_count=ticket.reopen_count + 1, resolved_at=None, closed_at=None)
    if step.action is Action.MERGE:
        changes["merged_into"] = step.merge_target
    if step.action is Action.RATE:
        changes.update(rating=step.rating, rating_comment=step.note)
    if step.action is Action.ESCALATE:
        level = next_level(ticket.level)
        if level is None:
            raise InvalidInput("the city is the top of the chain", field="action")
        unit = unit_at_level(level, {k: UUID(v) for k, v in chain.items()})
        changes.update(level=level, owner_unit_id=unit, owner_department_id=None)
        changes["highest_level"] = higher_level(ticket.highest_level, level)
    if step.action is Action.TRANSFER:
        if (request.to_unit_id is None) == (request.to_department_id is None):
            raise InvalidInput("transfer to one unit or one department", field="to_unit_id")
        changes.update(
            owner_unit_id=request.to_unit_id, owner_department_id=request.to_department_id
        )
        if request.to_unit_id is not None:
            levels = {UUID(v): k for k, v in chain.items()}
            if request.to_unit_id not in levels:
                raise InvalidInput("a unit in the ticket's own chain", field="to_unit_id")
            changes["level"] = levels[request.to_unit_id]
            changes["highest_level"] = higher_level(ticket.highest_level, changes["level"])
    return changes


def _history(
    actor_id: str, step: Transition, changes: dict[str, Any], extra: Mapping[str, Any]
) -> HistoryEntry:
    details: dict[str, Any] = {**extra, "acting_as": step.acting_as.value}
    for name in ("reason_code", "meeting_id", "merge_target", "rating"):
        value = getattr(step, name)
        if value is not None:
            details[name] = str(value) if isinstance(value, UUID) else value
    for name in ("level", "owner_unit_id", "owner_department_id"):
        if name in changes:
            details[name] = str(changes[name]) if changes[name] is not None else None
    return HistoryEntry(
        step.at,
        actor_id,
        step.action.value,
        step.from_status.value,
        step.to_status.value,
        step.note,
        details,
    )
