"""The tenants that hold a district (cross-tenant: ids only)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_grid.db.tables import known_districts


async def record_district(
    session: AsyncSession, tenant_id: UUID, district_unit_id: UUID, at: datetime
) -> None:
    statement = insert(known_districts).values(
        tenant_id=tenant_id, district_unit_id=district_unit_id, imported_at=at
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[known_districts.c.tenant_id],
            set_={"district_unit_id": district_unit_id, "imported_at": at},
        )
    )


async def district_tenants(session: AsyncSession) -> list[UUID]:
    return list(await session.scalars(select(known_districts.c.tenant_id)))
