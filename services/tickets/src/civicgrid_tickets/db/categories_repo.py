"""A district's categories, always within one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_tickets.db.tables import categories
from civicgrid_tickets.domain.categories import Category, category_from_dict, category_to_dict


class CategoriesRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def all(self, *, active_only: bool = True) -> list[Category]:
        c = categories.c
        query = select(
            c.code, c.name, c.description, c.default_priority, c.handled_by, c.attributes
        )
        query = query.where(c.tenant_id == self.tenant_id)
        if active_only:
            query = query.where(c.active == 1)
        rows = await self.session.execute(query.order_by(c.code))
        return [category_from_dict(dict(r._mapping)) for r in rows]

    async def get(self, code: str) -> Category | None:
        found = [c for c in await self.all() if c.code == code]
        return found[0] if found else None

    async def count(self) -> int:
        query = select(func.count()).where(categories.c.tenant_id == self.tenant_id)
        return int(await self.session.scalar(query) or 0)

    async def upsert(self, items: Sequence[Category]) -> None:
        for category in items:
            values = category_to_dict(category)
            values.pop("code")
            statement = insert(categories).values(
                tenant_id=self.tenant_id, code=category.code, active=1, **values
            )
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=[categories.c.tenant_id, categories.c.code],
                    set_={**values, "active": 1, "updated_at": func.now()},
                )
            )

    async def deactivate(self, code: str) -> bool:
        done = await self.session.execute(
            categories.update()
            .where(categories.c.tenant_id == self.tenant_id, categories.c.code == code)
            .values(active=0, updated_at=func.now())
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]
