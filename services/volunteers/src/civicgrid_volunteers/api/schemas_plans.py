"""Request and response bodies of ticket task rules and weekly visit plans."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from civicgrid_volunteers.api.schemas import (
    HHMM,
    Longitude,
    Name,
    SkillNeed,
    TaskKind,
    Urgency,
)
from civicgrid_volunteers.domain.tasks import LONGEST
from civicgrid_volunteers.domain.ticket_tasks import LONGEST_DELAY

# As the tickets service writes its categories.
CATEGORY_PATTERN = r"^[a-z][a-z0-9_]{1,63}$"
Description = Annotated[str, StringConstraints(max_length=4000)]
Weekday = Annotated[int, Field(ge=0, le=6, description="Monday 0 .. Sunday 6")]
Minutes = Annotated[int, Field(ge=1, le=LONGEST)]
Needed = Annotated[int, Field(ge=1, le=100)]
# A home, so not at a pole (where the map the matching searches on has no place for it).
HomeLatitude = Annotated[float, Field(gt=-90, lt=90)]


class TicketTaskRuleWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: TaskKind = Field(description="elderly_visit, escort, quality_supervision, ...")
    title: Name = Field(description="A template: {number} and {category} are filled in")
    skills: list[SkillNeed] = Field(default_factory=list, max_length=10)
    volunteers_needed: Needed = 1
    hours: float = Field(gt=0, le=LONGEST / 60, description="How long the task lasts")
    urgency: Urgency = "normal"
    needs_safeguarding: bool = False
    starts_after_hours: float = Field(
        default=0, ge=0, le=LONGEST_DELAY / 60, description="From the report to the start"
    )


class TicketTaskRuleRead(BaseModel):
    category: str
    kind: str
    title: str
    skills: list[SkillNeed]
    volunteers_needed: int
    hours: float
    urgency: Urgency
    needs_safeguarding: bool
    starts_after_hours: float
    updated_at: datetime


class VisitPlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_person_id: UUID = Field(description="The elderly person visited")
    title: Name = "Weekly visit"
    description: Description = ""
    lat: HomeLatitude = Field(description="The home")
    lon: Longitude
    grid_id: UUID | None = None
    community_id: UUID | None = None
    weekday: Weekday
    start: HHMM = Field(description="Local time in the district's zone")
    minutes: Minutes = 60
    skills: list[SkillNeed] = Field(default_factory=list, max_length=10)
    needs_safeguarding: bool = True
    volunteers_needed: Needed = 1
    active: bool = True


class VisitPlanUpdate(BaseModel):
    """Only what changes. A new weekday or time applies from the next visit whose task has
    not been made yet; the rest from the next task made."""

    model_config = ConfigDict(extra="forbid")
    title: Name | None = None
    description: Description | None = None
    lat: HomeLatitude | None = None
    lon: Longitude | None = None
    grid_id: UUID | None = None
    community_id: UUID | None = None
    weekday: Weekday | None = None
    start: HHMM | None = None
    minutes: Minutes | None = None
    skills: list[SkillNeed] | None = Field(default=None, max_length=10)
    needs_safeguarding: bool | None = None
    volunteers_needed: Needed | None = None
    active: bool | None = None


class VisitPlanRead(BaseModel):
    id: UUID
    client_person_id: UUID
    title: str
    description: str
    lat: float
    lon: float
    grid_id: UUID | None
    community_id: UUID | None
    weekday: int
    start: str
    minutes: int
    skills: list[SkillNeed]
    needs_safeguarding: bool
    volunteers_needed: int
    active: bool
    next_visit_at: datetime | None = Field(description="The next visit; None when stopped")
    created_at: datetime
    updated_at: datetime
    stopped_at: datetime | None
