"""Volunteers' FastAPI app on the platform factory."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.http.service_app import create_service_app
from civicgrid_volunteers.api import (
    routes_hours,
    routes_lending,
    routes_offers,
    routes_plans,
    routes_ratings,
    routes_tasks,
    routes_volunteers,
)
from civicgrid_volunteers.settings import VolunteersSettings
from civicgrid_volunteers.usecases.context import VolunteersContext


def create_volunteers_app(
    ctx: VolunteersContext,
    verifier: TokenVerifier,
    settings: VolunteersSettings,
    engine: AsyncEngine,
) -> FastAPI:
    routers = (
        routes_volunteers,
        routes_tasks,
        routes_offers,
        routes_hours,
        routes_ratings,
        routes_lending,
        routes_plans,
    )
    app = create_service_app(
        settings=settings,
        title="CivicGrid volunteers",
        description="Volunteers matched to the tasks that need them; hours, star ratings and "
        "the tool-lending station.",
        verifier=verifier,
        engine=engine,
        routers=[m.router for m in routers],
    )
    app.state.volunteers_ctx = ctx
    return app
