"""The outbox relay against real PostgreSQL and Kafka: what a use case commits reaches Kafka,
once, in order per key, with the CloudEvents headers and the trace of the request."""

from __future__ import annotations

import asyncio
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import text

from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import OutgoingEvent
from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.relay import OutboxRelay, claim_unpublished
from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_testkit import unique_name
from libs.platform.tests.integration.events_support_infra import (
    Database,
    create_database,
    eventually,
    header_map,
    read_topic,
    running,
)
from libs.platform.tests.integration.events_support_reader import RECEIVED_DDL

pytestmark = pytest.mark.integration

EVENT_TYPE = "civicgrid.example.v1.thing.renamed"
READER = Path(__file__).with_name("events_support_reader.py")


@pytest.fixture
async def database(postgres: object) -> AsyncIterator[Database]:
    """A database of its own per test: each test counts every outbox row it sees."""
    db = await create_database(postgres, "relay")
    async with db.owner.begin() as connection:
        await connection.execute(text(RECEIVED_DDL))
    yield db
    await db.dispose()


@pytest.fixture
async def topic(kafka: object) -> str:
    name = unique_name("relay").replace("_", ".")
    await ensure_topics(kafka.bootstrap_servers, [TopicSpec(name)])  # type: ignore[attr-defined]
    return name


@pytest.fixture
async def producer(kafka: object) -> AsyncIterator[AIOKafkaProducer]:
    started = await create_producer(kafka.bootstrap_servers, "relay-test")  # type: ignore[attr-defined]
    yield started
    await started.stop()


def _event(topic: str, tenant: UUID, key: str, value: str) -> OutgoingEvent:
    return OutgoingEvent(
        type=EVENT_TYPE,
        source="/civicgrid/example",
        tenant_id=tenant,
        key=key,
        topic=topic,
        message=StringValue(value=value),
        subject=key,
    )


async def _commit(uows: UnitOfWorkFactory, events: list[OutgoingEvent]) -> None:
    async with uows(tenant_id=events[0].tenant_id) as uow:
        for event in events:
            uow.add_event(event)
        await uow.commit()


async def _unpublished(database: Database) -> object:
    """Rows still in the outbox: the relay deletes each one Kafka has acknowledged."""
    return await database.scalar("SELECT count(*) FROM event_outbox")


async def test_committed_events_reach_a_consumer_in_another_process_with_trace_and_headers(
    database: Database, topic: str, producer: AIOKafkaProducer, kafka: object
) -> None:
    bootstrap: str = kafka.bootstrap_servers  # type: ignore[attr-defined]
    tenant = uuid4()
    event = _event(topic, tenant, "thing-1", "renamed to lamp")
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("request") as request_span:
        await _commit(UnitOfWorkFactory(database.runtime), [event])
    request = request_span.get_span_context()

    relay = OutboxRelay(database.runtime, producer, poll_interval=0.2)
    async with running(relay.run):
        reader = await asyncio.create_subprocess_exec(
            sys.executable,
            str(READER),
            bootstrap,
            topic,
            unique_name("reader"),
            database.service.runtime_dsn,
            EVENT_TYPE,
            "1",
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(reader.communicate(), 90)
    assert reader.returncode == 0, stderr.decode()

    async with database.owner.connect() as connection:
        received = (await connection.execute(text("SELECT * FROM received"))).one()
    assert (received.event_id, received.tenant_id) == (str(event.id), tenant)
    assert received.value == "renamed to lamp"
    assert received.trace_id == format(request.trace_id, "032x")
    assert received.parent_span_id == format(request.span_id, "016x")
    assert received.span_kind == "CONSUMER"

    [record] = await read_topic(bootstrap, topic, expected=1, linger=0.2)
    assert record.key == b"thing-1"
    assert StringValue.FromString(record.value).value == "renamed to lamp"
    headers = header_map(record)
    traceparent = f"00-{request.trace_id:032x}-{request.span_id:016x}-{request.trace_flags:02x}"
    assert headers == {
        "ce_specversion": "1.0",
        "ce_id": str(event.id),
        "ce_source": "/civicgrid/example",
        "ce_type": EVENT_TYPE,
        "ce_time": headers["ce_time"],
        "ce_subject": "thing-1",
        "ce_dataschema": "google.protobuf.StringValue",
        "ce_tenantid": str(tenant),
        "content-type": "application/protobuf",
        "traceparent": traceparent,
    }
    assert headers["ce_time"].endswith("Z")
    assert await _unpublished(database) == 0


async def test_two_relays_publish_every_event_exactly_once_and_in_order_per_key(
    database: Database, topic: str, kafka: object
) -> None:
    bootstrap: str = kafka.bootstrap_servers  # type: ignore[attr-defined]
    uows = UnitOfWorkFactory(database.runtime)
    keys = [f"thing-{n}" for n in range(12)]
    tenant = uuid4()
    per_commit, commits = 20, 30
    producers = [await create_producer(bootstrap, f"relay-{n}") for n in range(2)]
    relays = [
        OutboxRelay(database.runtime, p, batch_size=25, poll_interval=0.05) for p in producers
    ]
    try:
        async with running(*(relay.run for relay in relays)):
            # Committed while both relays run, so they race for the same rows.
            sequence = 0
            for _ in range(commits):
                batch = []
                for _ in range(per_commit):
                    key = keys[sequence % len(keys)]
                    batch.append(_event(topic, tenant, key, f"{key}:{sequence:06d}"))
                    sequence += 1
                await _commit(uows, batch)

            async def all_published() -> bool:
                return await _unpublished(database) == 0

            await eventually(all_published, what="the outbox to drain")
    finally:
        for started in producers:
            await started.stop()

    total = per_commit * commits
    records = await read_topic(bootstrap, topic, expected=total, linger=2.0)
    ids = [header_map(record)["ce_id"] for record in records]
    assert len(ids) == total
    assert len(set(ids)) == total, "an event was published twice"
    values_by_key: dict[bytes, list[str]] = defaultdict(list)
    for record in records:
        values_by_key[record.key].append(StringValue.FromString(record.value).value)
    assert set(values_by_key) == {key.encode() for key in keys}
    for key, values in values_by_key.items():
        assert values == sorted(values), f"events of {key!r} out of order"


async def test_while_one_relay_holds_a_batch_no_other_relay_publishes_those_keys(
    database: Database, topic: str, producer: AIOKafkaProducer
) -> None:
    tenant = uuid4()
    await _commit(
        UnitOfWorkFactory(database.runtime),
        [_event(topic, tenant, f"thing-{n % 3}", f"v{n}") for n in range(9)],
    )
    relay = OutboxRelay(database.runtime, producer)

    async with database.runtime.connect() as other_relay, other_relay.begin():
        held = await claim_unpublished(other_relay, 2)
        assert len(held) == 2
        # The other relay's batch owns these keys' ordering slots: the rows it did not claim
        # (same keys, later) must not overtake it.
        assert await relay.publish_batch() == 0

    assert await relay.publish_batch() == 9
    assert await _unpublished(database) == 0


async def test_a_commit_wakes_an_idle_relay_without_waiting_for_the_poll(
    database: Database, topic: str, producer: AIOKafkaProducer
) -> None:
    relay = OutboxRelay(database.runtime, producer, poll_interval=60)

    async with running(relay.run):
        await asyncio.wait_for(relay.listening.wait(), 10)
        await asyncio.sleep(0.3)  # the relay's catch-up round is over; it now idles
        await _commit(UnitOfWorkFactory(database.runtime), [_event(topic, uuid4(), "k", "v")])

        async def published() -> bool:
            return await _unpublished(database) == 0

        # Far below the 60 s poll: only the notification can have woken the relay.
        await eventually(published, within=10, what="the notified relay to publish")


async def test_the_relay_listens_again_after_losing_its_connection(
    database: Database, topic: str, producer: AIOKafkaProducer
) -> None:
    relay = OutboxRelay(database.runtime, producer, poll_interval=60)
    listener_pid = (
        "SELECT pid FROM pg_stat_activity "
        "WHERE application_name = 'civicgrid-outbox-listener' AND datname = current_database()"
    )

    async with running(relay.run):
        await asyncio.wait_for(relay.listening.wait(), 10)
        first = await database.scalar(listener_pid)
        async with database.runtime.begin() as same_role:  # may end its own role's sessions
            await same_role.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})

        async def listening_on_a_new_connection() -> bool:
            current = await database.scalar(listener_pid)
            return current is not None and current != first and relay.listening.is_set()

        await eventually(listening_on_a_new_connection, within=10, what="a new listener")
        await asyncio.sleep(0.3)  # the catch-up round after reconnecting is over
        await _commit(UnitOfWorkFactory(database.runtime), [_event(topic, uuid4(), "k", "v")])

        async def published() -> bool:
            return await _unpublished(database) == 0

        await eventually(published, within=10, what="the relay to be woken again")
