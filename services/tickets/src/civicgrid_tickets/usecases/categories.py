"""The category catalogue: every district starts with the standard one, admins adapt it."""

from __future__ import annotations

from typing import Any

from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import NotFound
from civicgrid_tickets.db.categories_repo import CategoriesRepository
from civicgrid_tickets.domain.categories import Category, category_from_dict
from civicgrid_tickets.usecases.catalogues import catalogue
from civicgrid_tickets.usecases.context import TicketsContext, require_admin


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
    ctx.catalogues.forget(actor.tenant_uuid)
    return category


async def retire_category(ctx: TicketsContext, actor: Principal, code: str) -> None:
    require_admin(actor)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = CategoriesRepository(uow.session, actor.tenant_uuid)
        await catalogue(repo)
        if not await repo.deactivate(code):
            raise NotFound(f"no category {code}", field="code")
        await uow.commit()
    ctx.catalogues.forget(actor.tenant_uuid)
