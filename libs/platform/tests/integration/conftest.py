"""A database of the platform's test tables per test module, and units of work on it. Modules
that need more (seed rows, extra tables, one database per test) define their own `database`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from civicgrid_platform.db.uow import UnitOfWorkFactory
from libs.platform.tests.integration.events_support_infra import Database, create_database


@pytest.fixture(scope="module")
async def database(postgres: object, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    db = await create_database(postgres, request.module.__name__.rsplit(".", 1)[-1])
    yield db
    await db.dispose()


@pytest.fixture
def uow_factory(database: Database) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(database.runtime)
