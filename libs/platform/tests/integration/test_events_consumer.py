"""The consumer runner against real Kafka and PostgreSQL: inbox, dead letters, retries, offsets."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import text

from civicgrid_platform.db.tenancy import bind_tenant
from civicgrid_platform.db.uow import UnitOfWork, UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import IncomingEvent, OutgoingEvent
from civicgrid_platform.events.consumer import Batch, ConsumerRunner
from civicgrid_platform.events.producer import create_producer, publish_all
from civicgrid_platform.events.retry import RetryableError
from civicgrid_platform.events.topics import TopicSpec, dlq_topic, ensure_topics
from civicgrid_testkit import unique_name
from libs.platform.tests.integration.events_support_infra import (
    THINGS,
    Database,
    create_database,
    eventually,
    header_map,
    kafka_message,
    read_topic,
    running,
)

pytestmark = pytest.mark.integration

CREATED = "civicgrid.example.v1.thing.created"
TENANT_A = UUID("aaaaaaaa-0000-4000-8000-00000000000a")
TENANT_B = UUID("bbbbbbbb-0000-4000-8000-00000000000b")


@pytest.fixture(scope="module")
async def database(postgres: object) -> AsyncIterator[Database]:
    db = await create_database(postgres, "consumer")
    yield db
    await db.dispose()


@pytest.fixture(scope="module")
async def producer(kafka: object) -> AsyncIterator[AIOKafkaProducer]:
    started = await create_producer(kafka.bootstrap_servers, "consumer-test")  # type: ignore[attr-defined]
    yield started
    await started.stop()


@pytest.fixture
async def topic(kafka: object) -> str:
    name = unique_name("consumer").replace("_", ".")
    await ensure_topics(kafka.bootstrap_servers, [TopicSpec(name)])  # type: ignore[attr-defined]
    return name


@pytest.fixture
def bootstrap(kafka: object) -> str:
    return kafka.bootstrap_servers  # type: ignore[attr-defined, no-any-return]


def _event(
    topic: str, name: str, *, tenant: UUID = TENANT_A, key: str = "thing-1"
) -> OutgoingEvent:
    return OutgoingEvent(
        type=CREATED,
        source="/civicgrid/example",
        tenant_id=tenant,
        key=key,
        topic=topic,
        message=StringValue(value=name),
    )


async def create_thing(event: IncomingEvent, uow: UnitOfWork) -> None:
    """Not idempotent by itself (a fresh id each time): only the inbox prevents a second row."""
    name = event.decode(StringValue).value
    await uow.session.execute(
        THINGS.insert().values(id=uuid4(), tenant_id=event.tenant_id, name=name)
    )


def _runner(
    bootstrap: str,
    topic: str,
    database: Database,
    producer: AIOKafkaProducer,
    handlers: dict[str, Any] | None = None,
    *,
    group: str | None = None,
    runner_class: type[ConsumerRunner] = ConsumerRunner,
    **options: Any,
) -> ConsumerRunner:
    return runner_class(
        bootstrap,
        group or unique_name("group"),
        [topic],
        handlers or {CREATED: create_thing},
        UnitOfWorkFactory(database.runtime),
        dlq_producer=producer,
        **options,
    )


async def _names(database: Database, tenant: UUID) -> list[str]:
    async with database.owner.begin() as connection:
        await bind_tenant(connection, tenant)
        rows = await connection.execute(text("SELECT name FROM things ORDER BY name"))
        return list(rows.scalars())


async def _until(runner: ConsumerRunner, what: str, **totals: int) -> None:
    async def reached() -> bool:
        return all(getattr(runner.stats, name) >= total for name, total in totals.items())

    await eventually(reached, what=f"{what} (stats now {runner.stats})")


async def test_events_apply_for_their_tenant_and_a_redelivery_has_no_second_effect(
    bootstrap: str, topic: str, database: Database, producer: AIOKafkaProducer
) -> None:
    alpha = _event(topic, "alpha-redelivered", tenant=TENANT_A)
    beta = _event(topic, "beta-once", tenant=TENANT_B, key="thing-2")
    # The same event (same ce_id) twice in a row, as after a relay crash between send and commit.
    await publish_all(producer, [kafka_message(alpha), kafka_message(beta), kafka_message(alpha)])
    runner = _runner(bootstrap, topic, database, producer)

    async with running(runner.run):
        await _until(runner, "the first deliveries", processed=2, duplicates=1)
        await publish_all(producer, [kafka_message(alpha)])  # and once more, in a later batch
        await _until(runner, "the late redelivery", duplicates=2)

    assert "alpha-redelivered" in await _names(database, TENANT_A)
    assert (await _names(database, TENANT_A)).count("alpha-redelivered") == 1
    assert (await _names(database, TENANT_B)).count("beta-once") == 1
    assert "beta-once" not in await _names(database, TENANT_A)
    assert (runner.stats.processed, runner.stats.dead_lettered) == (2, 0)


async def test_poison_events_go_to_the_dlq_and_the_next_good_event_is_still_processed(
    bootstrap: str, topic: str, database: Database, producer: AIOKafkaProducer
) -> None:
    good = _event(topic, "after-the-poison")
    no_type = kafka_message(_event(topic, "no type"))
    no_type = no_type._replace(headers=[h for h in no_type.headers if h[0] != "ce_type"])
    undecodable = kafka_message(_event(topic, "garbled"))._replace(value=b"\x0a\xff\xff\xff")
    await publish_all(producer, [no_type, undecodable, kafka_message(good)])
    group = unique_name("group")
    runner = _runner(bootstrap, topic, database, producer, group=group)

    async with running(runner.run):
        await _until(runner, "the batch", processed=1, dead_lettered=2)

    assert (await _names(database, TENANT_A)).count("after-the-poison") == 1
    letters = sorted(
        await read_topic(bootstrap, dlq_topic(topic), expected=2), key=lambda r: r.offset
    )
    assert [(letter.key, letter.value) for letter in letters] == [
        (no_type.key, no_type.value),
        (undecodable.key, undecodable.value),
    ]
    missing, garbled = (header_map(letter) for letter in letters)
    assert missing["dlq_error"] == "missing required header ce_type"
    assert missing["dlq_error_type"] == "civicgrid_platform.events.cloudevents.InvalidEvent"
    assert garbled["dlq_error"].startswith("payload is not a valid google.protobuf.StringValue")
    assert garbled["ce_type"] == CREATED, "the original headers travel with the dead letter"
    for letter, headers in zip(letters, (missing, garbled), strict=True):
        assert headers["dlq_source_topic"] == topic
        assert headers["dlq_consumer_group"] == group
        assert headers["dlq_partition"] == str(letter.partition)
    assert [int(header_map(letter)["dlq_offset"]) for letter in letters] == [0, 1]


async def test_types_without_a_handler_are_skipped_not_dead_lettered(
    bootstrap: str, topic: str, database: Database, producer: AIOKafkaProducer
) -> None:
    foreign = OutgoingEvent(
        type="civicgrid.other.v1.something.happened",
        source="/civicgrid/other",
        tenant_id=TENANT_A,
        key="other-1",
        topic=topic,
        message=StringValue(value="not for us"),
    )
    await publish_all(producer, [kafka_message(foreign), kafka_message(_event(topic, "ours"))])
    runner = _runner(bootstrap, topic, database, producer)

    async with running(runner.run):
        await _until(runner, "both events", processed=1, skipped=1)

    assert runner.stats.dead_lettered == 0
    assert await read_topic(bootstrap, dlq_topic(topic), expected=0, linger=2.0) == []


async def test_a_transient_failure_is_retried_until_it_passes(
    bootstrap: str, topic: str, database: Database, producer: AIOKafkaProducer
) -> None:
    blocked_id = uuid4()
    async with database.owner.begin() as connection:
        await bind_tenant(connection, TENANT_A)
        await connection.execute(
            THINGS.insert().values(id=blocked_id, tenant_id=TENANT_A, name="blocked")
        )
    attempts = 0

    async def rename_blocked(event: IncomingEvent, uow: UnitOfWork) -> None:
        nonlocal attempts
        attempts += 1
        await uow.session.execute(text("SET LOCAL lock_timeout = '100ms'"))
        await uow.session.execute(
            THINGS.update()
            .where(THINGS.c.id == blocked_id)
            .values(name=event.decode(StringValue).value)
        )

    await publish_all(producer, [kafka_message(_event(topic, "unblocked"))])
    runner = _runner(
        bootstrap,
        topic,
        database,
        producer,
        {CREATED: rename_blocked},
        max_attempts=20,
        backoff_base=0.05,
        backoff_max=0.2,
    )

    async with running(runner.run), database.owner.connect() as holder:
        async with holder.begin():  # a real row lock: the handler's UPDATE hits lock_timeout
            await bind_tenant(holder, TENANT_A)
            await holder.execute(
                text("SELECT 1 FROM things WHERE id = :id FOR UPDATE"), {"id": blocked_id}
            )

            async def failed_twice() -> bool:
                return attempts >= 3  # two have failed, the third is waiting for the lock

            await eventually(failed_twice, what="two failed attempts")
            assert runner.stats.processed == 0
        await _until(runner, "the retried event", processed=1)

    assert "unblocked" in await _names(database, TENANT_A)
    assert runner.stats.retries >= 2
    assert runner.stats.dead_lettered == 0


async def test_an_event_that_keeps_failing_transiently_is_dead_lettered_after_max_attempts(
    bootstrap: str, topic: str, database: Database, producer: AIOKafkaProducer
) -> None:
    calls: Counter[str] = Counter()

    async def flaky(event: IncomingEvent, uow: UnitOfWork) -> None:
        name = event.decode(StringValue).value
        calls[name] += 1
        if name == "never-available":
            raise RetryableError("directory service unavailable")
        await create_thing(event, uow)

    await publish_all(
        producer,
        [
            kafka_message(_event(topic, "never-available")),
            kafka_message(_event(topic, "available-after-it")),
        ],
    )
    runner = _runner(
        bootstrap,
        topic,
        database,
        producer,
        {CREATED: flaky},
        max_attempts=3,
        backoff_base=0.01,
        backoff_max=0.05,
    )

    async with running(runner.run):
        await _until(runner, "give-up and the next event", processed=1, dead_lettered=1)

    assert calls["never-available"] == 3
    assert (await _names(database, TENANT_A)).count("available-after-it") == 1
    [letter] = await read_topic(bootstrap, dlq_topic(topic), expected=1)
    headers = header_map(letter)
    assert headers["dlq_error"] == "gave up after 3 attempts: directory service unavailable"
    assert headers["dlq_error_type"] == "civicgrid_platform.events.retry.RetryableError"


async def test_a_failed_event_leaves_no_changes_and_no_events_while_its_batch_commits(
    bootstrap: str, topic: str, database: Database, producer: AIOKafkaProducer
) -> None:
    follow_up_topic = "civicgrid.example.v1.followups"

    async def create_and_announce(event: IncomingEvent, uow: UnitOfWork) -> None:
        await create_thing(event, uow)
        name = event.decode(StringValue).value
        uow.add_event(_event(follow_up_topic, f"followed {name}", key=name))
        if name == "breaks-a-rule":
            raise ValueError("a domain rule refuses this one")

    names = ["chain-first", "breaks-a-rule", "chain-last"]
    await publish_all(producer, [kafka_message(_event(topic, name)) for name in names])
    runner = _runner(bootstrap, topic, database, producer, {CREATED: create_and_announce})

    async with running(runner.run):
        await _until(runner, "the batch", processed=2, dead_lettered=1)

    things = await _names(database, TENANT_A)
    assert [things.count(name) for name in names] == [1, 0, 1]
    async with database.owner.connect() as connection:
        follow_ups = await connection.execute(
            text("SELECT key FROM event_outbox WHERE topic = :topic ORDER BY id"),
            {"topic": follow_up_topic},
        )
        assert list(follow_ups.scalars()) == ["chain-first", "chain-last"]


class _CrashBeforeOffsetCommit(ConsumerRunner):
    """Dies exactly between the database commit and the Kafka offset commit."""

    async def _commit_offsets(self, consumer: AIOKafkaConsumer, batch: Batch) -> None:
        raise _Crash


class _Crash(Exception):
    pass


async def test_offsets_are_committed_only_after_the_database_work(
    bootstrap: str, topic: str, database: Database, producer: AIOKafkaProducer
) -> None:
    group = unique_name("group")
    await publish_all(producer, [kafka_message(_event(topic, "survives-a-crash"))])

    crashing = _runner(
        bootstrap, topic, database, producer, group=group, runner_class=_CrashBeforeOffsetCommit
    )
    with pytest.raises(_Crash):
        await asyncio.wait_for(crashing.run(asyncio.Event()), 60)
    assert (await _names(database, TENANT_A)).count("survives-a-crash") == 1

    restarted = _runner(bootstrap, topic, database, producer, group=group)
    async with running(restarted.run):
        await _until(restarted, "the redelivery", duplicates=1)
    assert restarted.stats.processed == 0
    assert (await _names(database, TENANT_A)).count("survives-a-crash") == 1

    # This time the offset was committed: a third start sees only what is new.
    await publish_all(producer, [kafka_message(_event(topic, "after-the-restart"))])
    third = _runner(bootstrap, topic, database, producer, group=group)
    async with running(third.run):
        await _until(third, "the new event", processed=1)
    assert third.stats.duplicates == 0


class _Names:
    """Deferred work: names gathered by the batch's handlers, written together; a name
    starting with "poison" fails the write for good."""

    KEY = "test.names"

    def __init__(self) -> None:
        self.names: list[tuple[UUID, str]] = []

    async def flush(self, uow: UnitOfWork) -> None:
        names, self.names = self.names, []
        for tenant, name in names:
            if name.startswith("poison"):
                raise ValueError(f"cannot store {name}")
            await uow.session.execute(
                THINGS.insert().values(id=uuid4(), tenant_id=tenant, name=name)
            )

    def discard(self) -> None:
        self.names.clear()


async def defer_thing(event: IncomingEvent, uow: UnitOfWork) -> None:
    uow.deferred(_Names.KEY, _Names).names.append(
        (event.tenant_id, event.decode(StringValue).value)
    )


async def test_deferred_work_that_fails_dead_letters_only_its_event_and_the_consumer_goes_on(
    bootstrap: str, topic: str, database: Database, producer: AIOKafkaProducer
) -> None:
    events = [
        _event(topic, "deferred-a1", key="k1"),
        _event(topic, "poison-deferred", key="k2"),
        _event(topic, "deferred-b1", tenant=TENANT_B, key="k3"),
    ]
    await publish_all(producer, [kafka_message(e) for e in events])
    runner = _runner(bootstrap, topic, database, producer, {CREATED: defer_thing})

    async with running(runner.run):
        await _until(runner, "the batch", processed=2, dead_lettered=1)
        # Still consuming afterwards.
        await publish_all(producer, [kafka_message(_event(topic, "deferred-a2", key="k4"))])
        await _until(runner, "the next event", processed=3)

    assert {"deferred-a1", "deferred-a2"} <= set(await _names(database, TENANT_A))
    assert "poison-deferred" not in await _names(database, TENANT_A)
    assert "deferred-b1" in await _names(database, TENANT_B)
    letters = await read_topic(bootstrap, dlq_topic(topic), expected=1)
    assert header_map(letters[0])["dlq_error"] == "cannot store poison-deferred"
