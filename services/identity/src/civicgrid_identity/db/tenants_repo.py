"""Tenants and the platform-level directories that find a tenant from an id that arrives alone."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_identity.db.tables import (
    client_directory,
    device_directory,
    refresh_token_directory,
    tenants,
)
from civicgrid_identity.domain.model import Tenant
from civicgrid_platform.db import driver

# Every alert press asks it first: straight through the driver (platform db.driver).
_TENANT_OF_DEVICE = "SELECT tenant_id FROM device_directory WHERE device_id = $1"


def _tenant(row: object) -> Tenant:
    m = row._mapping  # type: ignore[attr-defined]
    return Tenant(
        m["id"], m["slug"], m["name"], m["city"], m["timezone"], m["locale"], m["created_at"]
    )


class TenantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, slug: str, name: str, city: str, timezone: str, locale: str
    ) -> Tenant | None:
        """None when the slug is taken."""
        stmt = (
            pg_insert(tenants)
            .values(slug=slug, name=name, city=city, timezone=timezone, locale=locale)
            .on_conflict_do_nothing(index_elements=["slug"])
            .returning(*tenants.c)
        )
        row = (await self.session.execute(stmt)).first()
        return _tenant(row) if row else None

    async def by_slug(self, slug: str) -> Tenant | None:
        row = (await self.session.execute(select(tenants).where(tenants.c.slug == slug))).first()
        return _tenant(row) if row else None

    async def by_id(self, tenant_id: UUID) -> Tenant | None:
        row = (await self.session.execute(select(tenants).where(tenants.c.id == tenant_id))).first()
        return _tenant(row) if row else None

    async def in_city(self, city: str, *, after_slug: str | None, limit: int) -> list[Tenant]:
        query = select(tenants).where(tenants.c.city == city).order_by(tenants.c.slug).limit(limit)
        if after_slug is not None:
            query = query.where(tenants.c.slug > after_slug)
        return [_tenant(r) for r in await self.session.execute(query)]

    async def page(self, *, after_slug: str | None, limit: int) -> list[Tenant]:
        query = select(tenants).order_by(tenants.c.slug).limit(limit)
        if after_slug is not None:
            query = query.where(tenants.c.slug > after_slug)
        return [_tenant(r) for r in await self.session.execute(query)]


class DirectoryRepository:
    """Maps ids that arrive without a tenant (device, refresh token, client) to their tenant."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tenant_of_device(self, device_id: str) -> UUID | None:
        tenant_id: UUID | None = await driver.fetchval(self.session, _TENANT_OF_DEVICE, device_id)
        return tenant_id

    async def add_device(self, device_id: str, tenant_id: UUID) -> bool:
        stmt = (
            pg_insert(device_directory)
            .values(device_id=device_id, tenant_id=tenant_id)
            .on_conflict_do_nothing()
            .returning(device_directory.c.device_id)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def tenant_of_refresh_token(self, token_hash: str) -> UUID | None:
        q = select(refresh_token_directory.c.tenant_id).where(
            refresh_token_directory.c.token_hash == token_hash
        )
        return (await self.session.execute(q)).scalar_one_or_none()

    async def add_refresh_token(self, token_hash: str, tenant_id: UUID) -> None:
        await self.session.execute(
            insert(refresh_token_directory).values(token_hash=token_hash, tenant_id=tenant_id)
        )

    async def tenant_of_client(self, client_id: str) -> UUID | None:
        q = select(client_directory.c.tenant_id).where(client_directory.c.client_id == client_id)
        return (await self.session.execute(q)).scalar_one_or_none()

    async def add_client(self, client_id: str, tenant_id: UUID) -> None:
        await self.session.execute(
            insert(client_directory).values(client_id=client_id, tenant_id=tenant_id)
        )

    async def claim_client(self, client_id: str, tenant_id: UUID) -> UUID:
        """The tenant owning client_id: tenant_id if the id was free (replicas may race)."""
        await self.session.execute(
            pg_insert(client_directory)
            .values(client_id=client_id, tenant_id=tenant_id)
            .on_conflict_do_nothing()
        )
        owner = await self.tenant_of_client(client_id)
        assert owner is not None
        return owner
