"""The first platform admin: a platform tenant and one person holding platform_admin.

Run once by `migrate --bootstrap-admin`; a second run finds them and changes nothing.
"""

from __future__ import annotations

import asyncio

from civicgrid_identity.db.people_repo import PeopleRepository
from civicgrid_identity.db.tenants_repo import TenantRepository
from civicgrid_identity.domain.model import PersonStatus, Tenant, validate_password
from civicgrid_identity.domain.roles import PLATFORM_ADMIN, Binding
from civicgrid_identity.usecases.context import IdentityContext

PLATFORM_TENANT = "platform"


async def ensure_platform_tenant(ctx: IdentityContext) -> Tenant:
    """The platform operators' tenant, created when absent (safe to race: the slug is unique)."""
    async with ctx.uow(tenant_id=None) as uow:
        tenants = TenantRepository(uow.session)
        await tenants.add(
            slug=PLATFORM_TENANT, name="Platform operators", city="-", timezone="UTC", locale="en"
        )
        tenant = await tenants.by_slug(PLATFORM_TENANT)
        await uow.commit()
    assert tenant is not None
    return tenant


async def ensure_platform_admin(ctx: IdentityContext, email: str, password: str) -> bool:
    """True when the admin was created now."""
    validate_password(password)
    tenant = await ensure_platform_tenant(ctx)
    password_hash = await asyncio.to_thread(ctx.passwords.hash, password)
    async with ctx.uow(tenant_id=tenant.id) as uow:
        people = PeopleRepository(uow.session, tenant.id)
        if await people.by_username(email.lower()) is not None:
            return False
        person = await people.add(
            display_name="Platform admin",
            email=email.lower(),
            password_hash=password_hash,
            status=PersonStatus.ACTIVE.value,
        )
        await people.grant(person.id, Binding(PLATFORM_ADMIN, None), granted_by="bootstrap")
        await uow.commit()
    return True
