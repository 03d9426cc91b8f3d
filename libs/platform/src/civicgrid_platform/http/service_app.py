"""A service's app as every service builds it, on top of create_app."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import partial

from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.db.engine import ping
from civicgrid_platform.errors import ERROR_TABLE
from civicgrid_platform.http.app import DEFAULT_MAX_BODY_BYTES, create_app
from civicgrid_platform.settings import PlatformSettings
from civicgrid_platform.telemetry import instrument_fastapi


def create_service_app(
    *,
    settings: PlatformSettings,
    title: str,
    description: str,
    verifier: TokenVerifier,
    engine: AsyncEngine,
    routers: Sequence[APIRouter],
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """Problems from the domain error table, tokens checked by `verifier`, idempotency and the
    readiness probe on the service's database, list cursors signed with a key derived from the
    service's secret, its routers, then tracing and /metrics. The caller adds its own state and
    readiness checks."""
    secret = settings.secret_key.get_secret_value().encode()
    name = settings.service_name
    app = create_app(
        title=title,
        version="1.0.0",
        service_name=name,
        description=description,
        error_table=ERROR_TABLE,
        token_verifier=verifier,
        idempotency_engine=engine,
        cursor_key=hashlib.sha256(f"{name}-cursor:".encode() + secret).digest(),
        max_body_bytes=max_body_bytes,
    )
    app.state.readiness.add_check("database", partial(ping, engine))
    for router in routers:
        app.include_router(router)
    instrument_fastapi(app)
    return app
