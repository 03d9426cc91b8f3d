"""Volunteers' integration fixtures: one migrated database per session, a district per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from grpc import aio
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid.volunteers.v1 import volunteers_service_pb2_grpc as pb_grpc
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.grpc.server import GrpcServer
from civicgrid_platform.migrate import upgrade
from civicgrid_testkit import ServiceDatabase, unique_name
from civicgrid_testkit.processes import find_free_port
from civicgrid_volunteers.__main__ import MIGRATIONS
from civicgrid_volunteers.api.app import create_volunteers_app
from civicgrid_volunteers.rpc.servicer import SERVICE_NAME, register
from civicgrid_volunteers.settings import VolunteersSettings
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import MONDAY_9, TOKENS, District, SettableClock


@pytest.fixture(scope="session")
async def volunteers_db(postgres: Any) -> ServiceDatabase:
    db: ServiceDatabase = await postgres.aprovision(unique_name("volunteers_tests"))
    upgrade(MIGRATIONS, db.owner_dsn)
    return db


@pytest.fixture(scope="session")
async def volunteers_engine(volunteers_db: ServiceDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(volunteers_db.runtime_dsn, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def volunteers_ctx(volunteers_engine: AsyncEngine) -> VolunteersContext:
    return VolunteersContext(uow=UnitOfWorkFactory(volunteers_engine))


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(MONDAY_9)


@pytest.fixture
def timed(volunteers_ctx: VolunteersContext, clock: SettableClock) -> VolunteersContext:
    """The context on a clock the test moves (timers, expiries, reminders, due dates)."""
    return replace(volunteers_ctx, clock=clock)


def _app(ctx: VolunteersContext, db: ServiceDatabase, engine: AsyncEngine) -> FastAPI:
    settings = VolunteersSettings(
        database_url=db.runtime_dsn, token_issuer=TOKENS.issuer, token_audience=TOKENS.audience
    )
    return create_volunteers_app(ctx, TOKENS.verifier(), settings, engine)


@pytest.fixture
def volunteers_app(
    timed: VolunteersContext, volunteers_db: ServiceDatabase, volunteers_engine: AsyncEngine
) -> FastAPI:
    return _app(timed, volunteers_db, volunteers_engine)


@pytest.fixture
async def api(volunteers_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=volunteers_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://volunteers", timeout=60
    ) as c:
        yield c


@pytest.fixture
def district() -> District:
    return District()


@pytest.fixture
async def stub(timed: VolunteersContext) -> AsyncIterator[pb_grpc.VolunteersServiceStub]:
    """VolunteersService on a real gRPC server on 127.0.0.1 (auth and error interceptors)."""
    server = GrpcServer(
        host="127.0.0.1",
        port=find_free_port(),
        registrars=[register(timed)],
        service_names=[SERVICE_NAME],
        verifier=TOKENS.verifier(),
    )
    await server.start()
    async with aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield pb_grpc.VolunteersServiceStub(channel)
    await server.server.stop(0)
