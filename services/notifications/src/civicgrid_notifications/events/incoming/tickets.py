"""Tickets' events as notices: the reporter hears about their report, owners about their work,
departments about commitments, supervising officials read breaches in their daily digest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from civicgrid.tickets.v1 import events_pb2 as pb
from civicgrid_notifications.db.directory_repo import TrackedTicket
from civicgrid_notifications.domain.notices import (
    SUPERVISOR_ROLES,
    Department,
    Notice,
    Recipient,
    RoleHolders,
    level_roles,
)
from civicgrid_notifications.events.incoming.notice_kit import moment, notice, optional_uuid
from civicgrid_notifications.usecases import tracking
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import parse_uuid
from civicgrid_platform.events.cloudevents import IncomingEvent

Rule = Callable[[IncomingEvent, UnitOfWork], Awaitable[list[Notice]]]
# Tickets that follow an emergency alert: the person hears from the alert chain itself, not
# "we received your report" from its ticket.
QUIET_CATEGORIES = frozenset({"elderly_alert"})


def _ticket_vars(ticket: TrackedTicket | None, ticket_id: UUID) -> dict[str, str]:
    return {
        "ticket_id": str(ticket_id),
        "ticket_number": ticket.number if ticket else "",
        "ticket_category": ticket.category if ticket else "",
    }


def _owners(ticket: TrackedTicket | None) -> tuple[Recipient, ...]:
    """Who works the ticket: the people it was assigned to, else its unit's role holders."""
    if ticket is None:
        return ()
    if ticket.owner_person_ids:
        return ticket.owner_person_ids
    if ticket.owner_unit_id is not None:
        return (RoleHolders(ticket.owner_unit_id, level_roles(ticket.level)),)
    return ()


async def _ticket(
    event: IncomingEvent, uow: UnitOfWork, raw_id: str
) -> tuple[UUID, TrackedTicket | None]:
    ticket_id = parse_uuid(raw_id, "ticket_id")
    return ticket_id, await tracking.tracked_ticket(uow, event.tenant_id, ticket_id)


async def on_created(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    message = event.decode(pb.TicketCreated)
    t = message.ticket
    ticket_id = parse_uuid(t.id, "ticket.id")
    reporter = optional_uuid(message.reporter_person_id, "reporter_person_id")
    await tracking.track_ticket(
        uow,
        event.tenant_id,
        ticket_id,
        number=t.number,
        category=t.category,
        reporter_id=reporter,
        owner_unit_id=optional_uuid(t.owner_unit_id, "ticket.owner_unit_id"),
        owner_department_id=optional_uuid(t.owner_department_id, "ticket.owner_department_id"),
        level=t.level,
    )
    if reporter is None or t.category in QUIET_CATEGORIES:
        return []
    variables = {
        "ticket_id": str(ticket_id),
        "ticket_number": t.number,
        "ticket_category": t.category,
        "description": t.description,
        "address": t.address,
    }
    return [notice(event, "ticket.created", variables, (reporter,), link=f"/tickets/{ticket_id}")]


async def on_assigned(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.TicketAssigned)
    ticket_id = parse_uuid(m.ticket_id, "ticket_id")
    owners = tuple(parse_uuid(p, "owner_person_ids") for p in m.owner_person_ids)
    unit = optional_uuid(m.owner_unit_id, "owner_unit_id")
    department = optional_uuid(m.owner_department_id, "owner_department_id")
    await tracking.track_ticket(
        uow,
        event.tenant_id,
        ticket_id,
        owner_person_ids=list(owners),
        owner_unit_id=unit,
        owner_department_id=department,
        level=m.level,
    )
    ticket = await tracking.tracked_ticket(uow, event.tenant_id, ticket_id)
    to: tuple[Recipient, ...] = _owners(ticket)
    if department is not None:
        to += (Department(department),)
    variables = _ticket_vars(ticket, ticket_id) | {"level": m.level}
    return [notice(event, "ticket.assigned", variables, to, link=f"/tickets/{ticket_id}")]


async def on_status_changed(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.TicketStatusChanged)
    ticket_id, ticket = await _ticket(event, uow, m.ticket_id)
    if ticket is None or ticket.reporter_id is None or ticket.category in QUIET_CATEGORIES:
        return []
    variables = _ticket_vars(ticket, ticket_id) | {"status": m.to_status, "note": m.note}
    actor = optional_uuid(m.actor_id, "actor_id", strict=False)
    return [
        notice(
            event,
            "ticket.status_changed",
            variables,
            (ticket.reporter_id,),
            exclude=actor,
            link=f"/tickets/{ticket_id}",
        )
    ]


async def on_transferred(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.TicketTransferred)
    ticket_id, ticket = await _ticket(event, uow, m.ticket_id)
    unit = optional_uuid(m.to_unit_id, "to_unit_id")
    department = optional_uuid(m.to_department_id, "to_department_id")
    await tracking.track_ticket(
        uow,
        event.tenant_id,
        ticket_id,
        owner_unit_id=unit,
        owner_department_id=department,
        owner_person_ids=[],
    )
    to: tuple[Recipient, ...] = ()
    if unit is not None:
        to += (RoleHolders(unit, level_roles(ticket.level if ticket else "grid")),)
    if department is not None:
        to += (Department(department),)
    variables = _ticket_vars(ticket, ticket_id) | {"note": m.note}
    actor = optional_uuid(m.actor_id, "actor_id", strict=False)
    return [notice(event, "ticket.transferred", variables, to, exclude=actor)]


async def on_escalated(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.TicketEscalated)
    ticket_id, ticket = await _ticket(event, uow, m.ticket_id)
    unit = optional_uuid(m.owner_unit_id, "owner_unit_id")
    await tracking.track_ticket(
        uow, event.tenant_id, ticket_id, owner_unit_id=unit, level=m.to_level, owner_person_ids=[]
    )
    to = (RoleHolders(unit, level_roles(m.to_level)),) if unit is not None else ()
    variables = _ticket_vars(ticket, ticket_id) | {"level": m.to_level, "reason": m.reason}
    return [notice(event, "ticket.escalated", variables, to, link=f"/tickets/{ticket_id}")]


def _deadline_rule(
    message_type: type[pb.TicketSlaWarning] | type[pb.TicketSlaBreached], kind: str, event_type: str
) -> Rule:
    """Warnings and breaches: the owners now; supervising officials in tomorrow's digest."""

    async def rule(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
        m = event.decode(message_type)
        ticket_id, ticket = await _ticket(event, uow, m.ticket_id)
        due = moment(m.due_at)
        variables = _ticket_vars(ticket, ticket_id) | {
            "clock": m.clock,
            "due_at": due,
            "level": m.level,
        }
        watchers: tuple[Recipient, ...] = ()
        if ticket is not None and ticket.owner_unit_id is not None:
            watchers = (
                RoleHolders(ticket.owner_unit_id, SUPERVISOR_ROLES, include_ancestors=True),
            )
        number = variables["ticket_number"] or str(ticket_id)
        line = f"{number} {variables['ticket_category']} {m.clock} {kind} {due}".strip()
        return [
            notice(
                event,
                event_type,
                variables,
                _owners(ticket),
                digest_to=watchers,
                digest_kind=kind,
                digest_line=line,
                link=f"/tickets/{ticket_id}",
            )
        ]

    return rule


async def on_commented(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.TicketCommented)
    if not m.public:
        return []
    ticket_id, ticket = await _ticket(event, uow, m.ticket_id)
    if ticket is None or ticket.reporter_id is None:
        return []
    author = optional_uuid(m.author_id, "author_id", strict=False)
    variables = _ticket_vars(ticket, ticket_id)
    return [notice(event, "ticket.commented", variables, (ticket.reporter_id,), exclude=author)]


async def on_rated(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.TicketRated)
    ticket_id, ticket = await _ticket(event, uow, m.ticket_id)
    variables = _ticket_vars(ticket, ticket_id) | {"rating": str(m.rating), "comment": m.comment}
    return [notice(event, "ticket.rated", variables, _owners(ticket))]


async def on_meeting(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
    m = event.decode(pb.MeetingScheduled)
    to = tuple(Department(parse_uuid(d, "department_ids")) for d in m.department_ids)
    variables = {"level": m.level, "held_at": moment(m.held_at), "tickets": str(len(m.ticket_ids))}
    return [notice(event, "meeting.scheduled", variables, to)]


def _commitment_rule(
    message_type: type[pb.CommitmentMade] | type[pb.CommitmentOverdue], event_type: str
) -> Rule:
    async def rule(event: IncomingEvent, uow: UnitOfWork) -> list[Notice]:
        m = event.decode(message_type)
        ticket_id, ticket = await _ticket(event, uow, m.ticket_id)
        to: tuple[Recipient, ...] = ()
        department = optional_uuid(m.department_id, "department_id")
        if department is not None:
            to += (Department(department),)
        if event_type == "commitment.overdue":
            to += _owners(ticket)
        variables = _ticket_vars(ticket, ticket_id) | {
            "action": m.action,
            "due_at": moment(m.due_at),
            "responsible": m.responsible,
        }
        return [notice(event, event_type, variables, to)]

    return rule


RULES: dict[str, Rule] = {
    "ticket.created": on_created,
    "ticket.assigned": on_assigned,
    "ticket.status_changed": on_status_changed,
    "ticket.transferred": on_transferred,
    "ticket.escalated": on_escalated,
    "ticket.sla_warning": _deadline_rule(pb.TicketSlaWarning, "due", "ticket.sla_warning"),
    "ticket.sla_breached": _deadline_rule(pb.TicketSlaBreached, "breached", "ticket.sla_breached"),
    "ticket.commented": on_commented,
    "ticket.rated": on_rated,
    "meeting.scheduled": on_meeting,
    "commitment.made": _commitment_rule(pb.CommitmentMade, "commitment.made"),
    "commitment.overdue": _commitment_rule(pb.CommitmentOverdue, "commitment.overdue"),
}
