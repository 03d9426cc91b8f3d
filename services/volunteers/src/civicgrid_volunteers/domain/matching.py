"""Matching, as rules: which volunteers a task may be offered to (each filter names what it
refuses), and how the rest are ranked (a weighted score whose parts add up to the total and are
stored with every offer, so staff and volunteers can see why)."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from civicgrid_volunteers.domain.availability import Period, WeeklySlot, fits, free_of
from civicgrid_volunteers.domain.policy import FACTORS, MatchingPolicy

MAX_LEVEL = 5
SHORTLIST_MARGIN = 5


@dataclass(frozen=True, slots=True)
class SkillNeed:
    code: str
    min_level: int = 1


@dataclass(frozen=True, slots=True)
class Need:
    """What a task asks of a volunteer."""

    starts_at: datetime
    ends_at: datetime
    skills: tuple[SkillNeed, ...] = ()
    urgent: bool = False
    needs_safeguarding: bool = False
    grid_id: UUID | None = None
    community_id: UUID | None = None
    client_person_id: UUID | None = None

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class Record:
    """A volunteer's history as matching weighs it."""

    accepted: int = 0
    declined: int = 0
    expired: int = 0
    completed: int = 0
    no_shows: int = 0
    late_cancellations: int = 0


@dataclass(frozen=True, slots=True)
class Candidate:
    """One volunteer near a task, with what the database knows of their week around it."""

    volunteer_id: UUID
    person_id: UUID
    display_name: str
    distance_m: float
    skills: dict[str, int]
    timezone: str
    slots: tuple[WeeklySlot, ...] = ()
    unavailable: tuple[Period, ...] = ()
    grid_id: UUID | None = None
    community_id: UUID | None = None
    weekly_task_cap: int = 3
    weekly_minutes_cap: int = 600
    on_duty: bool = False
    safeguarding_until: date | None = None
    paused_until: datetime | None = None
    active: bool = True
    record: Record = field(default_factory=Record)
    clashes: int = 0  # accepted tasks overlapping the window
    week_tasks: int = 0  # accepted tasks in the task's week
    week_minutes: int = 0
    minutes_30d: int = 0  # served in the last 30 days
    ignored_recently: int = 0  # offers left to expire within the fatigue window
    visits_with_client: int = 0  # completed tasks for the same person


@dataclass(frozen=True, slots=True)
class ScorePart:
    factor: str
    value: float  # 0..1, higher is better
    weight: float
    points: float


@dataclass(frozen=True, slots=True)
class Match:
    candidate: Candidate
    score: float
    parts: tuple[ScorePart, ...]


def refusal(need: Need, c: Candidate, policy: MatchingPolicy, now: datetime) -> str | None:
    """The first filter that refuses this volunteer for this task, or None if none does."""
    if not c.active:
        return "inactive"
    if c.paused_until is not None and c.paused_until > now:
        return "paused"
    for skill in need.skills:
        if c.skills.get(skill.code, 0) < skill.min_level:
            return "skills"
    if need.needs_safeguarding and (
        c.safeguarding_until is None or c.safeguarding_until < need.ends_at.date()
    ):
        return "safeguarding"
    if need.urgent and not c.on_duty:
        return "off_duty"
    near = c.distance_m <= policy.radius_m
    same_area = (need.grid_id is not None and c.grid_id == need.grid_id) or (
        need.community_id is not None and c.community_id == need.community_id
    )
    if not (near or same_area):
        return "distance"
    if not free_of(c.unavailable, need.starts_at, need.ends_at):
        return "unavailable"
    # On duty for urgent requests means ready outside the weekly slots too.
    if not (need.urgent or fits(c.slots, c.timezone, need.starts_at, need.ends_at)):
        return "availability"
    if c.clashes:
        return "clash"
    if c.week_tasks + 1 > c.weekly_task_cap:
        return "weekly_task_cap"
    if c.week_minutes + need.minutes > c.weekly_minutes_cap:
        return "weekly_hours_cap"
    return None


def factor_values(need: Need, c: Candidate, policy: MatchingPolicy) -> dict[str, float]:
    r = c.record
    # Laplace-smoothed, so a newcomer starts in the middle rather than at either end.
    answering = (r.accepted + 1) / (r.accepted + r.declined + r.expired + 2)
    keeping = (r.completed + 1) / (r.completed + r.no_shows + r.late_cancellations + 1)
    levels = [
        (c.skills.get(s.code, 0) - s.min_level + 1) / (MAX_LEVEL - s.min_level + 1)
        for s in need.skills
    ]
    return {
        "proximity": max(0.0, 1 - c.distance_m / policy.radius_m),
        "skill": sum(levels) / len(levels) if levels else 1.0,
        "reliability": answering * keeping,
        "continuity": min(c.visits_with_client, 3) / 3 if need.client_person_id else 0.0,
        "fairness": max(0.0, 1 - c.minutes_30d / policy.fairness_full_minutes),
        "fatigue": max(0.0, 1 - c.ignored_recently / 3),
    }


def score(need: Need, c: Candidate, policy: MatchingPolicy) -> Match:
    values = factor_values(need, c, policy)
    parts = tuple(
        ScorePart(
            factor,
            round(values[factor], 4),
            policy.weights.of(factor),
            round(values[factor] * policy.weights.of(factor), 4),
        )
        for factor in FACTORS
    )
    return Match(c, round(sum(p.points for p in parts), 4), parts)


def rank(
    need: Need,
    candidates: Sequence[Candidate],
    policy: MatchingPolicy,
    now: datetime,
    n: int,
) -> list[Match]:
    """The best n that pass every filter, best first (ties: nearer, then by id, so a ranking
    is repeatable)."""
    weights = [(f, policy.weights.of(f)) for f in FACTORS]

    def total(c: Candidate) -> float:
        values = factor_values(need, c, policy)
        return sum(values[f] * w for f, w in weights)

    passing = [c for c in candidates if refusal(need, c, policy, now) is None]
    # Breakdowns only for the few that can make the list: a rounded score differs from the
    # exact total by less than the margin's worth of places.
    shortlist = heapq.nsmallest(
        n + SHORTLIST_MARGIN, passing, key=lambda c: (-total(c), c.distance_m, c.volunteer_id)
    )
    scored = [score(need, c, policy) for c in shortlist]
    scored.sort(key=lambda m: (-m.score, m.candidate.distance_m, m.candidate.volunteer_id))
    return scored[:n]
