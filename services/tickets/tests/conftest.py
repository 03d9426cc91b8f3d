"""Tickets' integration fixtures: one migrated database per session, districts by tenant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from grpc import aio
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid.tickets.v1 import tickets_service_pb2_grpc as pb_grpc
from civicgrid_platform.auth import JwksCache, TokenVerifier, jwks_document
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.grpc.server import GrpcServer
from civicgrid_platform.migrate import upgrade
from civicgrid_testkit import ServiceDatabase, unique_name
from civicgrid_testkit.processes import find_free_port
from civicgrid_tickets.__main__ import MIGRATIONS
from civicgrid_tickets.adapters.filesystem_blobs import FilesystemBlobStore
from civicgrid_tickets.api.app import create_tickets_app
from civicgrid_tickets.rpc.servicer import SERVICE_NAME, register
from civicgrid_tickets.settings import TicketsSettings
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.intake import intake_batcher
from services.tickets.tests.tickets_support import (
    AUDIENCE,
    ISSUER,
    KEY,
    MONDAY_9,
    District,
    SettableClock,
)


@pytest.fixture(scope="session")
async def tickets_db(postgres: Any) -> ServiceDatabase:
    db: ServiceDatabase = await postgres.aprovision(unique_name("tickets_tests"))
    upgrade(MIGRATIONS, db.owner_dsn)
    return db


@pytest.fixture(scope="session")
async def tickets_engine(tickets_db: ServiceDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(tickets_db.runtime_dsn, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def tickets_ctx(
    tickets_engine: AsyncEngine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TicketsContext]:
    """As bootstrap builds it: reports that arrive together are taken in one batch."""
    blobs = FilesystemBlobStore(tmp_path_factory.mktemp("blobs"))
    batches = intake_batcher()
    yield TicketsContext(uow=UnitOfWorkFactory(tickets_engine), blobs=blobs, intake_batches=batches)
    await batches.aclose()


@pytest.fixture
def tickets_app(
    tickets_ctx: TicketsContext, tickets_db: ServiceDatabase, tickets_engine: AsyncEngine
) -> FastAPI:
    settings = TicketsSettings(
        database_url=tickets_db.runtime_dsn, token_issuer=ISSUER, token_audience=AUDIENCE
    )
    verifier = TokenVerifier(
        JwksCache.from_static(jwks_document([KEY])), issuer=ISSUER, audience=AUDIENCE
    )
    return create_tickets_app(tickets_ctx, verifier, settings, tickets_engine)


@pytest.fixture
async def api(tickets_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=tickets_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tickets", timeout=60) as c:
        yield c


@pytest.fixture
async def district(tickets_ctx: TicketsContext) -> District:
    """A fresh district (tenant) per test, its map already in the read model."""
    found = District()
    await found.feed(tickets_ctx.uow)
    return found


@pytest.fixture
async def stub(tickets_ctx: TicketsContext) -> AsyncIterator[pb_grpc.TicketsServiceStub]:
    """TicketsService on a real gRPC server on 127.0.0.1 (auth and error interceptors included)."""
    verifier = TokenVerifier(
        JwksCache.from_static(jwks_document([KEY])), issuer=ISSUER, audience=AUDIENCE
    )
    server = GrpcServer(
        host="127.0.0.1",
        port=find_free_port(),
        registrars=[register(tickets_ctx)],
        service_names=[SERVICE_NAME],
        verifier=verifier,
    )
    await server.start()
    async with aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        yield pb_grpc.TicketsServiceStub(channel)
    await server.server.stop(0)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(MONDAY_9)


@pytest.fixture
def timed(tickets_ctx: TicketsContext, clock: SettableClock) -> TicketsContext:
    return replace(tickets_ctx, clock=clock)


@pytest.fixture
async def timed_api(
    timed: TicketsContext, tickets_engine: AsyncEngine
) -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP API on the test's clock."""
    settings = TicketsSettings(
        database_url="postgresql://unused", token_issuer=ISSUER, token_audience=AUDIENCE
    )
    verifier = TokenVerifier(
        JwksCache.from_static(jwks_document([KEY])), issuer=ISSUER, audience=AUDIENCE
    )
    app = create_tickets_app(timed, verifier, settings, tickets_engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tickets") as client:
        yield client
