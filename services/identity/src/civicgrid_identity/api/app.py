"""Identity's FastAPI app on the platform factory."""

from __future__ import annotations

import hashlib
from functools import partial

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_identity.api import routes_admin, routes_auth, routes_people, routes_tenants
from civicgrid_identity.settings import IdentitySettings
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.db.engine import ping
from civicgrid_platform.errors import ERROR_TABLE
from civicgrid_platform.http import create_app
from civicgrid_platform.telemetry import instrument_fastapi


def create_identity_app(
    ctx: IdentityContext,
    keyring: KeyRing,
    verifier: TokenVerifier,
    settings: IdentitySettings,
    engine: AsyncEngine,
) -> FastAPI:
    secret = settings.secret_key.get_secret_value().encode()
    app = create_app(
        title="CivicGrid identity",
        version="1.0.0",
        service_name="identity",
        description="Districts, people, credentials, roles, tokens and the JWKS.",
        error_table=ERROR_TABLE,
        token_verifier=verifier,
        idempotency_engine=engine,
        cursor_key=hashlib.sha256(b"identity-cursor:" + secret).digest(),
    )
    app.state.identity_ctx = ctx
    app.state.keyring = keyring
    app.state.trusted_proxy_hosts = frozenset(settings.trusted_proxy_hosts)

    app.state.readiness.add_check("database", partial(ping, engine))
    for module in (routes_auth, routes_tenants, routes_people, routes_admin):
        app.include_router(module.router)
    instrument_fastapi(app)
    return app
