"""Grid's FastAPI app on the platform factory."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_grid.api import routes_departments, routes_resolve, routes_units
from civicgrid_grid.settings import GridSettings
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.resolve import DistrictIndexes
from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.http.service_app import create_service_app


def create_grid_app(
    ctx: GridContext,
    indexes: DistrictIndexes,
    verifier: TokenVerifier,
    settings: GridSettings,
    engine: AsyncEngine,
) -> FastAPI:
    app = create_service_app(
        settings=settings,
        title="CivicGrid grid registry",
        description="The hierarchy, grid polygons, point-to-grid resolution, departments.",
        verifier=verifier,
        engine=engine,
        routers=[m.router for m in (routes_units, routes_resolve, routes_departments)],
        max_body_bytes=settings.max_import_bytes,
    )
    app.state.grid_ctx = ctx
    app.state.indexes = indexes
    app.state.boundary_m = settings.boundary_warning_m
    app.state.readiness.add_check("grid-index", partial(_index_warm, indexes))
    return app


async def _index_warm(indexes: DistrictIndexes) -> None:
    if not indexes.warmed.is_set():
        raise RuntimeError("the grid indexes are still being built")
