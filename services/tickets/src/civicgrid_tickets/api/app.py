"""Tickets' FastAPI app on the platform factory."""

from __future__ import annotations

import hashlib
from functools import partial

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.db.engine import ping
from civicgrid_platform.errors import ERROR_TABLE
from civicgrid_platform.http import create_app
from civicgrid_platform.telemetry import instrument_fastapi
from civicgrid_tickets.api import (
    routes_categories,
    routes_evaluation,
    routes_meetings,
    routes_open311,
    routes_photos,
    routes_tickets,
)
from civicgrid_tickets.api.open311_keys import Open311Keys
from civicgrid_tickets.domain.photos import MAX_BYTES
from civicgrid_tickets.settings import TicketsSettings
from civicgrid_tickets.usecases.context import TicketsContext


def create_tickets_app(
    ctx: TicketsContext, verifier: TokenVerifier, settings: TicketsSettings, engine: AsyncEngine
) -> FastAPI:
    secret = settings.secret_key.get_secret_value().encode()
    app = create_app(
        title="CivicGrid tickets",
        version="1.0.0",
        service_name="tickets",
        description="Reports on every channel: routing, lifecycle, deadlines, escalation.",
        error_table=ERROR_TABLE,
        token_verifier=verifier,
        idempotency_engine=engine,
        cursor_key=hashlib.sha256(b"tickets-cursor:" + secret).digest(),
        max_body_bytes=MAX_BYTES + 64 * 1024,  # a photo and its multipart envelope
    )
    app.state.tickets_ctx = ctx
    http = httpx.AsyncClient(timeout=5.0)
    app.state.open311_keys = Open311Keys(settings.identity_url, verifier, http)
    app.router.on_shutdown.append(http.aclose)
    app.state.readiness.add_check("database", partial(ping, engine))
    for module in (
        routes_tickets,
        routes_categories,
        routes_meetings,
        routes_evaluation,
        routes_open311,
        routes_photos,
    ):
        app.include_router(module.router)
    instrument_fastapi(app)
    return app
