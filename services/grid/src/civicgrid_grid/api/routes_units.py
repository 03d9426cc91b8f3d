"""The hierarchy: import and export a district, read units."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Query

from civicgrid_grid.api import schemas, views
from civicgrid_grid.api.deps import Ctx
from civicgrid_grid.domain.geojson_import import ImportRejected
from civicgrid_grid.usecases import export_district, import_district, units
from civicgrid_platform.http import (
    CurrentPrincipal,
    CursorPage,
    Idempotent,
    PageParams,
    ProblemError,
    ProblemSpec,
)

router = APIRouter(tags=["units"])

DISTRICT_REJECTED = ProblemSpec(422, "district-rejected", "District rejected")
Kinds = Annotated[list[str], Query(default_factory=list, alias="kind")]


@router.post("/v1/districts/import", dependencies=[Idempotent])
async def import_geojson(
    ctx: Ctx, actor: CurrentPrincipal, document: Annotated[dict[str, Any], Body()]
) -> schemas.ImportSummaryRead:
    """A GeoJSON FeatureCollection (properties: kind, code, parent_code, name, address,
    attributes) imported in one transaction; every defect is reported, nothing half-imported."""
    try:
        summary = await import_district.import_district(ctx, actor, document)
    except ImportRejected as rejected:
        problems = [
            schemas.ImportProblemRead(
                feature=p.feature, code=p.code, field=p.field, reason=p.reason
            ).model_dump()
            for p in rejected.problems
        ]
        raise ProblemError(
            DISTRICT_REJECTED,
            f"{len(problems)} problem(s); first: {problems[0]['reason']}",
            extensions={"problems": problems},
        ) from None
    return schemas.ImportSummaryRead(
        district_id=summary.district_id,
        created=summary.created,
        updated=summary.updated,
        retired=summary.retired,
        unchanged=summary.unchanged,
    )


@router.get("/v1/districts/export")
async def export_geojson(ctx: Ctx, actor: CurrentPrincipal) -> dict[str, Any]:
    return await export_district.export_district(ctx, actor)


@router.get("/v1/units")
async def search_units(
    ctx: Ctx,
    actor: CurrentPrincipal,
    query: Annotated[str, Query(min_length=1, max_length=100)],
    kinds: Kinds,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[schemas.UnitRead]:
    found = await units.search(ctx, actor, query, kinds=kinds, limit=limit)
    return [views.unit(u, with_geometry=False) for u in found]


@router.get("/v1/units/{unit_id}")
async def get_unit(
    unit_id: UUID, ctx: Ctx, actor: CurrentPrincipal, as_of: datetime | None = None
) -> schemas.UnitRead:
    return views.unit(await units.get_unit(ctx, actor, unit_id, as_of))


@router.get("/v1/units/{unit_id}/ancestors")
async def get_ancestors(unit_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> list[schemas.UnitRead]:
    return [views.unit(u, with_geometry=False) for u in await units.ancestors(ctx, actor, unit_id)]


@router.get("/v1/units/{unit_id}/children")
async def get_children(unit_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> list[schemas.UnitRead]:
    return [views.unit(u, with_geometry=False) for u in await units.children(ctx, actor, unit_id)]


@router.get("/v1/units/{unit_id}/descendants")
async def get_descendants(
    unit_id: UUID, ctx: Ctx, actor: CurrentPrincipal, page: PageParams, kinds: Kinds
) -> CursorPage[schemas.UnitRead]:
    after = str(page.after["code"]) if page.after else None
    rows = await units.descendants(
        ctx, actor, unit_id, kinds=kinds, after_code=after, limit=page.fetch_limit
    )
    return page.page([views.unit(u, with_geometry=False) for u in rows], lambda u: {"code": u.code})
