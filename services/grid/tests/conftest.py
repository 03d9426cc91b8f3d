"""Grid's integration fixtures: one migrated database per session, districts isolated by tenant."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from grpc import aio
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid.grid.v1 import grid_service_pb2_grpc as pb_grpc
from civicgrid_grid.__main__ import MIGRATIONS
from civicgrid_grid.api.app import create_grid_app
from civicgrid_grid.rpc.servicer import SERVICE_NAME, register
from civicgrid_grid.settings import GridSettings
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.resolve import DistrictIndexes
from civicgrid_platform.auth import JwksCache, TokenVerifier, jwks_document
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.grpc.server import GrpcServer
from civicgrid_platform.migrate import upgrade
from civicgrid_testkit import ServiceDatabase, unique_name
from civicgrid_testkit.processes import find_free_port
from services.grid.tests.grid_support import AUDIENCE, ISSUER, KEY


@pytest.fixture(scope="session")
async def grid_db(postgres: Any) -> ServiceDatabase:
    db: ServiceDatabase = await postgres.aprovision(unique_name("grid_tests"))
    upgrade(MIGRATIONS, db.owner_dsn)
    return db


@pytest.fixture(scope="session")
async def grid_engine(grid_db: ServiceDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(grid_db.runtime_dsn, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def grid_ctx(grid_engine: AsyncEngine) -> GridContext:
    return GridContext(uow=UnitOfWorkFactory(grid_engine))


@pytest.fixture
def indexes(grid_ctx: GridContext) -> DistrictIndexes:
    return DistrictIndexes(grid_ctx)


@pytest.fixture
def grid_app(
    grid_ctx: GridContext,
    indexes: DistrictIndexes,
    grid_db: ServiceDatabase,
    grid_engine: AsyncEngine,
) -> FastAPI:
    settings = GridSettings(
        database_url=grid_db.runtime_dsn, token_issuer=ISSUER, token_audience=AUDIENCE
    )
    verifier = TokenVerifier(
        JwksCache.from_static(jwks_document([KEY])), issuer=ISSUER, audience=AUDIENCE
    )
    return create_grid_app(grid_ctx, indexes, verifier, settings, grid_engine)


@pytest.fixture
async def api(grid_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=grid_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://grid", timeout=60) as client:
        yield client


@pytest.fixture
def tenant() -> str:
    """A fresh district (tenant) per test: isolation by tenant, never by a new database."""
    return str(uuid.uuid4())


@pytest.fixture
async def stub(
    grid_ctx: GridContext, indexes: DistrictIndexes
) -> AsyncIterator[pb_grpc.GridServiceStub]:
    """GridService on a real gRPC server on 127.0.0.1 (auth and error interceptors included)."""
    verifier = TokenVerifier(
        JwksCache.from_static(jwks_document([KEY])), issuer=ISSUER, audience=AUDIENCE
    )
    server = GrpcServer(
        host="127.0.0.1",
        port=find_free_port(),
        registrars=[register(grid_ctx, indexes, 30.0)],
        service_names=[SERVICE_NAME],
        verifier=verifier,
    )
    await server.start()
    async with aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield pb_grpc.GridServiceStub(channel)
    await server.server.stop(0)
