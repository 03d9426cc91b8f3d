"""Request and response bodies of volunteers' profiles, tasks, offers and assignments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

# PostgreSQL cannot store U+0000 in text: refused here, naming the field.
NO_NUL = r"^[^\x00]*$"
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
Level = Annotated[int, Field(ge=1, le=5)]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class Slot(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekday: int = Field(ge=0, le=6, description="Monday 0 .. Sunday 6")
    start: HHMM
    end: HHMM = Field(description="00:00 ends the day")


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: AwareDatetime
    end: AwareDatetime


class VolunteerWrite(BaseModel):
    """Registration (every field may be given) and changes (only what changes)."""

    model_config = ConfigDict(extra="forbid")
    person_id: UUID | None = Field(default=None, description="Staff registering someone else")
    display_name: Name | None = None
    skills: dict[Code, Level] | None = Field(default=None, description="Self-declared levels")
    verified_skills: dict[Code, Level] | None = Field(default=None, description="Staff only")
    languages: (
        list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]] | None
    ) = Field(default=None, max_length=20)
    home_lat: Latitude | None = None
    home_lon: Longitude | None = None
    grid_id: UUID | None = None
    community_id: UUID | None = None
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    weekly_availability: list[Slot] | None = Field(default=None, max_length=50)
    unavailable: list[Period] | None = Field(default=None, max_length=50)
    weekly_task_cap: int | None = Field(default=None, ge=0, le=50)
    weekly_minutes_cap: int | None = Field(default=None, ge=0, le=7 * 24 * 60)
    on_duty: bool | None = None
    safeguarding_until: date | None = Field(default=None, description="Staff only")
    active: bool | None = Field(default=None, description="Staff only")


class SkillRead(BaseModel):
    level: int
    verified: bool


class VolunteerRead(BaseModel):
    id: UUID
    person_id: UUID
    display_name: str
    skills: dict[str, SkillRead]
    languages: list[str]
    home_lat: float
    home_lon: float
    grid_id: UUID | None
    community_id: UUID | None
    timezone: str
    weekly_availability: list[Slot]
    unavailable: list[Period]
    weekly_task_cap: int
    weekly_minutes_cap: int
    on_duty: bool
    safeguarding_until: date | None
    paused_until: datetime | None
    active: bool
    reliability: dict[str, int]


class SkillNeed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    min_level: Level = 1


TaskKind = Code
Urgency = Literal["normal", "high", "urgent"]


class TaskWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: TaskKind = Field(description="elderly_visit, escort, quality_supervision, ...")
    title: Name
    description: Annotated[str, StringConstraints(max_length=4000, pattern=NO_NUL)] = ""
    lat: Latitude
    lon: Longitude
    grid_id: UUID | None = None
    community_id: UUID | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    skills: list[SkillNeed] = Field(default_factory=list, max_length=10)
    volunteers_needed: int = Field(default=1, ge=1, le=100)
    urgency: Urgency = "normal"
    needs_safeguarding: bool = False
    client_person_id: UUID | None = Field(default=None, description="Who a visit is for")


class TaskRead(BaseModel):
    id: UUID
    kind: str
    title: str
    description: str
    lat: float
    lon: float
    grid_id: UUID | None
    community_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    skills: list[SkillNeed]
    volunteers_needed: int
    volunteers_accepted: int
    urgency: Urgency
    needs_safeguarding: bool
    status: str
    source: str
    source_ref: str
    client_person_id: UUID | None
    created_at: datetime


class CancelTask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]


class ScorePartRead(BaseModel):
    factor: str
    value: float
    weight: float
    points: float


class OfferRead(BaseModel):
    id: UUID
    task_id: UUID
    volunteer_id: UUID
    round: int
    score: float
    breakdown: list[ScorePartRead]
    status: str
    made_at: datetime
    expires_at: datetime
    answered_at: datetime | None


class AssignmentRead(BaseModel):
    id: UUID
    task_id: UUID
    volunteer_id: UUID
    status: str
    starts_at: datetime
    ends_at: datetime
    accepted_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    late_cancellation: bool
    checked_in_at: datetime | None
    checked_out_at: datetime | None


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: Latitude
    lon: Longitude


class CandidateRead(BaseModel):
    volunteer_id: UUID
    person_id: UUID
    display_name: str
    distance_m: float
    score: float
    breakdown: list[ScorePartRead]
