"""Ticket categories that need volunteers: a district's rule turns a reported ticket of that
category into a task (what kind, how many people with which skills, how long, how soon after
the report). The ticket is described here as the rules need it, not as the tickets service
sends it; the event handler does that mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from string import Formatter
from typing import Any
from uuid import UUID

from civicgrid_platform.errors import InvalidInput
from civicgrid_volunteers.domain.matching import SkillNeed
from civicgrid_volunteers.domain.policy import URGENCIES, Urgency
from civicgrid_volunteers.domain.tasks import KINDS, LONGEST

TICKET_SOURCE = "ticket"
# What a title template may name, e.g. "Help after report {number} ({category})".
TITLE_FIELDS = ("number", "category")
TITLE_LENGTH = 200
DESCRIPTION_LENGTH = 4000
# The longest a task may wait after its report: a rule for "next week" is a visit plan.
LONGEST_DELAY = 14 * 24 * 60  # minutes


@dataclass(frozen=True, slots=True)
class TicketTaskRule:
    category: str
    kind: str
    title: str  # a template, see TITLE_FIELDS
    skills: tuple[SkillNeed, ...]
    volunteers_needed: int
    minutes: int
    urgency: Urgency
    needs_safeguarding: bool
    delay_minutes: int  # from the report to the task's start
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReportedTicket:
    """What a task needs of a reported ticket."""

    id: str
    number: str
    category: str
    description: str
    address: str
    lat: float | None  # None: reported without a location
    lon: float | None
    grid_id: UUID | None
    reported_at: datetime


def check_title(template: str) -> None:
    """Only {number} and {category}, without conversions or format specs; literal braces are
    written twice, as in Python."""
    try:
        parts = list(Formatter().parse(template))
    except ValueError:
        raise InvalidInput(
            "unbalanced braces (write {{ and }} for literal ones)", field="title"
        ) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in TITLE_FIELDS or spec or conversion:
            allowed = ", ".join("{" + f + "}" for f in TITLE_FIELDS)
            raise InvalidInput(f"only {allowed} may be filled in", field="title")


def check_rule(fields: dict[str, Any]) -> None:
    if fields["kind"] not in KINDS:
        raise InvalidInput(f"one of {', '.join(KINDS)}", field="kind")
    check_title(fields["title"])
    if not 1 <= fields["minutes"] <= LONGEST:
        raise InvalidInput(f"between one minute and {LONGEST // 60} hours", field="hours")
    if not 0 <= fields["delay_minutes"] <= LONGEST_DELAY:
        raise InvalidInput(f"between 0 and {LONGEST_DELAY // 60} hours", field="starts_after_hours")
    if fields["urgency"] not in URGENCIES:
        raise InvalidInput(f"one of {', '.join(URGENCIES)}", field="urgency")
    codes = [s["code"] for s in fields["skills"]]
    if len(codes) != len(set(codes)):
        raise InvalidInput("each skill once", field="skills")


def located(ticket: ReportedTicket) -> bool:
    """Whether the ticket has a place a task can be at (not missing, not a pole)."""
    if ticket.lat is None or ticket.lon is None:
        return False
    return -90 < ticket.lat < 90 and -180 <= ticket.lon <= 180


def task_fields(rule: TicketTaskRule, ticket: ReportedTicket) -> dict[str, Any]:
    """The task the rule makes of the ticket; the ticket must be located."""
    if not located(ticket) or ticket.lat is None or ticket.lon is None:
        raise ValueError("a ticket without a usable location makes no task")
    starts_at = ticket.reported_at + timedelta(minutes=rule.delay_minutes)
    title = rule.title.format(number=ticket.number, category=ticket.category)
    description = "\n\n".join(part for part in (ticket.address, ticket.description) if part)
    return {
        "kind": rule.kind,
        "title": title[:TITLE_LENGTH] or ticket.category,
        "description": description[:DESCRIPTION_LENGTH],
        "lat": ticket.lat,
        "lon": ticket.lon,
        "grid_id": ticket.grid_id,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=rule.minutes),
        "skills": [{"code": s.code, "min_level": s.min_level} for s in rule.skills],
        "volunteers_needed": rule.volunteers_needed,
        "urgency": rule.urgency,
        "needs_safeguarding": rule.needs_safeguarding,
        "source": TICKET_SOURCE,
        "source_ref": ticket.id,
    }
