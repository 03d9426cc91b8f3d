"""Districts: created by a platform admin; read by their own people and their city's officials."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from civicgrid.identity.v1 import events_pb2
from civicgrid_identity.db.tenants_repo import TenantRepository
from civicgrid_identity.domain.access import may_read_other_tenant
from civicgrid_identity.domain.model import (
    Tenant,
    validate_locale,
    validate_slug,
    validate_timezone,
)
from civicgrid_identity.events.outgoing import identity_event
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import AlreadyExists, Forbidden, InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class NewTenant:
    slug: str
    name: str
    city: str
    timezone: str = "Asia/Shanghai"
    locale: str = "zh-CN"


async def create_tenant(ctx: IdentityContext, actor: Principal, new: NewTenant) -> Tenant:
    if not actor.is_platform_admin:
        raise Forbidden("only a platform admin creates districts")
    validate_slug(new.slug)
    validate_timezone(new.timezone)
    validate_locale(new.locale)
    if not new.name.strip() or not new.city.strip():
        raise InvalidInput("must not be empty", field="name" if not new.name.strip() else "city")
    async with ctx.uow(tenant_id=None) as uow:
        tenant = await TenantRepository(uow.session).add(
            slug=new.slug,
            name=new.name.strip(),
            city=new.city.strip(),
            timezone=new.timezone,
            locale=new.locale,
        )
        if tenant is None:
            raise AlreadyExists(f"district {new.slug!r} already exists", field="slug")
        uow.add_event(
            identity_event(
                tenant.id,
                tenant.id,
                events_pb2.TenantCreated(
                    tenant_id=str(tenant.id),
                    slug=tenant.slug,
                    name=tenant.name,
                    city=tenant.city,
                    timezone=tenant.timezone,
                    locale=tenant.locale,
                ),
            )
        )
        await uow.commit()
    return tenant


async def readable_tenant(ctx: IdentityContext, actor: Principal, tenant_id: UUID) -> Tenant:
    """The tenant if the actor may read it; else NotFound, so other districts stay invisible."""
    async with ctx.uow(tenant_id=None) as uow:
        repo = TenantRepository(uow.session)
        tenant = await repo.by_id(tenant_id)
        if tenant is None:
            raise NotFound("no such district")
        if actor.is_platform_admin or tenant.id == actor.tenant_uuid:
            return tenant
        own = await repo.by_id(actor.tenant_uuid)
        if own is not None and may_read_other_tenant(actor.roles, own.city, tenant.city):
            return tenant
    raise NotFound("no such district")


async def tenant_by_slug(ctx: IdentityContext, slug: str) -> Tenant:
    async with ctx.uow(tenant_id=None) as uow:
        tenant = await TenantRepository(uow.session).by_slug(slug)
    if tenant is None:
        raise NotFound(f"no district {slug!r}", field="tenant")
    return tenant


async def list_tenants(
    ctx: IdentityContext, actor: Principal, *, after_slug: str | None, limit: int
) -> list[Tenant]:
    """Platform admins see all districts; others their own, city officials their city's."""
    async with ctx.uow(tenant_id=None) as uow:
        repo = TenantRepository(uow.session)
        if actor.is_platform_admin:
            return await repo.page(after_slug=after_slug, limit=limit)
        own = await repo.by_id(actor.tenant_uuid)
        if own is None:
            return []
        if may_read_other_tenant(actor.roles, own.city, own.city):
            return await repo.in_city(own.city, after_slug=after_slug, limit=limit)
        return [own] if after_slug is None or own.slug > after_slug else []
