"""Reading the security audit log (tenant admins only)."""

from __future__ import annotations

from typing import Any

from civicgrid_identity.db.auth_repo import AuthRepository
from civicgrid_identity.domain.access import can_manage_people
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Forbidden


async def audit_page(
    ctx: IdentityContext, actor: Principal, *, before_id: int | None, limit: int
) -> list[dict[str, Any]]:
    if not can_manage_people(actor.roles):
        raise Forbidden("only an admin reads the audit log")
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        rows = await AuthRepository(uow.session, tenant_id).audit_page(
            before_id=before_id, limit=limit
        )
    return [
        {k: r[k] for k in ("id", "at", "action", "actor", "subject", "source", "details")}
        for r in rows
    ]
