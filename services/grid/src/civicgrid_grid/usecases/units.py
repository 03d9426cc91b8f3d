"""Reading the hierarchy: a unit, its ancestors, children, descendants, search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from civicgrid_grid.db.units_repo import UnitsRepository
from civicgrid_grid.domain.records import UnitRecord
from civicgrid_grid.usecases.context import GridContext
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import InvalidInput, NotFound

MAX_PAGE = 500


async def get_unit(
    ctx: GridContext, actor: Principal, unit_id: UUID, as_of: datetime | None = None
) -> UnitRecord:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        record = await UnitsRepository(uow.session, tenant_id).get(unit_id, as_of=as_of)
    if record is None:
        raise NotFound("no such unit" if as_of is None else "no version of this unit at that time")
    return record


async def ancestors(ctx: GridContext, actor: Principal, unit_id: UUID) -> list[UnitRecord]:
    """Nearest first, ending with the district."""
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = UnitsRepository(uow.session, tenant_id)
        unit = await repo.get(unit_id)
        if unit is None:
            raise NotFound("no such unit")
        found = await repo.get_many(unit.ancestor_ids)
    return [found[a] for a in unit.ancestor_ids if a in found]


async def children(ctx: GridContext, actor: Principal, unit_id: UUID) -> list[UnitRecord]:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = UnitsRepository(uow.session, tenant_id)
        if await repo.get(unit_id) is None:
            raise NotFound("no such unit")
        return await repo.children(unit_id)


async def descendants(
    ctx: GridContext,
    actor: Principal,
    unit_id: UUID,
    *,
    kinds: Sequence[str],
    after_code: str | None,
    limit: int,
) -> list[UnitRecord]:
    if not 1 <= limit <= MAX_PAGE + 1:
        raise InvalidInput(f"page size is 1 to {MAX_PAGE}", field="page_size")
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = UnitsRepository(uow.session, tenant_id)
        if await repo.get(unit_id) is None:
            raise NotFound("no such unit")
        return await repo.descendants(unit_id, kinds=kinds, after_code=after_code, limit=limit)


async def search(
    ctx: GridContext, actor: Principal, text: str, *, kinds: Sequence[str], limit: int
) -> list[UnitRecord]:
    text = text.strip()
    if not text:
        raise InvalidInput("give part of a name or the start of a code", field="query")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit is 1 to {MAX_PAGE}", field="limit")
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        return await UnitsRepository(uow.session, tenant_id).search(text, kinds=kinds, limit=limit)
