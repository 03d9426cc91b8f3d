"""The event types notifications speaks about, and the variables each offers its templates.

A template may use only its event type's variables: saving one that names another is refused
(see domain.templates), so a message can never fail to render at send time. Every template also
gets `recipient_name` and `district`."""

from __future__ import annotations

from dataclasses import dataclass

from civicgrid_notifications.domain.channels import Category

COMMON = frozenset({"recipient_name", "district"})
_TICKET = frozenset({"ticket_id", "ticket_number", "ticket_category"})


@dataclass(frozen=True, slots=True)
class EventSpec:
    category: Category
    variables: frozenset[str]

    @property
    def all_variables(self) -> frozenset[str]:
        return self.variables | COMMON


def _spec(category: Category, *names: str, ticket: bool = False) -> EventSpec:
    return EventSpec(category, frozenset(names) | (_TICKET if ticket else frozenset()))


# Short event types ("ticket.created"): the CloudEvent type without "civicgrid.<domain>.v1.".
EVENTS: dict[str, EventSpec] = {
    # tickets
    "ticket.created": _spec(Category.MY_REPORTS, "description", "address", ticket=True),
    "ticket.assigned": _spec(Category.WORK, "level", ticket=True),
    "ticket.status_changed": _spec(Category.MY_REPORTS, "status", "note", ticket=True),
    "ticket.transferred": _spec(Category.WORK, "note", ticket=True),
    "ticket.escalated": _spec(Category.WORK, "level", "reason", ticket=True),
    "ticket.sla_warning": _spec(Category.SLA, "clock", "due_at", "level", ticket=True),
    "ticket.sla_breached": _spec(Category.SLA_BREACH, "clock", "due_at", "level", ticket=True),
    "ticket.commented": _spec(Category.MY_REPORTS, ticket=True),
    "ticket.rated": _spec(Category.WORK, "rating", "comment", ticket=True),
    "meeting.scheduled": _spec(Category.WORK, "level", "held_at", "tickets"),
    "commitment.made": _spec(Category.SLA, "action", "due_at", "responsible", ticket=True),
    "commitment.overdue": _spec(Category.SLA, "action", "due_at", "responsible", ticket=True),
    # volunteers
    "offer.made": _spec(Category.VOLUNTEERING, "task_id", "expires_at"),
    "task.reminder": _spec(Category.VOLUNTEERING, "task_id", "starts_at"),
    "rating.published": _spec(Category.VOLUNTEERING, "month", "stars"),
    "loan.created": _spec(Category.LENDING, "loan_id", "due_at"),
    "loan.due_soon": _spec(Category.LENDING, "loan_id", "due_at"),
    "loan.overdue": _spec(Category.LENDING, "loan_id", "due_at"),
    "hold.ready": _spec(Category.LENDING, "hold_id", "kept_until"),
    # identity
    "person.registered": _spec(Category.ACCOUNT),
    "role.granted": _spec(Category.ACCOUNT, "role"),
    # the alert chain (notifications' own)
    "alert.raised": _spec(Category.ALERTS, "person_name", "address", "phone", "alert_id"),
    "alert.reminder": _spec(Category.ALERTS, "person_name", "address", "phone", "alert_id"),
    "device.offline": _spec(Category.WORK, "person_name", "device_id", "last_seen_at"),
    # the officials' daily digest
    "digest.daily": _spec(Category.SLA, "day", "breached", "due", "breached_count", "due_count"),
}


def short_type(cloudevent_type: str) -> str:
    """ "civicgrid.tickets.v1.ticket.created" -> "ticket.created"."""
    parts = cloudevent_type.split(".", 3)
    return parts[3] if len(parts) == 4 and parts[0] == "civicgrid" else cloudevent_type
