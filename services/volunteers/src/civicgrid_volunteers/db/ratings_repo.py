"""Star ratings, always within one tenant: the district's aspects, the scores branches enter,
the month's service records the computed aspects come from, and the published ratings."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, delete, func, insert, or_, select, text
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import (
    assignments,
    ledger_entries,
    rating_aspects,
    rating_scores,
    ratings,
    volunteers,
)
from civicgrid_volunteers.domain.ledger import TIMEBANK
from civicgrid_volunteers.domain.rating import Aspect, Rating, ServiceRecord

_a, _s, _r = rating_aspects.c, rating_scores.c, ratings.c
# What publishing a month again replaces.
_REPUBLISHED = ("party_branch", "aspects", "total", "stars", "published_at", "published_by")
# Two admins replacing the aspects at once take turns instead of colliding on the unique code.
_LOCK_ASPECTS = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


@dataclass(frozen=True, slots=True)
class StoredRating:
    person_id: UUID
    month: str
    party_branch: str
    total: float
    stars: int
    aspects: list[dict[str, Any]]  # [{code, name, source, weight, score, figure, missing}]
    published_at: datetime
    published_by: str


_RATING = (
    _r.person_id,
    _r.month,
    _r.party_branch,
    _r.total,
    _r.stars,
    _r.aspects,
    _r.published_at,
    _r.published_by,
)


class RatingsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def aspects(self) -> list[Aspect]:
        """The district's configured aspects in their order; empty when it configured none."""
        query = (
            select(_a.code, _a.name, _a.source, _a.weight, _a.full_at)
            .where(_a.tenant_id == self.tenant_id)
            .order_by(_a.position)
        )
        return [Aspect(*row) for row in await self.session.execute(query)]

    async def replace_aspects(self, aspects: Collection[Aspect]) -> None:
        await self.session.execute(_LOCK_ASPECTS, {"key": f"rating_aspects:{self.tenant_id}"})
        await self.session.execute(delete(rating_aspects).where(_a.tenant_id == self.tenant_id))
        rows = [
            {
                "tenant_id": self.tenant_id,
                "code": a.code,
                "name": a.name,
                "source": a.source,
                "weight": a.weight,
                "full_at": a.full_at,
                "position": n,
            }
            for n, a in enumerate(aspects)
        ]
        await self.session.execute(insert(rating_aspects), rows)

    async def enter_scores(
        self, person_id: UUID, month: str, scores: Mapping[str, float], by: str, at: datetime
    ) -> None:
        rows = [
            {
                "tenant_id": self.tenant_id,
                "person_id": person_id,
                "month": month,
                "aspect": code,
                "score": score,
                "entered_by": by,
                "entered_at": at,
            }
            for code, score in scores.items()
        ]
        statement = upsert(rating_scores).values(rows)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[_s.tenant_id, _s.person_id, _s.month, _s.aspect],
                set_={
                    "score": statement.excluded.score,
                    "entered_by": statement.excluded.entered_by,
                    "entered_at": statement.excluded.entered_at,
                },
            )
        )

    async def entered_scores(
        self, person_ids: Collection[UUID], month: str
    ) -> dict[UUID, dict[str, float]]:
        query = select(_s.person_id, _s.aspect, _s.score).where(
            _s.tenant_id == self.tenant_id, _s.month == month, _s.person_id.in_(list(person_ids))
        )
        found: dict[UUID, dict[str, float]] = {}
        for person_id, aspect, score in await self.session.execute(query):
            found.setdefault(person_id, {})[aspect] = score
        return found

    async def service_records(
        self, person_ids: Collection[UUID], start: datetime, end: datetime
    ) -> dict[UUID, ServiceRecord]:
        """Each volunteer's month among `person_ids` (see domain.rating for what counts);
        people who are not volunteers are absent."""
        v = volunteers.c
        people = (
            await self.session.execute(
                select(
                    v.id, v.person_id, v.tasks_completed, v.no_shows, v.late_cancellations
                ).where(v.tenant_id == self.tenant_id, v.person_id.in_(list(person_ids)))
            )
        ).all()
        if not people:
            return {}
        ids = [row.id for row in people]
        minutes = await self._minutes(ids, start, end)
        outcomes = await self._outcomes(ids, start, end)
        records = {}
        for row in people:
            tasks, kept, broken = outcomes.get(row.id, (0, 0, 0))
            records[row.person_id] = ServiceRecord(
                minutes=minutes.get(row.id, 0),
                tasks_completed=tasks,
                kept=kept,
                broken=broken,
                kept_ever=row.tasks_completed,
                broken_ever=row.no_shows + row.late_cancellations,
            )
        return records

    async def _minutes(
        self, volunteer_ids: list[UUID], start: datetime, end: datetime
    ) -> dict[UUID, int]:
        e = ledger_entries.c
        query = (
            select(e.volunteer_id, func.sum(e.minutes))
            .where(
                e.tenant_id == self.tenant_id,
                e.volunteer_id.in_(volunteer_ids),
                e.account != TIMEBANK,
                e.worked_on >= start,
                e.worked_on < end,
            )
            .group_by(e.volunteer_id)
        )
        return {vid: int(total) for vid, total in await self.session.execute(query)}

    async def _outcomes(
        self, volunteer_ids: list[UUID], start: datetime, end: datetime
    ) -> dict[UUID, tuple[int, int, int]]:
        """(completed in the month, kept, broken among those that started in the month)."""
        a = assignments.c
        finished = func.coalesce(a.checked_out_at, a.ends_at)
        done_in_month = and_(a.status == "completed", finished >= start, finished < end)
        started_in_month = and_(a.starts_at >= start, a.starts_at < end)
        broken = or_(a.status == "no_show", and_(a.status == "cancelled", a.late_cancellation))
        query = (
            select(
                a.volunteer_id,
                func.count().filter(done_in_month),
                func.count().filter(and_(started_in_month, a.status == "completed")),
                func.count().filter(and_(started_in_month, broken)),
            )
            .where(
                a.tenant_id == self.tenant_id,
                a.volunteer_id.in_(volunteer_ids),
                or_(started_in_month, done_in_month),
            )
            .group_by(a.volunteer_id)
        )
        return {
            row[0]: (int(row[1]), int(row[2]), int(row[3]))
            for row in await self.session.execute(query)
        }

    async def save_rating(
        self,
        person_id: UUID,
        month: str,
        branch: str,
        rating: Rating,
        by: str,
        at: datetime,
    ) -> None:
        """Stores the person's rating for the month, replacing one published before."""
        values = {
            "tenant_id": self.tenant_id,
            "person_id": person_id,
            "month": month,
            "party_branch": branch,
            "aspects": [
                {
                    "code": a.code,
                    "name": a.name,
                    "source": a.source,
                    "weight": a.weight,
                    "score": a.score,
                    "figure": a.figure,
                    "missing": a.missing,
                }
                for a in rating.aspects
            ],
            "total": rating.total,
            "stars": rating.stars,
            "published_at": at,
            "published_by": by,
        }
        statement = upsert(ratings).values(values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[_r.tenant_id, _r.person_id, _r.month],
                set_={k: statement.excluded[k] for k in _REPUBLISHED},
            )
        )

    async def history(self, person_id: UUID) -> list[StoredRating]:
        """The person's published ratings, latest month first."""
        query = (
            select(*_RATING)
            .where(_r.tenant_id == self.tenant_id, _r.person_id == person_id)
            .order_by(_r.month.desc())
        )
        return [StoredRating(*row) for row in await self.session.execute(query)]

    async def of_branch(self, branch: str, month: str) -> list[StoredRating]:
        """The month's ratings published for the branch, best first."""
        query = (
            select(*_RATING)
            .where(_r.tenant_id == self.tenant_id, _r.party_branch == branch, _r.month == month)
            .order_by(_r.total.desc(), _r.person_id)
        )
        return [StoredRating(*row) for row in await self.session.execute(query)]
