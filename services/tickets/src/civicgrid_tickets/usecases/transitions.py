"""Working a ticket: every step checked by the lifecycle rules, recorded in its history with
the actor, and announced, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput, NotFound
from civicgrid_tickets.db.map_repo import MapRepository
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.levels import higher_level, next_level, unit_at_level
from civicgrid_tickets.domain.lifecycle import Action, Relation, TicketStatus, Transition, decide
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.domain.sla import ClockKind
from civicgrid_tickets.domain.sla_state import TicketClocks
from civicgrid_tickets.events.outgoing import ticket_event
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.relations import relations_of


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
        changes = _changes(ticket, step, chain, request)
        clocks = _clocks_after(ctx, ticket, step)
        changes["sla_clocks"] = clocks.to_dict()
        changes["acknowledge_due_at"], changes["resolve_due_at"] = clocks.deadlines(
            ctx.sla.calendar
        )
        if step.merge_target is not None and await tickets.get(step.merge_target) is None:
            raise InvalidInput("no such ticket to merge into", field="merge_target")
        await tickets.update(ticket.id, **changes)
        await tickets.record(ticket.id, _history(actor, step, changes))
        await tickets.schedule(ticket.id, clocks.timers(ctx.sla.calendar))
        _announce(uow, ticket, step, actor, changes)
        if step.changes_status and step.to_status in _OUTCOMES:
            await _tell_the_duplicates(uow, tickets, ticket, step, actor)
        updated = await tickets.get(ticket.id)
        await uow.commit()
    assert updated is not None
    return updated


_CLOSED = frozenset({TicketStatus.CLOSED, TicketStatus.REJECTED, TicketStatus.MERGED})
_UNACKNOWLEDGED = frozenset({TicketStatus.SUBMITTED, TicketStatus.REOPENED})


def _clocks_after(ctx: TicketsContext, ticket: TicketRecord, step: Transition) -> TicketClocks:
    clocks = TicketClocks.from_dict(ticket.sla_clocks)
    now, calendar = step.at, ctx.sla.calendar
    if step.to_status in _CLOSED:
        return TicketClocks(None, None)
    if step.action is Action.REOPEN or step.action is Action.TRANSFER:
        # Someone must take it up again from scratch: both budgets afresh.
        return TicketClocks.start(ctx.sla.policy, ticket.category, ticket.priority, now)
    if step.action is Action.ESCALATE:
        fresh = TicketClocks.start(ctx.sla.policy, ticket.category, ticket.priority, now)
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


# What the reporters of merged duplicates hear about: the original's outcome.
_OUTCOMES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.REJECTED})


async def _tell_the_duplicates(
    uow: UnitOfWork,
    tickets: TicketsRepository,
    original: TicketRecord,
    step: Transition,
    actor: Principal,
) -> None:
    """A merged duplicate follows its original: each of its reporters hears the outcome (an
    event on the duplicate, which notifications address to its reporter) and its history
    says what happened to the original."""
    action = f"original_{step.to_status.value}"
    for duplicate in await tickets.merged_into(original.id):
        details = {"original_id": str(original.id), "original_number": original.number}
        await tickets.record(
            duplicate.id,
            HistoryEntry(step.at, actor.subject, action, "merged", "merged", step.note, details),
        )
        changed = events_pb2.TicketStatusChanged(
            ticket_id=str(duplicate.id),
            from_status="merged",
            to_status="merged",
            action=action,
            actor_id=actor.subject,
            note=step.note or "",
        )
        changed.at.FromDatetime(step.at)
        uow.add_event(ticket_event(duplicate.tenant_id, duplicate.id, changed))


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


def _history(actor: Principal, step: Transition, changes: dict[str, Any]) -> HistoryEntry:
    details: dict[str, Any] = {"acting_as": step.acting_as.value}
    for name in ("reason_code", "meeting_id", "merge_target", "rating"):
        value = getattr(step, name)
        if value is not None:
            details[name] = str(value) if isinstance(value, UUID) else value
    for name in ("level", "owner_unit_id", "owner_department_id"):
        if name in changes:
            details[name] = str(changes[name]) if changes[name] is not None else None
    return HistoryEntry(
        step.at,
        actor.subject,
        step.action.value,
        step.from_status.value,
        step.to_status.value,
        step.note,
        details,
    )


def _announce(
    uow: UnitOfWork,
    ticket: TicketRecord,
    step: Transition,
    actor: Principal,
    changes: dict[str, Any],
) -> None:
    def add(message: Any) -> None:
        uow.add_event(ticket_event(ticket.tenant_id, ticket.id, message))

    tid = str(ticket.id)
    if step.changes_status:
        changed = events_pb2.TicketStatusChanged(
            ticket_id=tid,
            from_status=step.from_status.value,
            to_status=step.to_status.value,
            action=step.action.value,
            actor_id=actor.subject,
            note=step.note or "",
            reason_code=step.reason_code or "",
        )
        changed.at.FromDatetime(step.at)
        add(changed)
    if step.action is Action.ESCALATE:
        add(
            events_pb2.TicketEscalated(
                ticket_id=tid,
                from_level=ticket.level,
                to_level=changes["level"],
                owner_unit_id=str(changes["owner_unit_id"] or ""),
                trigger="manual",
                reason=step.reason_code or "",
                actor_id=actor.subject,
            )
        )
    if step.action is Action.TRANSFER:
        add(
            events_pb2.TicketTransferred(
                ticket_id=tid,
                from_unit_id=str(ticket.owner_unit_id or ""),
                to_unit_id=str(changes["owner_unit_id"] or ""),
                from_department_id=str(ticket.owner_department_id or ""),
                to_department_id=str(changes["owner_department_id"] or ""),
                reason_code=step.reason_code or "",
                note=step.note or "",
                actor_id=actor.subject,
            )
        )
    if step.action in (Action.COMMENT, Action.CALLBACK):
        add(
            events_pb2.TicketCommented(
                ticket_id=tid,
                author_id=actor.subject,
                public=step.action is Action.COMMENT,
            )
        )
    if step.action is Action.RATE:
        add(events_pb2.TicketRated(ticket_id=tid, rating=step.rating or 0, comment=step.note or ""))
    if step.action is Action.MERGE:
        add(
            events_pb2.TicketMerged(
                ticket_id=tid, into_ticket_id=str(step.merge_target), actor_id=actor.subject
            )
        )
