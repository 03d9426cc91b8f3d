"""The parts every service's composition root builds the same way from its settings."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.auth import JwksCache, TokenVerifier
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.settings import PlatformSettings
from civicgrid_platform.telemetry import instrument_sqlalchemy


def service_engine(settings: PlatformSettings) -> AsyncEngine:
    """The runtime role's engine, traced, named after the service in pg_stat_activity."""
    if not settings.database_url:
        raise SystemExit("CIVICGRID_DATABASE_URL is required")
    engine = create_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        application_name=f"civicgrid-{settings.service_name}",
    )
    instrument_sqlalchemy(engine)
    return engine


def token_verifier(
    settings: PlatformSettings, jwks_url: str | None = None
) -> tuple[JwksCache, TokenVerifier]:
    """Verifies access tokens against identity's published keys (jwks_url overrides the
    setting: identity reads its own)."""
    url = jwks_url or settings.jwks_url
    if not url:
        raise SystemExit("CIVICGRID_JWKS_URL is required (identity's /.well-known/jwks.json)")
    jwks = JwksCache(url)
    return jwks, TokenVerifier(jwks, issuer=settings.token_issuer, audience=settings.token_audience)


class ServiceParts:
    """Mixed into each service's object graph (a dataclass declaring `engine` and `jwks`):
    the start-up and shutdown every service shares."""

    engine: AsyncEngine
    jwks: JwksCache

    async def start(self) -> None:
        """Nothing before the components run, unless the service says otherwise."""

    async def aclose(self) -> None:
        await self.jwks.aclose()
        await self.engine.dispose()
