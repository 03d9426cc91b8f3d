"""Districts by slug (cross-tenant: slugs and ids only)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_tickets.db.tables import jurisdictions


async def remember_jurisdiction(
    session: AsyncSession, tenant_id: UUID, slug: str, name: str
) -> None:
    statement = insert(jurisdictions).values(slug=slug, tenant_id=tenant_id, name=name)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[jurisdictions.c.slug], set_={"tenant_id": tenant_id, "name": name}
        )
    )


async def tenant_of(session: AsyncSession, slug: str) -> UUID | None:
    found = await session.scalar(
        select(jurisdictions.c.tenant_id).where(jurisdictions.c.slug == slug)
    )
    return found


async def all_jurisdictions(session: AsyncSession) -> list[tuple[str, UUID]]:
    rows = await session.execute(select(jurisdictions.c.slug, jurisdictions.c.tenant_id))
    return [(r.slug, r.tenant_id) for r in rows]
