"""The party members' monthly star rating: its aspects, how each is scored, and the stars.

Every aspect scores 0..100 for a month. An aspect is either entered by the member's party
branch (study, mutual help, ...) or computed from the month's service records:

- hours:       minutes credited in the ledger for days worked in the month (corrections
               included, never below 0); `full_at` minutes earn the full score.
- tasks:       assignments completed in the month; `full_at` of them earn the full score.
- reliability: the share (percent) of commitments kept: completed assignments against no-shows
               and late cancellations, among the assignments that started in the month; a month
               without any falls back to the volunteer's standing counters, and a person with no
               record at all scores 0. `full_at` percent earns the full score.

A computed score is 100 * figure / full_at, capped at 100. The total is the weighted mean of the
aspects' scores, and the stars follow from the total (rounded to one decimal, as shown):

    total < 40 -> 1 star,  < 55 -> 2,  < 70 -> 3,  < 85 -> 4,  otherwise 5.

A district that configured no aspects is rated over DEFAULT_ASPECTS (eight, equally weighted).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from civicgrid_platform.errors import InvalidInput

ENTERED: Final = "entered"
HOURS: Final = "hours"
TASKS: Final = "tasks"
RELIABILITY: Final = "reliability"
COMPUTED: Final = (HOURS, TASKS, RELIABILITY)
SOURCES: Final = (ENTERED, *COMPUTED)
MAX_ASPECTS: Final = 20
MAX_WEIGHT: Final = 100.0
FULL_SCORE: Final = 100.0
# (lowest total, stars), best first; a total under the last threshold earns 1 star.
STAR_THRESHOLDS: Final = ((85.0, 5), (70.0, 4), (55.0, 3), (40.0, 2))
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


@dataclass(frozen=True, slots=True)
class Aspect:
    code: str
    name: str
    source: str  # entered, hours, tasks or reliability
    weight: float
    full_at: float | None = None  # computed aspects only: the figure that earns 100


DEFAULT_ASPECTS: Final = (
    Aspect("study", "Political and professional study", ENTERED, 1.0),
    Aspect("mutual_help", "Mutual help among neighbours", ENTERED, 1.0),
    Aspect("pioneering_example", "Pioneering example", ENTERED, 1.0),
    Aspect("activities", "Branch activities and organisational life", ENTERED, 1.0),
    Aspect("service_hours", "Volunteer service hours", HOURS, 1.0, 600.0),  # 10 hours a month
    Aspect("tasks_done", "Volunteer tasks completed", TASKS, 1.0, 4.0),
    Aspect("reliability", "Reliability: commitments kept", RELIABILITY, 1.0, 90.0),
    Aspect("conduct", "Conduct and discipline", ENTERED, 1.0),
)


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One person's service records for a month (all zero for a party member who is not a
    volunteer)."""

    minutes: int = 0  # net ledger minutes for days worked in the month
    tasks_completed: int = 0  # assignments completed in the month
    kept: int = 0  # of the assignments that started in the month: completed
    broken: int = 0  # ... no-shows and late cancellations
    kept_ever: int = 0  # the volunteer's standing counters
    broken_ever: int = 0

    def reliability_percent(self) -> float | None:
        if self.kept + self.broken:
            return 100.0 * self.kept / (self.kept + self.broken)
        if self.kept_ever + self.broken_ever:
            return 100.0 * self.kept_ever / (self.kept_ever + self.broken_ever)
        return None


@dataclass(frozen=True, slots=True)
class AspectScore:
    code: str
    name: str
    source: str
    weight: float
    score: float
    figure: float | None = None  # what a computed score was made from (minutes, tasks, %)
    missing: bool = False  # an entered aspect the branch has not scored (counted as 0)


@dataclass(frozen=True, slots=True)
class Rating:
    total: float
    stars: int
    aspects: tuple[AspectScore, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.aspects if a.missing)


def check_aspects(aspects: Sequence[Aspect]) -> tuple[Aspect, ...]:
    """The district's aspects as given, or InvalidInput naming the field at fault."""
    if not 1 <= len(aspects) <= MAX_ASPECTS:
        raise InvalidInput(f"give 1 to {MAX_ASPECTS} aspects", field="aspects")
    seen: set[str] = set()
    for n, aspect in enumerate(aspects):
        where = f"aspects.{n}"
        if not _CODE.fullmatch(aspect.code):
            raise InvalidInput("a code is lower-case letters, digits and _", field=f"{where}.code")
        if aspect.code in seen:
            raise InvalidInput(f"aspect {aspect.code} is given twice", field=f"{where}.code")
        seen.add(aspect.code)
        if not aspect.name.strip() or len(aspect.name) > 200:
            raise InvalidInput("a name has 1 to 200 characters", field=f"{where}.name")
        if aspect.source not in SOURCES:
            raise InvalidInput(f"source is one of {', '.join(SOURCES)}", field=f"{where}.source")
        if not (math.isfinite(aspect.weight) and 0 < aspect.weight <= MAX_WEIGHT):
            raise InvalidInput(f"weight is > 0 and <= {MAX_WEIGHT:g}", field=f"{where}.weight")
        _check_full_at(aspect, f"{where}.full_at")
    return tuple(aspects)


def _check_full_at(aspect: Aspect, field: str) -> None:
    if aspect.source == ENTERED:
        if aspect.full_at is not None:
            raise InvalidInput("an entered aspect has no full_at", field=field)
        return
    full_at = aspect.full_at
    if full_at is None or not math.isfinite(full_at) or full_at <= 0:
        raise InvalidInput(f"a {aspect.source} aspect needs full_at > 0", field=field)
    if aspect.source == RELIABILITY and full_at > 100:
        raise InvalidInput("reliability's full_at is a percentage (<= 100)", field=field)


def check_entered(aspects: Sequence[Aspect], scores: Mapping[str, float]) -> dict[str, float]:
    """Scores a branch enters: 0..100 each, for the district's entered aspects only."""
    if not scores:
        raise InvalidInput("give at least one aspect's score", field="scores")
    sources = {a.code: a.source for a in aspects}
    checked: dict[str, float] = {}
    for code, value in scores.items():
        field = f"scores.{code}"
        if code not in sources:
            raise InvalidInput(f"the district rates no aspect {code}", field=field)
        if sources[code] != ENTERED:
            raise InvalidInput(f"{code} is computed from service records", field=field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput("a score is a number", field=field)
        if not (math.isfinite(value) and 0 <= value <= FULL_SCORE):
            raise InvalidInput("a score is between 0 and 100", field=field)
        checked[code] = round(float(value), 1)
    return checked


def figure_of(aspect: Aspect, record: ServiceRecord) -> float | None:
    """The service figure a computed aspect is scored from; None for entered aspects and for a
    reliability with no record to go by."""
    if aspect.source == HOURS:
        return float(max(record.minutes, 0))
    if aspect.source == TASKS:
        return float(max(record.tasks_completed, 0))
    if aspect.source == RELIABILITY:
        return record.reliability_percent()
    return None


def computed_score(figure: float | None, full_at: float) -> float:
    if figure is None or figure <= 0:
        return 0.0
    return round(min(FULL_SCORE, FULL_SCORE * figure / full_at), 1)


def score_aspect(
    aspect: Aspect, record: ServiceRecord, entered: Mapping[str, float]
) -> AspectScore:
    if aspect.source == ENTERED:
        given = entered.get(aspect.code)
        score = 0.0 if given is None else min(max(float(given), 0.0), FULL_SCORE)
        return AspectScore(
            aspect.code, aspect.name, ENTERED, aspect.weight, score, missing=given is None
        )
    assert aspect.full_at is not None, "checked by check_aspects"
    figure = figure_of(aspect, record)
    return AspectScore(
        aspect.code,
        aspect.name,
        aspect.source,
        aspect.weight,
        computed_score(figure, aspect.full_at),
        None if figure is None else round(figure, 1),
    )


def stars_for(total: float) -> int:
    for lowest, stars in STAR_THRESHOLDS:
        if total >= lowest:
            return stars
    return 1


def rate(aspects: Sequence[Aspect], record: ServiceRecord, entered: Mapping[str, float]) -> Rating:
    """One person's rating for a month: each aspect's score, their weighted mean, the stars."""
    scored = tuple(score_aspect(a, record, entered) for a in aspects)
    weights = sum(a.weight for a in scored)
    total = round(sum(a.weight * a.score for a in scored) / weights, 1) if weights else 0.0
    return Rating(total, stars_for(total), scored)


def check_month(month: str, field: str = "month") -> str:
    """ "YYYY-MM" (2000-01 .. 2999-12), or InvalidInput naming the field."""
    found = _MONTH.fullmatch(month)
    if not found or not 2000 <= int(found[1]) <= 2999 or not 1 <= int(found[2]) <= 12:
        raise InvalidInput("a month is YYYY-MM", field=field)
    return month


def month_window(month: str, zone: str) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in the district's zone."""
    year, number = (int(part) for part in check_month(month).split("-"))
    tz = ZoneInfo(zone)
    start = datetime(year, number, 1, tzinfo=tz)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    return start, following


def month_of(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


def check_month_begun(month: str, now: datetime, zone: str) -> str:
    """A month that has begun in the district's zone: a later one has no records to rate."""
    if check_month(month) > month_of(now, zone):
        raise InvalidInput("that month has not begun", field="month")
    return month
