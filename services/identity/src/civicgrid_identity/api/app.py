"""Identity's FastAPI app on the platform factory."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_identity.api import routes_admin, routes_auth, routes_people, routes_tenants
from civicgrid_identity.settings import IdentitySettings
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.http.service_app import create_service_app


def create_identity_app(
    ctx: IdentityContext,
    keyring: KeyRing,
    verifier: TokenVerifier,
    settings: IdentitySettings,
    engine: AsyncEngine,
) -> FastAPI:
    app = create_service_app(
        settings=settings,
        title="CivicGrid identity",
        description="Districts, people, credentials, roles, tokens and the JWKS.",
        verifier=verifier,
        engine=engine,
        routers=[m.router for m in (routes_auth, routes_tenants, routes_people, routes_admin)],
    )
    app.state.identity_ctx = ctx
    app.state.keyring = keyring
    app.state.trusted_proxy_hosts = frozenset(settings.trusted_proxy_hosts)
    return app
