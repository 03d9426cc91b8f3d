"""Shared helpers for the db/events integration tests: a provisioned database with the platform
tables and a tenant-scoped example table, Kafka topics, reading a topic back, running loops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import Column, MetaData, Table, Text, Uuid, text
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.outbox_table import inbox_table, outbox_table
from civicgrid_platform.db.rls import enable_tenant_rls
from civicgrid_platform.db.tenancy import bind_tenant
from civicgrid_platform.events.cloudevents import OutgoingEvent
from civicgrid_platform.events.producer import KafkaMessage
from civicgrid_testkit import ServiceDatabase, unique_name

METADATA = MetaData()
OUTBOX = outbox_table(METADATA)
INBOX = inbox_table(METADATA)
# A tenant-scoped table standing in for a service's own state, under row-level security.
THINGS = Table(
    "things",
    METADATA,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
)


def announce(tenant: object, thing_id: object, name: str) -> OutgoingEvent:
    """An event announcing a thing (what a use case adds to its unit of work)."""
    return OutgoingEvent(
        type="civicgrid.example.v1.thing.created",
        source="/civicgrid/example",
        tenant_id=tenant,  # type: ignore[arg-type]
        key=str(thing_id),
        topic="civicgrid.example.v1",
        message=StringValue(value=name),
    )


@dataclass
class Database:
    """A service database with the tables created, and engines for both roles."""

    service: ServiceDatabase
    owner: AsyncEngine  # DDL and test inspection, like a migration
    runtime: AsyncEngine  # what the code under test uses: DML only, RLS applies

    async def dispose(self) -> None:
        await self.owner.dispose()
        await self.runtime.dispose()

    async def scalar(self, sql: str, **params: object) -> object:
        """A value read as the owner (FORCE RLS: bind ``tenant`` to see tenant rows)."""
        async with self.owner.begin() as connection:
            tenant = params.pop("tenant", None)
            if tenant is not None:
                await bind_tenant(connection, tenant)  # type: ignore[arg-type]
            return (await connection.execute(text(sql), params)).scalar()


async def create_database(postgres: object, prefix: str, extra: MetaData | None = None) -> Database:
    """Provision a fresh database and create the platform tables (and ``extra``) as the owner."""
    service = await postgres.aprovision(unique_name(prefix))  # type: ignore[attr-defined]
    owner = create_engine(service.owner_dsn, pool_size=2, application_name="test-owner")
    async with owner.begin() as connection:
        await connection.run_sync(METADATA.create_all)
        if extra is not None:
            await connection.run_sync(extra.create_all)
        for statement in enable_tenant_rls("things"):
            await connection.execute(text(statement))
    runtime = create_engine(service.runtime_dsn, pool_size=5, application_name="test-runtime")
    return Database(service, owner, runtime)


def kafka_message(event: OutgoingEvent) -> KafkaMessage:
    """The record the relay would publish for ``event`` (for feeding consumers directly)."""
    return KafkaMessage(
        event.topic,
        key=event.key.encode(),
        value=event.message.SerializeToString(),
        headers=[(name, value.encode()) for name, value in event.headers().items()],
    )


async def read_topic(
    bootstrap_servers: str,
    topic: str,
    *,
    expected: int,
    give_up_after: float = 30.0,
    linger: float = 1.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` from the beginning, without a consumer group.

    Reads until ``expected`` records arrived (or ``give_up_after`` s), then ``linger`` s more, so
    a duplicate beyond the expected count would still be seen.
    """
    # No group: every partition is assigned to this consumer, read from the first offset.
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        records: list[ConsumerRecord[bytes, bytes]] = []
        deadline = time.monotonic() + give_up_after
        quiet_until: float | None = None
        while True:
            batch = await consumer.getmany(timeout_ms=200)
            for partition_records in batch.values():
                records.extend(partition_records)
            now = time.monotonic()
            if quiet_until is None and len(records) >= expected:
                quiet_until = now + linger
            if now >= (quiet_until or deadline):
                break
        return records
    finally:
        await consumer.stop()


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, within: float = 30.0, what: str = "condition"
) -> None:
    """Wait until ``condition()`` holds; fail the test naming ``what`` if it never does."""
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running(*loops: Callable[[asyncio.Event], Awaitable[None]]) -> AsyncIterator[None]:
    """Run ``loop(stop_event)`` for each loop during the block, then stop them and surface
    any error they raised."""
    stop = asyncio.Event()
    tasks = [asyncio.create_task(loop(stop)) for loop in loops]
    try:
        yield
    finally:
        stop.set()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
    for result in results:
        if isinstance(result, BaseException):
            raise result


def header_map(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers}
