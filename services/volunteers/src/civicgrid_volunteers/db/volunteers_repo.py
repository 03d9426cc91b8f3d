"""Volunteer profiles: insert, read, change. Every query names the tenant (RLS as well)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import volunteers
from civicgrid_volunteers.domain.profiles import Profile, Skill

COUNTERS = (
    "offers_accepted",
    "offers_declined",
    "offers_expired",
    "tasks_completed",
    "no_shows",
    "late_cancellations",
)
_PROFILE = (
    "id",
    "tenant_id",
    "person_id",
    "display_name",
    "skills",
    "languages",
    "home_lat",
    "home_lon",
    "grid_id",
    "community_id",
    "timezone",
    "weekly_availability",
    "unavailable",
    "weekly_task_cap",
    "weekly_minutes_cap",
    "on_duty",
    "safeguarding_until",
    "paused_until",
    "active",
    "created_at",
)
_COLUMNS = [volunteers.c[name] for name in (*_PROFILE, *COUNTERS)]


def skills_json(skills: Mapping[str, Skill]) -> dict[str, dict[str, Any]]:
    return {code: {"level": s.level, "verified": s.verified} for code, s in skills.items()}


def _profile(row: Row[Any]) -> Profile:
    values = row._mapping
    fields = {name: values[name] for name in _PROFILE}
    fields["skills"] = {
        code: Skill(int(s["level"]), bool(s.get("verified")))
        for code, s in fields["skills"].items()
    }
    fields["languages"] = list(fields["languages"])
    return Profile(**fields, counters={name: values[name] for name in COUNTERS})


class VolunteersRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def insert(self, values: Mapping[str, Any]) -> Profile | None:
        """The new profile, or None when the person already has one in this district."""
        statement = (
            insert(volunteers)
            .values(tenant_id=self.tenant_id, **values)
            .on_conflict_do_nothing(index_elements=["tenant_id", "person_id"])
            .returning(*_COLUMNS)
        )
        row = (await self.session.execute(statement)).first()
        return _profile(row) if row else None

    async def get(self, volunteer_id: UUID, *, lock: bool = False) -> Profile | None:
        query = select(*_COLUMNS).where(
            volunteers.c.tenant_id == self.tenant_id, volunteers.c.id == volunteer_id
        )
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return _profile(row) if row else None

    async def by_person(self, person_id: UUID, *, lock: bool = False) -> Profile | None:
        query = select(*_COLUMNS).where(
            volunteers.c.tenant_id == self.tenant_id, volunteers.c.person_id == person_id
        )
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return _profile(row) if row else None

    async def change(self, volunteer_id: UUID, values: Mapping[str, Any]) -> Profile:
        statement = (
            update(volunteers)
            .where(volunteers.c.tenant_id == self.tenant_id, volunteers.c.id == volunteer_id)
            .values(**values, updated_at=func.now())
            .returning(*_COLUMNS)
        )
        row = (await self.session.execute(statement)).one()
        return _profile(row)

    async def count(self, volunteer_id: UUID, **increments: int) -> None:
        """Adds to the reliability counters (offers answered, tasks done, no-shows)."""
        unknown = set(increments) - set(COUNTERS)
        if unknown:
            raise ValueError(f"not a counter: {sorted(unknown)}")
        await self.session.execute(
            update(volunteers)
            .where(volunteers.c.tenant_id == self.tenant_id, volunteers.c.id == volunteer_id)
            .values({volunteers.c[k]: volunteers.c[k] + v for k, v in increments.items()})
        )

    async def page(
        self, after: tuple[str, UUID] | None, limit: int, grid_id: UUID | None = None
    ) -> Sequence[Profile]:
        query = select(*_COLUMNS).where(volunteers.c.tenant_id == self.tenant_id)
        if grid_id is not None:
            query = query.where(volunteers.c.grid_id == grid_id)
        if after is not None:
            query = query.where(
                tuple_(volunteers.c.display_name, volunteers.c.id)
                > tuple_(*(literal(v) for v in after))
            )
        query = query.order_by(volunteers.c.display_name, volunteers.c.id).limit(limit)
        return [_profile(r) for r in await self.session.execute(query)]
