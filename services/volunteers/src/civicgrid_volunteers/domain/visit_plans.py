"""Weekly visit plans for elderly people living alone: a visit on the same weekday and local
time every week. Each week's task is made ahead of time (LEAD before the visit) so there is
time to find a volunteer, and always for the client, so matching prefers whoever visited before.

Weekly times are wall-clock times in the district's zone: a visit at 10:00 stays at 10:00
across a daylight-saving change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from civicgrid_platform.errors import InvalidInput
from civicgrid_volunteers.domain.matching import SkillNeed
from civicgrid_volunteers.domain.tasks import LONGEST

VISIT_PLAN_TIMER = "visit_plan"
VISIT_PLAN_SOURCE = "visit_plan"
VISIT_KIND = "elderly_visit"
# A visit's task is made this long before the visit...
LEAD = timedelta(days=3)
# ...and never for a visit closer than this: nobody can be found in time for it.
NOTICE = timedelta(hours=2)
WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class VisitPlan:
    id: UUID
    client_person_id: UUID
    title: str
    description: str
    lat: float
    lon: float
    grid_id: UUID | None
    community_id: UUID | None
    weekday: int  # Monday 0 .. Sunday 6
    start: time  # local, in the district's zone
    minutes: int
    skills: tuple[SkillNeed, ...]
    needs_safeguarding: bool
    volunteers_needed: int
    active: bool
    created_at: datetime
    updated_at: datetime
    stopped_at: datetime | None


def parse_start(value: str) -> time:
    try:
        start = time.fromisoformat(value)
    except ValueError:
        raise InvalidInput("a local time as HH:MM", field="start") from None
    if start.tzinfo is not None or start.second or start.microsecond:
        raise InvalidInput("a local time as HH:MM", field="start")
    return start


def check_plan(fields: dict[str, Any]) -> None:
    """A whole plan's fields (a change is checked merged into the plan it changes)."""
    if not -90 < fields["lat"] < 90:
        raise InvalidInput("a latitude between the poles", field="lat")
    if not -180 <= fields["lon"] <= 180:
        raise InvalidInput("a longitude between -180 and 180", field="lon")
    if not 0 <= fields["weekday"] <= 6:
        raise InvalidInput("0 (Monday) .. 6 (Sunday)", field="weekday")
    if not 1 <= fields["minutes"] <= LONGEST:
        raise InvalidInput(f"between 1 and {LONGEST} minutes", field="minutes")
    if fields["volunteers_needed"] < 1:
        raise InvalidInput("at least 1", field="volunteers_needed")
    codes = [s["code"] for s in fields["skills"]]
    if len(codes) != len(set(codes)):
        raise InvalidInput("each skill once", field="skills")


def _at(day: date, start: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, start, tzinfo=zone)


def next_visit(plan: VisitPlan, zone: ZoneInfo, after: datetime) -> datetime:
    """The start of the plan's first visit strictly after `after` (aware, in `zone`)."""
    local = after.astimezone(zone)
    day = local.date() + timedelta(days=(plan.weekday - local.weekday()) % 7)
    visit = _at(day, plan.start, zone)
    if visit <= after:
        visit = _at(day + WEEK, plan.start, zone)
    return visit


def upcoming_visit(plan: VisitPlan, zone: ZoneInfo, now: datetime) -> datetime:
    """The next visit there is still time to find someone for."""
    return next_visit(plan, zone, now + NOTICE)


def first_run(plan: VisitPlan, zone: ZoneInfo, now: datetime) -> datetime:
    """When the plan next makes a task: LEAD before its upcoming visit, or now if that is
    already closer."""
    return max(now, upcoming_visit(plan, zone, now) - LEAD)


def following_run(plan: VisitPlan, zone: ZoneInfo, visit: datetime) -> datetime:
    """After making `visit`'s task: LEAD before the visit after it."""
    return next_visit(plan, zone, visit) - LEAD


def visit_ref(plan_id: UUID, visit: datetime, zone: ZoneInfo) -> str:
    """The task's source reference: one task per plan and local visit date."""
    return f"{plan_id}/{visit.astimezone(zone).date().isoformat()}"


def visit_task_fields(plan: VisitPlan, visit: datetime, zone: ZoneInfo) -> dict[str, Any]:
    starts_at = visit.astimezone(UTC)  # elapsed time from here on, whatever the zone does
    return {
        "kind": VISIT_KIND,
        "title": plan.title,
        "description": plan.description,
        "lat": plan.lat,
        "lon": plan.lon,
        "grid_id": plan.grid_id,
        "community_id": plan.community_id,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=plan.minutes),
        "skills": [{"code": s.code, "min_level": s.min_level} for s in plan.skills],
        "volunteers_needed": plan.volunteers_needed,
        "urgency": "normal",
        "needs_safeguarding": plan.needs_safeguarding,
        "client_person_id": plan.client_person_id,
        "source": VISIT_PLAN_SOURCE,
        "source_ref": visit_ref(plan.id, visit, zone),
    }
