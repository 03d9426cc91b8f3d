"""A volunteer's profile as the rules see it: skills with levels (some verified by staff, which
the volunteer cannot change), where they live, when they can serve, how much per week."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import available_timezones

from civicgrid_platform.errors import Forbidden, InvalidInput
from civicgrid_volunteers.domain.availability import parse_periods, parse_slots
from civicgrid_volunteers.domain.matching import MAX_LEVEL

# What only staff may set on a profile.
STAFF_FIELDS = frozenset({"verified_skills", "safeguarding_until", "active"})
# What a profile always has (null clears grid_id, community_id and safeguarding_until only).
KEPT_FIELDS = frozenset(
    {
        "display_name",
        "languages",
        "home_lat",
        "home_lon",
        "timezone",
        "weekly_availability",
        "unavailable",
        "weekly_task_cap",
        "weekly_minutes_cap",
        "on_duty",
        "active",
    }
)


@dataclass(frozen=True, slots=True)
class Skill:
    level: int
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    id: UUID
    tenant_id: UUID
    person_id: UUID
    display_name: str
    skills: dict[str, Skill]
    languages: list[str]
    home_lat: float
    home_lon: float
    grid_id: UUID | None
    community_id: UUID | None
    timezone: str
    weekly_availability: list[dict[str, Any]]
    unavailable: list[dict[str, Any]]
    weekly_task_cap: int
    weekly_minutes_cap: int
    on_duty: bool
    safeguarding_until: date | None
    paused_until: datetime | None
    active: bool
    created_at: datetime
    counters: dict[str, int] = field(default_factory=dict)


def check_timezone(zone: str) -> str:
    if zone not in available_timezones():
        raise InvalidInput("an IANA time zone such as Asia/Shanghai", field="timezone")
    return zone


def check_schedule(changes: Mapping[str, Any]) -> None:
    """The schedule fields given (a null is left to check_not_cleared)."""
    if changes.get("weekly_availability") is not None:
        parse_slots(changes["weekly_availability"])
    if changes.get("unavailable") is not None:
        parse_periods(changes["unavailable"])
    if changes.get("timezone") is not None:
        check_timezone(changes["timezone"])


def check_not_cleared(changes: Mapping[str, Any]) -> None:
    """A change may set these, never clear them: a profile always has them."""
    for name in sorted(KEPT_FIELDS & set(changes)):
        if changes[name] is None:
            raise InvalidInput("must not be null", field=name)


def merged_skills(
    current: Mapping[str, Skill],
    claimed: Mapping[str, int] | None,
    verified: Mapping[str, int] | None,
) -> dict[str, Skill]:
    """Skills after a change: `claimed` replaces the volunteer's own (unverified) skills and
    keeps every verified one; `verified` (staff only) sets levels as verified."""
    skills = dict(current)
    if claimed is not None:
        skills = {code: s for code, s in skills.items() if s.verified}
        for code, level in claimed.items():
            _check_level(code, level, "skills")
            if code in skills:
                continue  # a verified level is staff's to change
            skills[code] = Skill(level)
    for code, level in (verified or {}).items():
        _check_level(code, level, "verified_skills")
        skills[code] = Skill(level, verified=True)
    return skills


def _check_level(code: str, level: int, field: str) -> None:
    if not code or len(code) > 48:
        raise InvalidInput("skill codes of 1 to 48 characters", field=field)
    if not 1 <= level <= MAX_LEVEL:
        raise InvalidInput(f"levels 1..{MAX_LEVEL}", field=f"{field}.{code}")


def check_own_changes(changes: Mapping[str, Any]) -> None:
    """What a volunteer may change on their own profile: all but the staff fields."""
    refused = sorted(STAFF_FIELDS & set(changes))
    if refused:
        raise Forbidden(f"only staff set {', '.join(refused)}")
