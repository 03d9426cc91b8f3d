"""A district's matching and offer policy: the score's weights, how far to look, how long an
offer stays open, how many urgent offers go out at once, when no-shows pause a volunteer.
Stored per district (PUT /v1/matching-policy); a district that never set one uses DEFAULT."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Urgency = Literal["normal", "high", "urgent"]
URGENCIES: tuple[Urgency, ...] = ("normal", "high", "urgent")
FACTORS = ("proximity", "skill", "reliability", "continuity", "fairness", "fatigue")


class Weights(BaseModel):
    """How much each factor counts; each factor's value is 0..1, so a match scores at most the
    sum of the weights."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    proximity: float = Field(default=0.30, ge=0, le=10)
    skill: float = Field(default=0.15, ge=0, le=10)
    reliability: float = Field(default=0.20, ge=0, le=10)
    continuity: float = Field(default=0.15, ge=0, le=10)
    fairness: float = Field(default=0.10, ge=0, le=10)
    fatigue: float = Field(default=0.10, ge=0, le=10)

    def of(self, factor: str) -> float:
        return float(getattr(self, factor))


class OfferTimeouts(BaseModel):
    """Minutes an offer waits for an answer, by the task's urgency."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    normal: int = Field(default=240, ge=1, le=7 * 24 * 60)
    high: int = Field(default=60, ge=1, le=7 * 24 * 60)
    urgent: int = Field(default=5, ge=1, le=24 * 60)


class MatchingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: Weights = Field(default_factory=Weights)
    # Volunteers farther than this are found only through the same or a neighbouring grid.
    radius_m: float = Field(default=3000, gt=0, le=50_000)
    offer_timeout_minutes: OfferTimeouts = Field(default_factory=OfferTimeouts)
    # Urgent tasks are offered to this many at once; the first to accept fill the slots.
    urgent_parallel: int = Field(default=5, ge=1, le=50)
    # This many no-shows within the window pause new offers for pause_days.
    no_show_limit: int = Field(default=2, ge=1, le=20)
    no_show_window_days: int = Field(default=90, ge=1, le=365)
    pause_days: int = Field(default=30, ge=1, le=365)
    # Cancelling an accepted task closer to its start than this is a late cancellation.
    late_cancellation_hours: int = Field(default=24, ge=0, le=24 * 14)
    # Accepted volunteers are reminded this long before the task.
    reminder_hours: int = Field(default=24, ge=0, le=24 * 14)
    # A volunteer who has not checked in this long after the start is recorded as a no-show.
    no_show_grace_minutes: int = Field(default=30, ge=0, le=24 * 60)
    # Expired (ignored) offers within this window make a volunteer less likely to be asked.
    fatigue_window_days: int = Field(default=14, ge=1, le=90)
    # Fairness: this many minutes served in the last 30 days scores 0 (fewer, more).
    fairness_full_minutes: int = Field(default=1200, ge=1, le=100_000)
    # With nobody to offer to, look again after this long.
    retry_minutes: int = Field(default=15, ge=1, le=24 * 60)

    def offer_timeout(self, urgency: Urgency) -> timedelta:
        return timedelta(minutes=getattr(self.offer_timeout_minutes, urgency))


DEFAULT = MatchingPolicy()
