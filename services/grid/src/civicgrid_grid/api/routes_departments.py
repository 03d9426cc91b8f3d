"""Departments, and which of them answers for a category at a unit."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from civicgrid_grid.api import schemas, views
from civicgrid_grid.api.deps import Ctx
from civicgrid_grid.usecases import departments
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams

router = APIRouter(tags=["departments"])


def _input(body: schemas.DepartmentWrite) -> departments.DepartmentInput:
    return departments.DepartmentInput(
        body.name, body.contact, body.categories, body.jurisdiction_unit_ids
    )


@router.post("/v1/departments", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def create_department(
    body: schemas.DepartmentWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.DepartmentRead:
    return views.department(await departments.create_department(ctx, actor, _input(body)))


@router.get("/v1/departments")
async def list_departments(
    ctx: Ctx, actor: CurrentPrincipal, page: PageParams
) -> CursorPage[schemas.DepartmentRead]:
    after = str(page.after["name"]) if page.after else None
    rows = await departments.list_departments(ctx, actor, after_name=after, limit=page.fetch_limit)
    return page.page([views.department(d) for d in rows], lambda d: {"name": d.name})


@router.get("/v1/departments/{department_id}")
async def get_department(
    department_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.DepartmentRead:
    return views.department(await departments.get_department(ctx, actor, department_id))


@router.put("/v1/departments/{department_id}")
async def update_department(
    department_id: UUID, body: schemas.DepartmentWrite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.DepartmentRead:
    return views.department(
        await departments.update_department(ctx, actor, department_id, _input(body))
    )


@router.delete("/v1/departments/{department_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_department(department_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> Response:
    await departments.delete_department(ctx, actor, department_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/route")
async def route_category(
    ctx: Ctx,
    actor: CurrentPrincipal,
    category: Annotated[str, Query(pattern=r"^[a-z][a-z0-9_]{1,63}$")],
    unit_id: UUID,
) -> list[schemas.DepartmentRead]:
    return [
        views.department(d) for d in await departments.route_category(ctx, actor, category, unit_id)
    ]
