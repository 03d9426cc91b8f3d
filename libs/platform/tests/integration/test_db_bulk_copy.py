"""COPY-speed inserts: rows land in one transaction, and row-level security still decides."""

from __future__ import annotations

from uuid import uuid4

import asyncpg
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry.sdk.trace import TracerProvider

from civicgrid_platform.db.bulk import FEW_ROWS, copy_rows, insert_new_rows, update_rows
from civicgrid_platform.db.uow import BULK_EVENTS, UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import OutgoingEvent
from libs.platform.tests.integration.events_support_infra import (
    OUTBOX,
    THINGS,
    Database,
)

pytestmark = pytest.mark.integration


async def _things(database: Database, tenant: object) -> object:
    return await database.scalar(
        "SELECT count(*) FROM things WHERE tenant_id = :id", id=tenant, tenant=tenant
    )


async def test_rows_for_the_bound_tenant_are_copied_through_the_staging_table(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant = uuid4()
    rows = [(uuid4(), tenant, f"thing {n}") for n in range(2500)]
    async with uow_factory(tenant_id=tenant) as uow:
        await copy_rows(uow.session, THINGS, ("id", "tenant_id", "name"), rows)
        # Twice in one transaction: each call stages in a table of its own (a few rows go in
        # one INSERT from unnest instead).
        await copy_rows(uow.session, THINGS, ("id", "tenant_id", "name"), [(uuid4(), tenant, "x")])
        await copy_rows(
            uow.session,
            THINGS,
            ("id", "tenant_id", "name"),
            [(uuid4(), tenant, f"z {n}") for n in range(100)],
        )
        await uow.commit()
    assert await _things(database, tenant) == 2601


@pytest.mark.parametrize("mine", [2, FEW_ROWS + 10], ids=["unnest", "staging"])
async def test_a_row_of_another_tenant_fails_the_whole_copy(
    database: Database, uow_factory: UnitOfWorkFactory, mine: int
) -> None:
    tenant, other = uuid4(), uuid4()
    rows = [(uuid4(), tenant, "mine") for _ in range(mine)] + [(uuid4(), other, "smuggled")]
    with pytest.raises(Exception, match="row-level security"):
        async with uow_factory(tenant_id=tenant) as uow:
            await copy_rows(uow.session, THINGS, ("id", "tenant_id", "name"), rows)
            await uow.commit()
    assert await _things(database, tenant) == 0
    assert await _things(database, other) == 0


async def test_nothing_copied_survives_a_rollback(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant = uuid4()
    async with uow_factory(tenant_id=tenant) as uow:
        await copy_rows(uow.session, THINGS, ("id", "tenant_id", "name"), [(uuid4(), tenant, "a")])
    assert await _things(database, tenant) == 0


async def test_the_runtime_role_cannot_copy_into_a_secured_table_directly(
    database: Database,
) -> None:
    """Why the staging table exists: PostgreSQL refuses COPY FROM under row-level security."""
    connection = await asyncpg.connect(database.service.runtime_dsn)
    try:
        with pytest.raises(asyncpg.FeatureNotSupportedError):
            await connection.copy_records_to_table(
                "things", records=[(uuid4(), uuid4(), "x")], columns=["id", "tenant_id", "name"]
            )
    finally:
        await connection.close()


async def test_a_large_batch_of_events_reaches_the_outbox_by_copy_with_its_trace(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant, key = uuid4(), str(uuid4())
    count = BULK_EVENTS + 10
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("import") as span:
        async with uow_factory(tenant_id=tenant) as uow:
            for n in range(count):
                uow.add_event(
                    OutgoingEvent(
                        type="civicgrid.example.v1.thing.created",
                        source="/civicgrid/example",
                        tenant_id=tenant,
                        key=key,
                        topic="civicgrid.example.v1",
                        message=StringValue(value=f"thing {n}"),
                    )
                )
            await uow.commit()
    async with database.owner.connect() as connection:
        rows = (
            await connection.execute(
                OUTBOX.select().where(OUTBOX.c.key == key).order_by(OUTBOX.c.id)
            )
        ).all()
    assert len(rows) == count
    assert [StringValue.FromString(r.payload).value for r in rows[:2]] == ["thing 0", "thing 1"]
    assert len({r.headers["ce_id"] for r in rows}) == count
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert {r.headers["traceparent"].split("-")[1] for r in rows} == {trace_id}
    assert {r.tenant_id for r in rows} == {tenant}


async def test_many_rows_are_updated_at_once_and_only_the_bound_tenants(
    database: Database, uow_factory: UnitOfWorkFactory
) -> None:
    tenant, other = uuid4(), uuid4()
    mine, theirs = uuid4(), uuid4()
    for owner, thing in ((tenant, mine), (other, theirs)):
        async with uow_factory(tenant_id=owner) as uow:
            await copy_rows(
                uow.session, THINGS, ("id", "tenant_id", "name"), [(thing, owner, "old")]
            )
            await uow.commit()
    async with uow_factory(tenant_id=tenant) as uow:
        # The other tenant's row is named too: row-level security leaves it untouched.
        await update_rows(uow.session, THINGS, "id", ["name"], [(mine, "new"), (theirs, "stolen")])
        await uow.commit()
    names = {
        thing: await database.scalar(
            "SELECT name FROM things WHERE id = :id", id=thing, tenant=owner
        )
        for owner, thing in ((tenant, mine), (other, theirs))
    }
    assert names == {mine: "new", theirs: "old"}


@pytest.mark.parametrize("count", [3, FEW_ROWS + 10], ids=["unnest", "staging"])
async def test_only_rows_that_do_not_clash_are_inserted_and_their_ids_returned(
    database: Database, uow_factory: UnitOfWorkFactory, count: int
) -> None:
    tenant = uuid4()
    old = [(uuid4(), tenant, f"old {n}") for n in range(2)]
    async with uow_factory(tenant_id=tenant) as uow:
        await copy_rows(uow.session, THINGS, ("id", "tenant_id", "name"), old)
        await uow.commit()
    fresh = [(uuid4(), tenant, f"new {n}") for n in range(count)]
    async with uow_factory(tenant_id=tenant) as uow:
        inserted = await insert_new_rows(
            uow.session,
            THINGS,
            ("id", "tenant_id", "name"),
            [*old, *fresh],
            conflict="things_pkey",
            returning="id",
        )
        await uow.commit()
    assert sorted(inserted) == sorted(row[0] for row in fresh)
    assert await _things(database, tenant) == 2 + count
