"""What a step of a ticket's lifecycle announces: the events on the ticket itself, and on the
merged duplicates that follow it."""

from __future__ import annotations

from typing import Any

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.lifecycle import Action, TicketStatus, Transition
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.events.outgoing import ticket_event

# What the reporters of merged duplicates hear about: the original's outcome.
OUTCOMES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.REJECTED})


async def tell_the_duplicates(
    uow: UnitOfWork,
    tickets: TicketsRepository,
    original: TicketRecord,
    step: Transition,
    actor_id: str,
) -> None:
    """A merged duplicate follows its original: each of its reporters hears the outcome (an
    event on the duplicate, which notifications address to its reporter) and its history
    says what happened to the original."""
    action = f"original_{step.to_status.value}"
    for duplicate in await tickets.merged_into(original.id):
        details = {"original_id": str(original.id), "original_number": original.number}
        await tickets.record(
            duplicate.id,
            HistoryEntry(step.at, actor_id, action, "merged", "merged", step.note, details),
        )
        changed = events_pb2.TicketStatusChanged(
            ticket_id=str(duplicate.id),
            from_status="merged",
            to_status="merged",
            action=action,
            actor_id=actor_id,
            note=step.note or "",
        )
        changed.at.FromDatetime(step.at)
        uow.add_event(ticket_event(duplicate.tenant_id, duplicate.id, changed))


def announce_step(
    uow: UnitOfWork,
    ticket: TicketRecord,
    step: Transition,
    actor_id: str,
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
            actor_id=actor_id,
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
                actor_id=actor_id,
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
                actor_id=actor_id,
            )
        )
    if step.action in (Action.COMMENT, Action.CALLBACK):
        add(
            events_pb2.TicketCommented(
                ticket_id=tid,
                author_id=actor_id,
                public=step.action is Action.COMMENT,
            )
        )
    if step.action is Action.RATE:
        add(events_pb2.TicketRated(ticket_id=tid, rating=step.rating or 0, comment=step.note or ""))
    if step.action is Action.MERGE:
        add(
            events_pb2.TicketMerged(
                ticket_id=tid, into_ticket_id=str(step.merge_target), actor_id=actor_id
            )
        )
