"""The unit of work against a real PostgreSQL: state and outbox rows commit or vanish together."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import select, text

from civicgrid_platform.db.outbox_table import OUTBOX_CHANNEL
from civicgrid_platform.db.uow import UnitOfWorkError, UnitOfWorkFactory
from civicgrid_testkit.provisioning import runtime_role
from civicgrid_testkit.servers import PostgresServer
from libs.platform.tests.integration.events_support_infra import (
    OUTBOX,
    THINGS,
    Database,
    announce,
)

pytestmark = pytest.mark.integration


async def _counts(database: Database, tenant: object, thing_id: object) -> tuple[object, object]:
    things = await database.scalar(
        "SELECT count(*) FROM things WHERE id = :id", id=thing_id, tenant=tenant
    )
    outbox = await database.scalar(
        "SELECT count(*) FROM event_outbox WHERE key = :key", key=str(thing_id)
    )
    return things, outbox


async def test_state_change_and_its_event_commit_together(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant, thing_id = uuid4(), uuid4()
    tracer = TracerProvider().get_tracer("test")

    with tracer.start_as_current_span("request") as request_span:
        async with uow_factory(tenant_id=tenant) as uow:
            await uow.session.execute(
                THINGS.insert().values(id=thing_id, tenant_id=tenant, name="bench")
            )
            event = announce(tenant, thing_id, "bench")
            uow.add_event(event)
            await uow.commit()

    assert await _counts(database, tenant, thing_id) == (1, 1)
    async with database.owner.connect() as connection:
        row = (await connection.execute(select(OUTBOX).where(OUTBOX.c.event_id == event.id))).one()
    assert (row.topic, row.key, row.tenant_id) == ("civicgrid.example.v1", str(thing_id), tenant)
    assert StringValue.FromString(row.payload).value == "bench"
    assert row.headers["ce_id"] == str(event.id)
    assert row.headers["ce_dataschema"] == "google.protobuf.StringValue"
    trace_id = format(request_span.get_span_context().trace_id, "032x")
    assert row.headers["traceparent"].split("-")[1] == trace_id


async def test_an_error_in_the_block_rolls_back_state_and_event(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant, thing_id = uuid4(), uuid4()

    with pytest.raises(RuntimeError, match="use case failed"):
        async with uow_factory(tenant_id=tenant) as uow:
            await uow.session.execute(
                THINGS.insert().values(id=thing_id, tenant_id=tenant, name="lamp")
            )
            uow.add_event(announce(tenant, thing_id, "lamp"))
            await uow.session.flush()
            raise RuntimeError("use case failed")

    assert await _counts(database, tenant, thing_id) == (0, 0)


async def test_leaving_without_commit_rolls_back(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant, thing_id = uuid4(), uuid4()

    async with uow_factory(tenant_id=tenant) as uow:
        await uow.session.execute(THINGS.insert().values(id=thing_id, tenant_id=tenant, name="x"))
        uow.add_event(announce(tenant, thing_id, "x"))

    assert await _counts(database, tenant, thing_id) == (0, 0)


async def test_a_unit_of_work_commits_once(uow_factory: UnitOfWorkFactory) -> None:
    tenant = uuid4()
    async with uow_factory(tenant_id=tenant) as uow:
        await uow.commit()
        with pytest.raises(UnitOfWorkError, match="has committed"):
            await uow.commit()
        with pytest.raises(UnitOfWorkError, match="has committed"):
            uow.add_event(announce(tenant, uuid4(), "late"))
        with pytest.raises(UnitOfWorkError, match="has committed"):
            _ = uow.session


async def test_a_failed_savepoint_undoes_only_its_own_changes_and_events(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant, kept, undone = uuid4(), uuid4(), uuid4()

    async with uow_factory(tenant_id=tenant) as uow:
        await uow.session.execute(THINGS.insert().values(id=kept, tenant_id=tenant, name="kept"))
        uow.add_event(announce(tenant, kept, "kept"))
        with pytest.raises(LookupError):
            async with uow.savepoint():
                await uow.session.execute(
                    THINGS.insert().values(id=undone, tenant_id=tenant, name="undone")
                )
                uow.add_event(announce(tenant, undone, "undone"))
                raise LookupError("this one fails")
        await uow.commit()

    assert await _counts(database, tenant, kept) == (1, 1)
    assert await _counts(database, tenant, undone) == (0, 0)


async def test_committing_events_notifies_the_relay_at_commit_and_only_then(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    notifications: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(database.service.runtime_dsn)
    await listener.add_listener(OUTBOX_CHANNEL, lambda *args: notifications.put_nowait(args[2]))
    try:
        tenant = uuid4()
        async with uow_factory(tenant_id=tenant) as uow:
            uow.add_event(announce(tenant, uuid4(), "a"))
            uow.add_event(announce(tenant, uuid4(), "b"))
            await uow.session.execute(select(1))
            await asyncio.sleep(0.2)
            assert notifications.empty(), "notified before the commit"
            await uow.commit()
        await asyncio.wait_for(notifications.get(), 5)

        async with uow_factory(tenant_id=tenant) as uow:
            await uow.commit()  # no events: the relay has nothing to do
        async with uow_factory(tenant_id=tenant) as uow:
            uow.add_event(announce(tenant, uuid4(), "rolled back"))
        await asyncio.sleep(0.3)
        assert notifications.empty(), "notified without committed events"
    finally:
        await listener.close()


async def test_connections_the_server_closed_are_replaced_not_failed(
    database: Database, uow_factory: UnitOfWorkFactory, postgres: PostgresServer
) -> None:
    tenant = uuid4()
    async with uow_factory(tenant_id=tenant) as uow:
        before = await uow.session.scalar(text("SELECT pg_backend_pid()"))
    # As a restart or a failover would: the server ends every pooled connection of the app.
    admin = await asyncpg.connect(postgres.admin_dsn)
    try:
        ended = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = $1 AND usename = $2",
            database.service.name,
            runtime_role(database.service.name),
        )
    finally:
        await admin.close()
    assert ended >= 1
    await asyncio.sleep(0.2)  # the event loop reads the closes

    async with uow_factory(tenant_id=tenant) as uow:
        after = await uow.session.scalar(text("SELECT pg_backend_pid()"))
    assert after != before
