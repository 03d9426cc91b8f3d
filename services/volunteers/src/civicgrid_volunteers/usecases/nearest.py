"""The nearest available volunteers for a need, asked by the alert chain (no task yet)."""

from __future__ import annotations

from civicgrid_platform.auth import Principal
from civicgrid_volunteers.domain.matching import Match, Need
from civicgrid_volunteers.usecases.context import VolunteersContext, require_task_access
from civicgrid_volunteers.usecases.matching import best_matches


async def find_nearest_available(
    ctx: VolunteersContext,
    actor: Principal,
    need: Need,
    point: tuple[float, float],
    n: int,
    radius_m: float = 0,
) -> list[Match]:
    require_task_access(actor, "looking for volunteers")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await best_matches(
            ctx, uow, actor.tenant_uuid, need, point, n, radius_m=radius_m or None
        )
