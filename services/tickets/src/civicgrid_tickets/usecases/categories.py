"""The category catalogue: every district starts with the standard one, admins adapt it."""

from __future__ import annotations

from typing import Any

from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import NotFound
from civicgrid_tickets.db.categories_repo import CategoriesRepository
from civicgrid_tickets.domain.categories import DEFAULT_CATALOGUE, Category, category_from_dict
from civicgrid_tickets.usecases.context import TicketsContext, require_admin

DEFAULTS = tuple(category_from_dict(c) for c in DEFAULT_CATALOGUE)


async def catalogue(repo: CategoriesRepository) -> list[Category]:
    """The tenant's active categories; a district that never set any gets the standard ones.

    Two first requests may race: each statement reads what is committed by then, and the
    installs converge (upserts), so both end up reading the same catalogue."""
    found = await repo.all()
    if found:
        return found
    if not await repo.count():
        await repo.upsert(DEFAULTS)
    return await repo.all()


async def list_categories(ctx: TicketsContext, actor: Principal) -> list[Category]:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        found = await catalogue(CategoriesRepository(uow.session, actor.tenant_uuid))
        await uow.commit()
    return found


async def put_category(ctx: TicketsContext, actor: Principal, body: dict[str, Any]) -> Category:
    require_admin(actor)
    category = category_from_dict(body)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = CategoriesRepository(uow.session, actor.tenant_uuid)
        await catalogue(repo)
        await repo.upsert([category])
        await uow.commit()
    return category


async def retire_category(ctx: TicketsContext, actor: Principal, code: str) -> None:
    require_admin(actor)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = CategoriesRepository(uow.session, actor.tenant_uuid)
        await catalogue(repo)
        if not await repo.deactivate(code):
            raise NotFound(f"no category {code}", field="code")
        await uow.commit()
