"""Identity's test fixtures.

Unit tests use none of these, so a unit-only run starts no server.

Integration tests share ONE provisioned database per session (migrated once; the signing key
and the platform admin created once) and isolate from each other by a fresh district (tenant
with a unique slug) per test. Each test gets its own in-process app around a controllable
clock, whose token verifier fetches the JWKS from that same app over ASGITransport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from civicgrid_identity.__main__ import MIGRATIONS
from civicgrid_identity.bootstrap import Identity, build
from civicgrid_identity.settings import IdentitySettings
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_identity.usecases.platform_admin import ensure_platform_admin
from civicgrid_platform.migrate import upgrade
from civicgrid_testkit import ServiceDatabase, unique_name
from services.identity.tests.identity_support import (
    PLATFORM_ADMIN_EMAIL,
    PLATFORM_ADMIN_PASSWORD,
    Clock,
    District,
    IdentityApi,
    Sql,
    asgi_client,
    cheap_passwords,
    make_app,
    make_settings,
)


@pytest.fixture(scope="session")
async def identity_db(postgres: Any) -> ServiceDatabase:
    db: ServiceDatabase = await postgres.aprovision(unique_name("identity_tests"))
    upgrade(MIGRATIONS, db.owner_dsn)
    return db


@pytest.fixture(scope="session")
def identity_settings(identity_db: ServiceDatabase) -> IdentitySettings:
    return make_settings(identity_db)


@dataclass
class Bootstrapped:
    identity: Identity
    admin_created: bool  # what the first ensure_platform_admin answered


@pytest.fixture(scope="session")
async def bootstrapped(identity_settings: IdentitySettings) -> AsyncIterator[Bootstrapped]:
    identity = build(identity_settings, passwords=cheap_passwords())
    await identity.keyring.ensure_key()
    created = await ensure_platform_admin(
        identity.ctx, PLATFORM_ADMIN_EMAIL, PLATFORM_ADMIN_PASSWORD
    )
    try:
        yield Bootstrapped(identity, created)
    finally:
        await identity.aclose()


@pytest.fixture(scope="session")
def identity(bootstrapped: Bootstrapped) -> Identity:
    return bootstrapped.identity


@pytest.fixture(scope="session")
def sql(identity_db: ServiceDatabase) -> Sql:
    return Sql(identity_db)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ctx(identity: Identity, clock: Clock) -> IdentityContext:
    return replace(identity.ctx, clock=clock)


@pytest.fixture
def keyring(ctx: IdentityContext) -> KeyRing:
    return KeyRing(ctx, cache_seconds=0)


@pytest.fixture
async def app(identity: Identity, ctx: IdentityContext, keyring: KeyRing) -> AsyncIterator[FastAPI]:
    handle = make_app(identity, ctx, keyring)
    try:
        yield handle.app
    finally:
        await handle.aclose()


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app) as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient, ctx: IdentityContext) -> IdentityApi:
    return IdentityApi(http, ctx)


@pytest.fixture
async def district(api: IdentityApi) -> District:
    """A fresh district and its signed-in tenant admin."""
    return await api.district()
