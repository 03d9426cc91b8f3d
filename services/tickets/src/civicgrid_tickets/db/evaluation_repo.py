"""The month's counts per unit, rolled up the tree in one SQL pass, and the stored snapshots."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_platform.db.bulk import copy_rows, prefer_hash_joins
from civicgrid_platform.db.driver import driver_connection
from civicgrid_tickets.db.tables import district_scores, evaluation_closings, evaluations
from civicgrid_tickets.domain.evaluation_counts import COUNT_FIELDS

# Each ticket received in the month counts for its grid and every unit above it (unnest of the
# grid and its ancestors), so a community's counts include its grids'. Commitments are counted
# by the deadlines that fall in the month, for the units of their tickets.
_COUNTS = """
WITH received AS (
  SELECT t.*, u.unit_id
  FROM tickets t
  CROSS JOIN LATERAL unnest(array_prepend(t.grid_id, t.ancestor_ids)) AS u(unit_id)
  WHERE t.tenant_id = $1 AND t.created_at >= $2 AND t.created_at < $3 AND t.grid_id IS NOT NULL
), per_unit AS MATERIALIZED (
  SELECT unit_id,
    count(*) AS received,
    count(*) FILTER (WHERE acknowledged_at IS NOT NULL) AS acknowledged,
    count(*) FILTER (WHERE acknowledged_in_time) AS acknowledged_in_time,
    count(*) FILTER (WHERE resolved_at IS NOT NULL) AS resolved,
    count(*) FILTER (WHERE resolved_at IS NOT NULL AND resolved_in_time) AS resolved_on_time,
    count(*) FILTER (WHERE rating IS NOT NULL) AS rated,
    count(*) FILTER (WHERE rating >= 4) AS satisfied,
    percentile_cont(0.5) WITHIN GROUP (
      ORDER BY extract(epoch FROM resolved_at - created_at) / 60
    ) FILTER (WHERE resolved_at IS NOT NULL) AS resolve_minutes_median,
    count(*) FILTER (WHERE resolved_at IS NOT NULL AND highest_level = 'grid') AS resolved_in_grid,
    count(*) FILTER (
      WHERE resolved_at IS NOT NULL AND highest_level IN ('grid', 'community')
    ) AS resolved_in_community,
    count(*) FILTER (WHERE resolved_at IS NOT NULL AND reopen_count > 0) AS reopened
  FROM received GROUP BY unit_id
), promised AS MATERIALIZED (
  SELECT u.unit_id,
    count(*) AS commitments_due,
    count(*) FILTER (WHERE c.done_at IS NOT NULL AND c.done_at <= c.due_at) AS commitments_on_time
  FROM commitments c
  JOIN tickets t ON t.id = c.ticket_id AND t.tenant_id = c.tenant_id
  CROSS JOIN LATERAL unnest(array_prepend(t.grid_id, t.ancestor_ids)) AS u(unit_id)
  WHERE c.tenant_id = $1 AND c.due_at >= $2 AND c.due_at < $3 AND t.grid_id IS NOT NULL
  GROUP BY u.unit_id
)
SELECT m.id, m.parent_id, m.kind,
  coalesce(p.received, 0), coalesce(p.acknowledged, 0), coalesce(p.acknowledged_in_time, 0),
  coalesce(p.resolved, 0), coalesce(p.resolved_on_time, 0), coalesce(p.rated, 0),
  coalesce(p.satisfied, 0), coalesce(p.resolved_in_grid, 0),
  coalesce(p.resolved_in_community, 0), coalesce(p.reopened, 0),
  coalesce(c.commitments_due, 0), coalesce(c.commitments_on_time, 0), p.resolve_minutes_median
FROM map_units m
LEFT JOIN per_unit p ON p.unit_id = m.id
LEFT JOIN promised c ON c.unit_id = m.id
WHERE m.tenant_id = $1 AND m.retired = 0 AND m.kind IN ('district', 'street', 'community', 'grid')
"""

# The columns after unit, parent and level, in the SELECT's order: the counts, then the median.
COUNT_COLUMNS = (*COUNT_FIELDS, "resolve_minutes_median")


_STORED = (
    "tenant_id",
    "month",
    "formula_version",
    "unit_id",
    "parent_id",
    "level",
    "received",
    "score",
    "rank",
    "unranked_reason",
    "figures",
    "counts",
)


class EvaluationRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def counts(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        # Each aggregate once (MATERIALIZED), joined by hash: a nested loop re-aggregating per
        # unit would be quadratic.
        await prefer_hash_joins(self.session)
        connection = await driver_connection(self.session)
        rows = await connection.fetch(_COUNTS, self.tenant_id, start, end)
        return [
            {"unit_id": str(r[0]), "parent_id": str(r[1]) if r[1] else None, "level": r[2]}
            | dict(zip(COUNT_COLUMNS, r[3:], strict=True))
            for r in rows
        ]

    async def closing(self, month: str) -> dict[str, Any] | None:
        c = evaluation_closings.c
        row = (
            await self.session.execute(
                select(c.formula_version, c.units, c.closed_at, c.closed_by).where(
                    c.tenant_id == self.tenant_id, c.month == month
                )
            )
        ).first()
        return dict(row._mapping) if row else None

    async def store(
        self,
        month: str,
        formula_version: int,
        rows: Sequence[tuple[Any, ...]],
        closed_at: datetime,
        closed_by: str,
    ) -> None:
        """rows: (unit_id, parent_id, level, received, score, rank, reason, figures, counts)."""
        await self.session.execute(
            insert(evaluation_closings).values(
                tenant_id=self.tenant_id,
                month=month,
                formula_version=formula_version,
                units=len(rows),
                closed_at=closed_at,
                closed_by=closed_by,
            )
        )
        await copy_rows(
            self.session,
            evaluations,
            _STORED,
            [
                (
                    self.tenant_id,
                    month,
                    formula_version,
                    *row[:7],
                    json.dumps(row[7]),
                    json.dumps(row[8]),
                )
                for row in rows
            ],
        )

    async def stored(self, month: str) -> list[dict[str, Any]]:
        e = evaluations.c
        query = (
            select(
                e.unit_id,
                e.parent_id,
                e.level,
                e.formula_version,
                e.received,
                e.score,
                e.rank,
                e.unranked_reason,
                e.figures,
                e.counts,
            )
            .where(e.tenant_id == self.tenant_id, e.month == month)
            .order_by(e.level, e.parent_id, e.rank.nulls_last(), e.unit_id)
        )
        return [dict(r._mapping) for r in await self.session.execute(query)]

    async def publish_district(
        self,
        month: str,
        district_unit_id: UUID,
        received: int,
        score: float | None,
        figures: dict[str, Any],
    ) -> None:
        values = {
            "district_unit_id": district_unit_id,
            "received": received,
            "score": score,
            "figures": figures,
        }
        statement = insert(district_scores).values(tenant_id=self.tenant_id, month=month, **values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[district_scores.c.tenant_id, district_scores.c.month], set_=values
            )
        )


async def city_view(session: AsyncSession, month: str) -> list[dict[str, Any]]:
    """Every district's headline figures for the month (platform admins)."""
    d = district_scores.c
    query = select(d.tenant_id, d.district_unit_id, d.received, d.score, d.figures).where(
        d.month == month
    )
    rows = await session.execute(query.order_by(d.score.desc().nulls_last(), d.tenant_id))
    return [dict(r._mapping) for r in rows]
