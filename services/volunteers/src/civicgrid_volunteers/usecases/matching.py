"""Finding the best volunteers for a need: the database narrows to those near enough with the
skills (and gives their week), the rules filter and score them."""

from __future__ import annotations

import functools
import json
from collections.abc import Collection
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_volunteers.db.matching_repo import Around, candidates
from civicgrid_volunteers.db.policies_repo import PoliciesRepository
from civicgrid_volunteers.domain.availability import (
    Period,
    WeeklySlot,
    parse_periods,
    parse_slots,
)
from civicgrid_volunteers.domain.matching import Candidate, Match, Need, Record, rank
from civicgrid_volunteers.domain.policy import MatchingPolicy
from civicgrid_volunteers.usecases.context import VolunteersContext

# The database hands this many of the nearest over to the rules per wanted match (the rules
# refuse some: busy, capped, out of their hours).
POOL_PER_MATCH = 5
MIN_POOL = 40
MAX_POOL = 1000


def week_of(moment: datetime, zone: str) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday, in the district's zone, around `moment`."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    monday = datetime.combine(local.date() - timedelta(days=local.weekday()), time(0), tzinfo=tz)
    return monday, monday + timedelta(days=7)


# Volunteers share a few weekly patterns: each distinct one is parsed once per process.
@functools.lru_cache(maxsize=4096)
def _slots(text: str) -> tuple[WeeklySlot, ...]:
    return tuple(parse_slots(json.loads(text)))


@functools.lru_cache(maxsize=4096)
def _periods(text: str) -> tuple[Period, ...]:
    return tuple(parse_periods(json.loads(text)))


def _candidate(row: dict[str, Any]) -> Candidate:
    return Candidate(
        volunteer_id=row["id"],
        person_id=row["person_id"],
        display_name=row["display_name"],
        distance_m=float(row["distance_m"]),
        skills={code: int(s["level"]) for code, s in row["skills"].items()},
        timezone=row["timezone"],
        slots=_slots(row["availability_json"]),
        unavailable=_periods(row["unavailable_json"]),
        grid_id=row["grid_id"],
        community_id=row["community_id"],
        weekly_task_cap=row["weekly_task_cap"],
        weekly_minutes_cap=row["weekly_minutes_cap"],
        on_duty=row["on_duty"],
        safeguarding_until=row["safeguarding_until"],
        paused_until=row["paused_until"],
        active=row["active"],
        record=Record(
            accepted=row["offers_accepted"],
            declined=row["offers_declined"],
            expired=row["offers_expired"],
            completed=row["tasks_completed"],
            no_shows=row["no_shows"],
            late_cancellations=row["late_cancellations"],
        ),
        clashes=row["clashes"],
        week_tasks=row["week_tasks"],
        week_minutes=row["week_minutes"],
        minutes_30d=int(row["minutes_30d"]),
        ignored_recently=row["ignored_recently"],
        visits_with_client=row["visits_with_client"],
    )


async def best_matches(
    ctx: VolunteersContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    need: Need,
    point: tuple[float, float],
    n: int,
    *,
    policy: MatchingPolicy | None = None,
    radius_m: float | None = None,
    exclude: Collection[UUID] = (),
) -> list[Match]:
    """The best n volunteers for the need at point (lat, lon), best first, leaving out
    `exclude` (those already offered the task)."""
    policy = policy or await PoliciesRepository(uow.session, tenant_id).current()
    if radius_m:
        policy = policy.model_copy(update={"radius_m": radius_m})
    now = ctx.clock()
    week_start, week_end = week_of(need.starts_at, ctx.default_timezone)
    around = Around(
        lat=point[0],
        lon=point[1],
        starts_at=need.starts_at,
        ends_at=need.ends_at,
        week_start=week_start,
        week_end=week_end,
        month_ago=now - timedelta(days=30),
        fatigue_since=now - timedelta(days=policy.fatigue_window_days),
        grid_id=need.grid_id,
        community_id=need.community_id,
        client_person_id=need.client_person_id,
    )
    codes = [s.code for s in need.skills]
    pool = max(MIN_POOL, (n + len(exclude)) * POOL_PER_MATCH)
    while True:
        rows = await candidates(uow.session, tenant_id, around, codes, pool)
        found = [_candidate(r) for r in rows if r["id"] not in exclude]
        best = rank(need, found, policy, now, n)
        # Too many of the nearest refused (busy, capped, out of hours): look further, unless
        # the box held no more to give.
        if len(best) >= n or len(rows) < pool or pool >= MAX_POOL:
            return best
        pool *= 4
