"""Statements through the driver (db.driver) against a real PostgreSQL: the unit of work's own
transaction and tenant, errors as the session raises them, one connection looked up per unit of
work; and a unit of work's rings (NOTIFY), sent together at commit and only then."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
import pytest
from sqlalchemy import exc

from civicgrid_platform.db import driver
from civicgrid_platform.db.outbox_table import OUTBOX_CHANNEL
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.errors import is_unstorable_value
from libs.platform.tests.integration.events_support_infra import Database, announce

pytestmark = pytest.mark.integration

_ADD = "INSERT INTO things (id, tenant_id, name) VALUES ($1, $2, $3)"
_NAME = "SELECT name FROM things WHERE id = $1"


async def test_driver_statements_commit_and_roll_back_with_the_unit_of_work(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant, kept, dropped = uuid4(), uuid4(), uuid4()
    async with uow_factory(tenant_id=tenant) as uow:
        assert await driver.execute(uow.session, _ADD, kept, tenant, "kept") == "INSERT 0 1"
        assert await driver.fetchval(uow.session, _NAME, kept) == "kept"
        await uow.commit()
    async with uow_factory(tenant_id=tenant) as uow:
        await driver.execute(uow.session, _ADD, dropped, tenant, "dropped")
        # Leaving without a commit: what went through the driver goes too.
    assert (
        await database.scalar("SELECT count(*) FROM things WHERE id = :id", id=kept, tenant=tenant)
        == 1
    )
    assert (
        await database.scalar(
            "SELECT count(*) FROM things WHERE id = :id", id=dropped, tenant=tenant
        )
        == 0
    )


async def test_driver_statements_are_bound_to_the_unit_of_works_tenant(
    uow_factory: UnitOfWorkFactory,
) -> None:
    home, neighbour, thing = uuid4(), uuid4(), uuid4()
    async with uow_factory(tenant_id=home) as uow:
        await driver.execute(uow.session, _ADD, thing, home, "home's")
        await uow.commit()
    async with uow_factory(tenant_id=neighbour) as uow:
        # No tenant filter in the SQL: row-level security alone hides the row...
        assert await driver.fetch(uow.session, "SELECT id FROM things") == []
        # ...and refuses a row written in another district's name, as the session would.
        with pytest.raises(exc.ProgrammingError, match="row-level security") as refused:
            await driver.execute(uow.session, _ADD, uuid4(), home, "forged")
        assert isinstance(refused.value.orig, asyncpg.InsufficientPrivilegeError)
    async with uow_factory(tenant_id=neighbour) as uow:
        # Re-bound within one transaction (a consumer's batch spans districts).
        await uow.bind_tenant(home)
        assert await driver.fetchval(uow.session, _NAME, thing) == "home's"


async def test_driver_errors_are_the_sessions_errors(uow_factory: UnitOfWorkFactory) -> None:
    tenant, thing = uuid4(), uuid4()
    async with uow_factory(tenant_id=tenant) as uow:
        await driver.execute(uow.session, _ADD, thing, tenant, "once")
        with pytest.raises(exc.IntegrityError, match="things_pkey"):
            await driver.execute(uow.session, _ADD, thing, tenant, "twice")
    async with uow_factory(tenant_id=tenant) as uow:
        with pytest.raises(exc.DataError) as unstorable:
            await driver.execute(uow.session, _ADD, uuid4(), tenant, "nul \x00 inside")
        # So the edges answer 4xx for it, as for the session's.
        assert is_unstorable_value(unstorable.value)


async def test_a_unit_of_work_looks_up_its_driver_connection_once(
    uow_factory: UnitOfWorkFactory,
) -> None:
    async with uow_factory(tenant_id=uuid4()) as uow:
        first = await driver.driver_connection(uow.session)
        assert await driver.driver_connection(uow.session) is first
        session = uow.session
        await uow.commit()
    # Back in the pool with the commit: never handed out again from this session.
    assert driver.PINNED in session.info and "civicgrid.driver" not in session.info


async def test_rings_are_sent_together_at_commit_and_only_then(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    heard: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    listener = await asyncpg.connect(database.service.runtime_dsn)
    for channel in ("bells_a", "bells_b", OUTBOX_CHANNEL):
        await listener.add_listener(
            channel, lambda _c, _p, ch, payload: heard.put_nowait((ch, payload))
        )
    try:
        tenant = uuid4()
        async with uow_factory(tenant_id=tenant) as uow:
            uow.notify("bells_a", "one")
            uow.notify("bells_a", "one")  # the same ring twice: sent once
            uow.notify("bells_b")
            uow.add_event(announce(tenant, uuid4(), "x"))
            await driver.execute(uow.session, "SELECT 1")
            await asyncio.sleep(0.2)
            assert heard.empty(), "rung before the commit"
            await uow.commit()
        rings = {await asyncio.wait_for(heard.get(), 5) for _ in range(3)}
        assert rings == {("bells_a", "one"), ("bells_b", ""), (OUTBOX_CHANNEL, "")}
        await asyncio.sleep(0.2)
        assert heard.empty(), "a ring was sent twice"

        async with uow_factory(tenant_id=tenant) as uow:
            uow.notify("bells_a", "rolled back")
        await asyncio.sleep(0.3)
        assert heard.empty(), "rung without a commit"
    finally:
        await listener.close()
