"""A task as the rules see it, and the states it goes through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from civicgrid_platform.errors import InvalidInput
from civicgrid_volunteers.domain.matching import Need, SkillNeed
from civicgrid_volunteers.domain.policy import URGENCIES, Urgency

KINDS = (
    "elderly_visit",
    "escort",
    "quality_supervision",
    "dispute_mediation",
    "tool_delivery",
    "emergency_check_on",
)
SOURCES = ("staff", "ticket", "alert", "visit_plan", "loan")
# open: looking for volunteers; filled: every slot taken; completed / cancelled: over.
OPEN, FILLED, COMPLETED, CANCELLED = "open", "filled", "completed", "cancelled"
LONGEST = 24 * 60  # minutes: a task is a visit or a shift, not a week


@dataclass(frozen=True, slots=True)
class Task:
    id: UUID
    tenant_id: UUID
    kind: str
    title: str
    description: str
    lat: float
    lon: float
    grid_id: UUID | None
    community_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    skills: tuple[SkillNeed, ...]
    volunteers_needed: int
    volunteers_accepted: int
    urgency: Urgency
    needs_safeguarding: bool
    status: str
    source: str
    source_ref: str
    client_person_id: UUID | None
    offer_round: int
    created_at: datetime

    @property
    def need(self) -> Need:
        return Need(
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            skills=self.skills,
            urgent=self.urgency == "urgent",
            needs_safeguarding=self.needs_safeguarding,
            grid_id=self.grid_id,
            community_id=self.community_id,
            client_person_id=self.client_person_id,
        )

    @property
    def open_slots(self) -> int:
        return self.volunteers_needed - self.volunteers_accepted


def check_new_task(fields: dict[str, Any], now: datetime) -> None:
    starts, ends = fields["starts_at"], fields["ends_at"]
    if ends <= starts:
        raise InvalidInput("after starts_at", field="ends_at")
    if (ends - starts).total_seconds() > LONGEST * 60:
        raise InvalidInput("at most 24 hours after starts_at", field="ends_at")
    if ends <= now:
        raise InvalidInput("a window that has not ended yet", field="ends_at")
    if fields.get("urgency", "normal") not in URGENCIES:
        raise InvalidInput(f"one of {', '.join(URGENCIES)}", field="urgency")
    if fields.get("source", "staff") not in SOURCES:
        raise InvalidInput(f"one of {', '.join(SOURCES)}", field="source")
    codes = [s["code"] for s in fields.get("skills", [])]
    if len(codes) != len(set(codes)):
        raise InvalidInput("each skill once", field="skills")
