"""Tickets' FastAPI app on the platform factory."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.http.service_app import create_service_app
from civicgrid_tickets.api import (
    routes_categories,
    routes_evaluation,
    routes_meetings,
    routes_open311,
    routes_photos,
    routes_rules,
    routes_tickets,
)
from civicgrid_tickets.api.open311_keys import Open311Keys
from civicgrid_tickets.domain.photos import MAX_BYTES
from civicgrid_tickets.settings import TicketsSettings
from civicgrid_tickets.usecases.context import TicketsContext


def create_tickets_app(
    ctx: TicketsContext, verifier: TokenVerifier, settings: TicketsSettings, engine: AsyncEngine
) -> FastAPI:
    routers = (
        routes_tickets,
        routes_categories,
        routes_meetings,
        routes_evaluation,
        routes_open311,
        routes_photos,
        routes_rules,
    )
    app = create_service_app(
        settings=settings,
        title="CivicGrid tickets",
        description="Reports on every channel: routing, lifecycle, deadlines, escalation.",
        verifier=verifier,
        engine=engine,
        routers=[m.router for m in routers],
        max_body_bytes=MAX_BYTES + 64 * 1024,  # a photo and its multipart envelope
    )
    app.state.tickets_ctx = ctx
    http = httpx.AsyncClient(timeout=5.0)
    app.state.open311_keys = Open311Keys(settings.identity_url, verifier, http)
    app.router.on_shutdown.append(http.aclose)
    return app
