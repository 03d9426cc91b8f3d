"""The ticket a placed report becomes, its first history line and the events announcing it:
pure work, once everything the report needs has been read for its batch."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.events.cloudevents import OutgoingEvent
from civicgrid_tickets.domain.calendar import WorkingCalendar
from civicgrid_tickets.domain.categories import Category
from civicgrid_tickets.domain.duplicates import Suggestion
from civicgrid_tickets.domain.records import HistoryEntry, TicketRecord
from civicgrid_tickets.domain.sla import SlaPolicy
from civicgrid_tickets.domain.sla_state import TicketClocks, Timer
from civicgrid_tickets.domain.submission import Submission
from civicgrid_tickets.events.messages import ticket_message
from civicgrid_tickets.events.outgoing import ticket_event
from civicgrid_tickets.usecases.routing import Placement


@dataclass(frozen=True, slots=True)
class Intake:
    ticket: TicketRecord
    duplicates: list[Suggestion]
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Accepted:
    """A report whose category and attributes passed."""

    submission: Submission
    actor_id: str | None
    category: Category
    attributes: dict[str, Any]
    token: str | None = None  # the reporter's, for the grid registry (see intake_placing)


@dataclass(frozen=True, slots=True)
class Route:
    """Where a ticket starts: its place on the map, the level of the chain that holds it and
    that level's unit, or the department that handles its category."""

    placement: Placement
    level: str
    owner_unit_id: uuid.UUID | None
    department_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class NewTicket:
    record: TicketRecord
    history: HistoryEntry
    timers: tuple[Timer, ...]


def compose(
    report: Accepted,
    number: str,
    tenant_id: uuid.UUID,
    route: Route,
    rules: tuple[SlaPolicy, WorkingCalendar],
    now: datetime,
) -> NewTicket:
    submission, category, placement = report.submission, report.category, route.placement
    policy, calendar = rules
    priority = submission.priority or category.default_priority
    clocks = TicketClocks.start(policy, category.code, priority, now)
    acknowledge_due, resolve_due = clocks.deadlines(calendar)
    record = TicketRecord(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        number=number,
        category=category.code,
        priority=priority,
        status="submitted",
        channel=submission.channel,
        description=submission.description.strip(),
        lat=submission.lat,
        lon=submission.lon,
        address=(submission.address or "").strip() or None,
        attributes=report.attributes,
        reporter_person_id=submission.reporter_person_id,
        contact=submission.contact,
        grid_id=placement.grid_id,
        ancestor_ids=placement.ancestor_ids,
        boundary_neighbour_grid_id=placement.neighbour_grid_id,
        boundary_distance_m=placement.neighbour_distance_m,
        resolved_by=placement.resolved_by,
        level=route.level,
        owner_unit_id=route.owner_unit_id,
        owner_department_id=route.department_id,
        previous_status=None,
        merged_into=None,
        rating=None,
        rating_comment=None,
        reopen_count=0,
        acknowledged_in_time=None,
        resolved_in_time=None,
        highest_level=route.level,
        sla_policy_version=policy.version,
        acknowledge_due_at=acknowledge_due,
        resolve_due_at=resolve_due,
        sla_clocks=clocks.to_dict(),
        idempotency_key=submission.idempotency_key,
        created_at=now,
        updated_at=now,
        acknowledged_at=None,
        resolved_at=None,
        closed_at=None,
    )
    history = HistoryEntry(
        now,
        report.actor_id,
        "submit",
        None,
        "submitted",
        None,
        {"channel": submission.channel, "resolved_by": placement.resolved_by},
    )
    return NewTicket(record, history, tuple(clocks.timers(calendar)))


def announcements(ticket: TicketRecord, owners: Iterable[uuid.UUID]) -> list[OutgoingEvent]:
    """created, routed and assigned (to the people who hold it now)."""
    reporter = str(ticket.reporter_person_id or "")
    people = sorted({str(p) for p in owners})
    return [
        ticket_event(
            ticket.tenant_id,
            ticket.id,
            events_pb2.TicketCreated(ticket=ticket_message(ticket), reporter_person_id=reporter),
        ),
        ticket_event(
            ticket.tenant_id,
            ticket.id,
            events_pb2.TicketRouted(
                ticket_id=str(ticket.id),
                grid_id=str(ticket.grid_id or ""),
                ancestor_ids=[str(a) for a in ticket.ancestor_ids],
                department_id=str(ticket.owner_department_id or ""),
                resolved_by=ticket.resolved_by or "none",
                boundary_neighbour_grid_id=str(ticket.boundary_neighbour_grid_id or ""),
                boundary_distance_m=ticket.boundary_distance_m or 0.0,
            ),
        ),
        ticket_event(
            ticket.tenant_id,
            ticket.id,
            events_pb2.TicketAssigned(
                ticket_id=str(ticket.id),
                level=ticket.level,
                owner_unit_id=str(ticket.owner_unit_id or ""),
                owner_department_id=str(ticket.owner_department_id or ""),
                owner_person_ids=people,
            ),
        ),
    ]
