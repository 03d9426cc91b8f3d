"""The monthly evaluation over HTTP: close a month, read its snapshot, export it as CSV, and the
city-level view across districts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Response, status

from civicgrid_platform.http import CurrentPrincipal, Idempotent
from civicgrid_tickets.api.deps import Ctx
from civicgrid_tickets.usecases import evaluation

router = APIRouter(tags=["evaluation"])
Month = Path(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM in the district's time zone")


@router.post(
    "/v1/evaluations/{month}/close", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent]
)
async def close_month(ctx: Ctx, actor: CurrentPrincipal, month: str = Month) -> dict[str, Any]:
    closed = await evaluation.close_month(ctx, actor, month)
    return {"month": closed.month, "formula_version": closed.formula_version, "units": closed.units}


@router.get("/v1/evaluations/{month}")
async def get_evaluation(
    ctx: Ctx, actor: CurrentPrincipal, month: str = Month
) -> list[dict[str, Any]]:
    return await evaluation.stored_evaluation(ctx, actor, month)


@router.get("/v1/evaluations/{month}/csv", response_class=Response)
async def evaluation_csv(ctx: Ctx, actor: CurrentPrincipal, month: str = Month) -> Response:
    body = await evaluation.evaluation_csv(ctx, actor, month)
    return Response(
        content=body.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="evaluation-{month}.csv"'},
    )


@router.get("/v1/evaluations/{month}/districts")
async def city_view(ctx: Ctx, actor: CurrentPrincipal, month: str = Month) -> list[dict[str, Any]]:
    return await evaluation.districts_of_the_city(ctx, actor, month)
