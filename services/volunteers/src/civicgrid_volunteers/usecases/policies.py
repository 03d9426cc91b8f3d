"""The district's matching policy: read by staff, set by the tenant admin."""

from __future__ import annotations

from civicgrid_platform.auth import Principal
from civicgrid_volunteers.db.policies_repo import PoliciesRepository
from civicgrid_volunteers.domain.policy import MatchingPolicy
from civicgrid_volunteers.usecases.context import VolunteersContext, require_admin, require_staff


async def current(ctx: VolunteersContext, actor: Principal) -> MatchingPolicy:
    require_staff(actor, "read the matching policy")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await PoliciesRepository(uow.session, actor.tenant_uuid).current()


async def put(ctx: VolunteersContext, actor: Principal, policy: MatchingPolicy) -> MatchingPolicy:
    require_admin(actor, "sets the matching policy")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        await PoliciesRepository(uow.session, actor.tenant_uuid).put(policy)
        await uow.commit()
    return policy
