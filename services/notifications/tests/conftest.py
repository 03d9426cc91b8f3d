"""Notifications' integration fixtures: one migrated database per session, a district per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.__main__ import MIGRATIONS
from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.webhook_secrets import WEBHOOK_SECRET_PURPOSE
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.migrate import upgrade
from civicgrid_platform.sealing import Sealer
from civicgrid_testkit import ServiceDatabase, unique_name
from services.notifications.tests.notifications_support import (
    MONDAY_9,
    SERVICE_KEY,
    District,
    SettableClock,
    notifications_app,
)
from services.notifications.tests.webhook_support import (
    Receiver,
    forget_webhooks,
    make_internal,
    webhook_sender,
)


@pytest.fixture(scope="session")
async def notifications_db(postgres: Any) -> ServiceDatabase:
    db: ServiceDatabase = await postgres.aprovision(unique_name("notifications_tests"))
    upgrade(MIGRATIONS, db.owner_dsn)
    return db


@pytest.fixture(scope="session")
async def notifications_engine(notifications_db: ServiceDatabase) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(notifications_db.runtime_dsn, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def notifications_ctx(notifications_engine: AsyncEngine) -> NotificationsContext:
    return NotificationsContext(
        uow=UnitOfWorkFactory(notifications_engine),
        webhook_sealer=Sealer(SERVICE_KEY, WEBHOOK_SECRET_PURPOSE),
    )


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(MONDAY_9)


@pytest.fixture
def timed(notifications_ctx: NotificationsContext, clock: SettableClock) -> NotificationsContext:
    """The context on a clock the test moves (retries, quiet hours, the alert chain)."""
    return replace(notifications_ctx, clock=clock)


@pytest.fixture
def app(
    timed: NotificationsContext,
    notifications_db: ServiceDatabase,
    notifications_engine: AsyncEngine,
) -> FastAPI:
    return notifications_app(timed, notifications_db, notifications_engine)


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://notifications", timeout=60
    ) as c:
        yield c


@pytest.fixture
def district() -> District:
    return District()


# --- webhooks: a district allowed to reach 127.0.0.1, a receiver there, the sender -----------
@pytest.fixture
async def hooked(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> AsyncIterator[District]:
    await make_internal(api, district)
    yield district
    await forget_webhooks(timed, district)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
async def sender() -> AsyncIterator[HttpWebhookSender]:
    made = webhook_sender()
    yield made
    await made.aclose()
