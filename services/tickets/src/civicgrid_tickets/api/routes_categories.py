"""The category catalogue over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Path, Response, status

from civicgrid_platform.http import CurrentPrincipal
from civicgrid_tickets.api import schemas, views
from civicgrid_tickets.api.deps import Ctx
from civicgrid_tickets.usecases import categories

router = APIRouter(tags=["categories"])
CodePath = Path(pattern=r"^[a-z][a-z0-9_]{1,63}$")


@router.get("/v1/categories")
async def list_categories(ctx: Ctx, actor: CurrentPrincipal) -> list[schemas.CategoryRead]:
    return [views.category(c) for c in await categories.list_categories(ctx, actor)]


@router.put("/v1/categories/{code}")
async def put_category(
    body: schemas.CategoryWrite, ctx: Ctx, actor: CurrentPrincipal, code: str = CodePath
) -> schemas.CategoryRead:
    saved = await categories.put_category(ctx, actor, {"code": code, **body.model_dump()})
    return views.category(saved)


@router.delete("/v1/categories/{code}", status_code=status.HTTP_204_NO_CONTENT)
async def retire_category(ctx: Ctx, actor: CurrentPrincipal, code: str = CodePath) -> Response:
    await categories.retire_category(ctx, actor, code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
