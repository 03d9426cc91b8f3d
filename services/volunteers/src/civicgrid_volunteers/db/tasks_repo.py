"""Tasks: insert, read, and the atomic slot counter the last free place depends on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_volunteers.db.tables import tasks
from civicgrid_volunteers.domain.matching import SkillNeed
from civicgrid_volunteers.domain.tasks import OPEN, Task

_FIELDS = (
    "id",
    "tenant_id",
    "kind",
    "title",
    "description",
    "lat",
    "lon",
    "grid_id",
    "community_id",
    "starts_at",
    "ends_at",
    "skills",
    "volunteers_needed",
    "volunteers_accepted",
    "urgency",
    "needs_safeguarding",
    "status",
    "source",
    "source_ref",
    "client_person_id",
    "offer_round",
    "created_at",
)
_COLUMNS = [tasks.c[name] for name in _FIELDS]


def _task(row: Row[Any]) -> Task:
    values = dict(row._mapping)
    values["skills"] = tuple(SkillNeed(s["code"], int(s["min_level"])) for s in values["skills"])
    return Task(**values)


class TasksRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def insert(self, values: Mapping[str, Any]) -> Task:
        statement = tasks.insert().values(tenant_id=self.tenant_id, **values).returning(*_COLUMNS)
        return _task((await self.session.execute(statement)).one())

    async def get(self, task_id: UUID, *, lock: bool = False) -> Task | None:
        query = select(*_COLUMNS).where(tasks.c.tenant_id == self.tenant_id, tasks.c.id == task_id)
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return _task(row) if row else None

    async def by_key(
        self, *, idempotency_key: str | None = None, source: tuple[str, str] | None = None
    ) -> Task | None:
        query = select(*_COLUMNS).where(tasks.c.tenant_id == self.tenant_id)
        if idempotency_key is not None:
            query = query.where(tasks.c.idempotency_key == idempotency_key)
        elif source is not None:
            query = query.where(tasks.c.source == source[0], tasks.c.source_ref == source[1])
        else:
            return None
        row = (await self.session.execute(query)).first()
        return _task(row) if row else None

    async def take_slot(self, task_id: UUID) -> Task | None:
        """One more volunteer on the task, if a slot is free: the row lock makes concurrent
        accepts queue here, and the guard lets exactly as many through as there are slots."""
        statement = (
            update(tasks)
            .where(
                tasks.c.tenant_id == self.tenant_id,
                tasks.c.id == task_id,
                tasks.c.status == OPEN,
                tasks.c.volunteers_accepted < tasks.c.volunteers_needed,
            )
            .values(volunteers_accepted=tasks.c.volunteers_accepted + 1)
            .returning(*_COLUMNS)
        )
        row = (await self.session.execute(statement)).first()
        return _task(row) if row else None

    async def give_back_slot(self, task_id: UUID) -> Task:
        statement = (
            update(tasks)
            .where(tasks.c.tenant_id == self.tenant_id, tasks.c.id == task_id)
            .values(volunteers_accepted=tasks.c.volunteers_accepted - 1)
            .returning(*_COLUMNS)
        )
        return _task((await self.session.execute(statement)).one())

    async def change(self, task_id: UUID, **values: Any) -> Task:
        statement = (
            update(tasks)
            .where(tasks.c.tenant_id == self.tenant_id, tasks.c.id == task_id)
            .values(**values)
            .returning(*_COLUMNS)
        )
        return _task((await self.session.execute(statement)).one())

    async def page(
        self, status: str | None, after: tuple[Any, UUID] | None, limit: int
    ) -> Sequence[Task]:
        query = select(*_COLUMNS).where(tasks.c.tenant_id == self.tenant_id)
        if status is not None:
            query = query.where(tasks.c.status == status)
        if after is not None:
            query = query.where(
                tuple_(tasks.c.starts_at, tasks.c.id) > tuple_(*(literal(v) for v in after))
            )
        query = query.order_by(tasks.c.starts_at, tasks.c.id).limit(limit)
        return [_task(r) for r in await self.session.execute(query)]
