"""Departments and the categories they handle, within one tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_grid.db.tables import departments


@dataclass(frozen=True, slots=True)
class DepartmentRecord:
    id: UUID
    tenant_id: UUID
    name: str
    contact: str
    categories: list[str]
    jurisdiction_unit_ids: list[UUID]


def _record(row: Any) -> DepartmentRecord:
    m = row._mapping
    return DepartmentRecord(
        m["id"],
        m["tenant_id"],
        m["name"],
        m["contact"],
        list(m["categories"]),
        list(m["jurisdiction_unit_ids"]),
    )


class DepartmentsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _live(self) -> Any:
        return select(departments).where(
            departments.c.tenant_id == self.tenant_id, departments.c.deleted_at.is_(None)
        )

    async def add(self, **values: Any) -> DepartmentRecord:
        stmt = (
            insert(departments).values(tenant_id=self.tenant_id, **values).returning(*departments.c)
        )
        return _record((await self.session.execute(stmt)).one())

    async def get(self, department_id: UUID) -> DepartmentRecord | None:
        row = (
            await self.session.execute(self._live().where(departments.c.id == department_id))
        ).first()
        return _record(row) if row else None

    async def update(self, department_id: UUID, **values: Any) -> DepartmentRecord:
        stmt = (
            update(departments)
            .where(departments.c.tenant_id == self.tenant_id, departments.c.id == department_id)
            .values(updated_at=func.now(), **values)
            .returning(*departments.c)
        )
        return _record((await self.session.execute(stmt)).one())

    async def delete(self, department_id: UUID) -> None:
        await self.session.execute(
            update(departments)
            .where(departments.c.tenant_id == self.tenant_id, departments.c.id == department_id)
            .values(deleted_at=func.now())
        )

    async def page(self, *, after_name: str | None, limit: int) -> list[DepartmentRecord]:
        query = self._live().order_by(departments.c.name, departments.c.id).limit(limit)
        if after_name is not None:
            query = query.where(departments.c.name > after_name)
        return [_record(r) for r in await self.session.execute(query)]

    async def handling(self, category: str) -> list[DepartmentRecord]:
        query = self._live().where(departments.c.categories.contains([category]))
        return [_record(r) for r in await self.session.execute(query)]
