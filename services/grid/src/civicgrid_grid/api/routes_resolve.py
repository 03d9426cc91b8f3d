"""Where is this point, and which building or household is this address?"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from civicgrid_grid.api import schemas, views
from civicgrid_grid.api.deps import Ctx
from civicgrid_grid.usecases import addresses, resolve
from civicgrid_platform.http import CurrentPrincipal

router = APIRouter(tags=["resolve"])


class BoundaryWarningRead(BaseModel):
    neighbour: schemas.UnitRead
    distance_m: float


class ResolutionRead(BaseModel):
    grid: schemas.UnitRead
    ancestors: list[schemas.UnitRead]
    building: schemas.UnitRead | None
    boundary_warning: BoundaryWarningRead | None


class AddressCandidateRead(BaseModel):
    unit: schemas.UnitRead
    score: float
    ancestors: list[schemas.UnitRead]


@router.get("/v1/resolve/point")
async def resolve_point(
    request: Request,
    ctx: Ctx,
    actor: CurrentPrincipal,
    lat: Annotated[float, Query(ge=-90, le=90)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    boundary_m: Annotated[float | None, Query(gt=0, le=1000)] = None,
) -> ResolutionRead:
    found = await resolve.resolve_point(
        ctx, request.app.state.indexes, actor, lat, lon, boundary_m or request.app.state.boundary_m
    )
    warning = None
    if found.neighbour is not None and found.neighbour_distance_m is not None:
        warning = BoundaryWarningRead(
            neighbour=views.unit(found.neighbour, with_geometry=False),
            distance_m=found.neighbour_distance_m,
        )
    return ResolutionRead(
        grid=views.unit(found.grid, with_geometry=False),
        ancestors=[views.unit(a, with_geometry=False) for a in found.ancestors],
        building=views.unit(found.building, with_geometry=False) if found.building else None,
        boundary_warning=warning,
    )


@router.get("/v1/resolve/address")
async def resolve_address(
    ctx: Ctx,
    actor: CurrentPrincipal,
    text: Annotated[str, Query(min_length=2, max_length=300)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[AddressCandidateRead]:
    found = await addresses.resolve_address(ctx, actor, text, limit=limit)
    return [
        AddressCandidateRead(
            unit=views.unit(c.unit, with_geometry=False),
            score=c.score,
            ancestors=[views.unit(a, with_geometry=False) for a in c.ancestors],
        )
        for c in found
    ]
