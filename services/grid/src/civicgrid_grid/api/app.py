"""Grid's FastAPI app on the platform factory."""

from __future__ import annotations

import hashlib
from functools import partial

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_grid.api import routes_departments, routes_resolve, routes_units
from civicgrid_grid.settings import GridSettings
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.resolve import DistrictIndexes
from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.db.engine import ping
from civicgrid_platform.errors import ERROR_TABLE
from civicgrid_platform.http import create_app
from civicgrid_platform.telemetry import instrument_fastapi


def create_grid_app(
    ctx: GridContext,
    indexes: DistrictIndexes,
    verifier: TokenVerifier,
    settings: GridSettings,
    engine: AsyncEngine,
) -> FastAPI:
    secret = settings.secret_key.get_secret_value().encode()
    app = create_app(
        title="CivicGrid grid registry",
        version="1.0.0",
        service_name="grid",
        description="The hierarchy, grid polygons, point-to-grid resolution, departments.",
        error_table=ERROR_TABLE,
        token_verifier=verifier,
        idempotency_engine=engine,
        cursor_key=hashlib.sha256(b"grid-cursor:" + secret).digest(),
        max_body_bytes=settings.max_import_bytes,
    )
    app.state.grid_ctx = ctx
    app.state.indexes = indexes
    app.state.boundary_m = settings.boundary_warning_m

    app.state.readiness.add_check("database", partial(ping, engine))
    app.state.readiness.add_check("grid-index", partial(_index_warm, indexes))
    for module in (routes_units, routes_resolve, routes_departments):
        app.include_router(module.router)
    instrument_fastapi(app)
    return app


async def _index_warm(indexes: DistrictIndexes) -> None:
    if not indexes.warmed.is_set():
        raise RuntimeError("the grid indexes are still being built")
