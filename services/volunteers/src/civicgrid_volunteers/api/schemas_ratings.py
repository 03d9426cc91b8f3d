"""Request and response bodies of the star rating's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from civicgrid_volunteers.api.schemas import NO_NUL
from civicgrid_volunteers.domain.rating import FULL_SCORE, MAX_ASPECTS, MAX_WEIGHT

# PostgreSQL text cannot hold NUL; refused here so the answer names the field.
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
Branch = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
]
Score = Annotated[float, Field(ge=0, le=FULL_SCORE, allow_inf_nan=False)]


class AspectWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL)
    ]
    source: Literal["entered", "hours", "tasks", "reliability"] = Field(
        description="entered by the branch, or computed from the month's service records"
    )
    weight: float = Field(default=1.0, gt=0, le=MAX_WEIGHT, allow_inf_nan=False)
    full_at: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Computed aspects only: the figure earning the full 100 (minutes for "
        "hours, completed tasks for tasks, percent of commitments kept for reliability).",
    )


class AspectsWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    aspects: list[AspectWrite] = Field(min_length=1, max_length=MAX_ASPECTS)


class AspectRead(BaseModel):
    code: str
    name: str
    source: str
    weight: float
    full_at: float | None


class AspectsRead(BaseModel):
    configured: bool = Field(description="false: the district uses the built-in eight aspects")
    aspects: list[AspectRead]


class ScoresWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scores: dict[Code, Score] = Field(
        min_length=1, description="Entered aspect code -> score 0..100; others are kept."
    )


class ScoresRead(BaseModel):
    person_id: UUID
    month: str
    scores: dict[str, float]
    missing: list[str] = Field(description="Entered aspects the branch has not scored yet.")


class PublishWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    branch: Branch
    allow_missing: bool = Field(
        default=False, description="Publish although entered scores are missing (they count 0)."
    )


class AspectScoreRead(BaseModel):
    code: str
    name: str
    source: str
    weight: float
    score: float
    figure: float | None = Field(
        default=None, description="What a computed score came from: minutes, tasks or percent."
    )
    missing: bool = False


class RatingRead(BaseModel):
    person_id: UUID
    month: str
    party_branch: str
    total: float = Field(description="Weighted mean of the aspects' scores, 0..100.")
    stars: int = Field(description="<40: 1, <55: 2, <70: 3, <85: 4, otherwise 5")
    aspects: list[AspectScoreRead]
    published_at: datetime
    published_by: str


class BranchRatingsRead(BaseModel):
    branch: str
    month: str
    ratings: list[RatingRead] = Field(description="Best total first.")
