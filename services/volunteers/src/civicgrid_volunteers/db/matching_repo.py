"""Who could take a task: the nearest volunteers with the skills (a GiST index scan inside a box
around the task) and those of the same grid or community, each with what filters and scores
need of their week, all in one statement."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import EARTH_RADIUS_M

# The nearest with the skills: an ordered GiST index scan that stops after `pool` rows. No
# bounding box: with one, the planner misjudges how few rows it holds and scans the table
# (50 ms instead of 1 at 100k volunteers); the rules refuse whoever is too far.
_NEAREST = """
  (SELECT v.id FROM volunteers v
    WHERE v.tenant_id = :tenant AND v.active AND v.skills ?& :codes
    ORDER BY v.home_xy <-> CAST(:here AS point) LIMIT :pool)"""
# Neighbours however far they live: the same grid, the grids of the same community.
_SAME_GRID = """
  (SELECT v.id FROM volunteers v
    WHERE v.tenant_id = :tenant AND v.active AND v.skills ?& :codes AND v.grid_id = :grid
    LIMIT :pool)"""
_SAME_COMMUNITY = """
  (SELECT v.id FROM volunteers v
    WHERE v.tenant_id = :tenant AND v.active AND v.skills ?& :codes
      AND v.community_id = :community
    LIMIT :pool)"""
# Each candidate with what the filters and scores need of their week and history.
_DETAILS = """
SELECT v.id, v.person_id, v.display_name,
       (v.home_xy <-> CAST(:here AS point)) * CAST(:scale AS float8) AS distance_m,
       v.skills, v.timezone, v.weekly_availability::text AS availability_json,
       v.unavailable::text AS unavailable_json, v.grid_id, v.community_id,
       v.weekly_task_cap, v.weekly_minutes_cap, v.on_duty, v.safeguarding_until,
       v.paused_until, v.active, v.offers_accepted, v.offers_declined, v.offers_expired,
       v.tasks_completed, v.no_shows, v.late_cancellations,
       (SELECT count(*) FROM assignments a
         WHERE a.tenant_id = :tenant AND a.volunteer_id = v.id
           AND a.status IN ('accepted', 'confirmed', 'checked_in')
           AND a.starts_at < :ends AND a.ends_at > :starts) AS clashes,
       week.tasks AS week_tasks, week.minutes AS week_minutes,
       (SELECT coalesce(sum(l.minutes), 0) FROM ledger_entries l
         WHERE l.tenant_id = :tenant AND l.volunteer_id = v.id AND l.account <> 'timebank'
           AND l.worked_on > :month_ago) AS minutes_30d,
       (SELECT count(*) FROM offers o
         WHERE o.tenant_id = :tenant AND o.volunteer_id = v.id AND o.status = 'expired'
           AND o.made_at > :fatigue_since) AS ignored_recently,
       (SELECT count(*) FROM assignments a
         WHERE a.tenant_id = :tenant AND a.volunteer_id = v.id
           AND a.client_person_id = :client AND a.status = 'completed') AS visits_with_client
FROM near JOIN volunteers v ON v.id = near.id AND v.tenant_id = :tenant
CROSS JOIN LATERAL (
  SELECT count(*) AS tasks,
         coalesce(sum(extract(epoch FROM a.ends_at - a.starts_at)) / 60, 0)::int AS minutes
    FROM assignments a
   WHERE a.tenant_id = :tenant AND a.volunteer_id = v.id
     AND a.status IN ('accepted', 'confirmed', 'checked_in', 'completed')  -- the week's load
     AND a.starts_at >= :week_start AND a.starts_at < :week_end) AS week
"""


def _statement(grid: bool, community: bool) -> TextClause:
    near = " UNION ".join(
        part
        for part, wanted in ((_NEAREST, True), (_SAME_GRID, grid), (_SAME_COMMUNITY, community))
        if wanted
    )
    return text("WITH near AS (" + near + ")" + _DETAILS)


# Built once: the branches are fixed text, chosen by whether the task names a grid, a community.
_CANDIDATES = {(g, c): _statement(g, c) for g in (False, True) for c in (False, True)}


@dataclass(frozen=True, slots=True)
class Around:
    """Where and when: the task's point and window, the week it falls in, the windows that
    fairness and fatigue look back over."""

    lat: float
    lon: float
    starts_at: datetime
    ends_at: datetime
    week_start: datetime
    week_end: datetime
    month_ago: datetime
    fatigue_since: datetime
    grid_id: UUID | None = None
    community_id: UUID | None = None
    client_person_id: UUID | None = None


def mercator(lat: float, lon: float) -> tuple[float, float]:
    """The same plane as the volunteers.home_xy column (see tables)."""
    return (
        EARTH_RADIUS_M * math.radians(lon),
        EARTH_RADIUS_M * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)),
    )


async def candidates(
    session: AsyncSession,
    tenant_id: UUID,
    around: Around,
    skill_codes: list[str],
    pool: int,
) -> list[dict[str, Any]]:
    x, y = mercator(around.lat, around.lon)
    # Ground metres are plane metres times cos(latitude).
    scale = math.cos(math.radians(around.lat))
    rows = await session.execute(
        _CANDIDATES[(around.grid_id is not None, around.community_id is not None)],
        {
            "tenant": tenant_id,
            "codes": skill_codes,
            "here": asyncpg.Point(x, y),
            "scale": scale,
            "pool": pool,
            "grid": around.grid_id,
            "community": around.community_id,
            "starts": around.starts_at,
            "ends": around.ends_at,
            "week_start": around.week_start,
            "week_end": around.week_end,
            "month_ago": around.month_ago,
            "fatigue_since": around.fatigue_since,
            "client": around.client_person_id,
        },
    )
    return [dict(r._mapping) for r in rows]
