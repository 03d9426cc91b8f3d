"""The `kafka` fixture and the local broker against a real Apache Kafka in KRaft mode."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import UnknownTopicOrPartitionError

from civicgrid_testkit import unique_name
from civicgrid_testkit.kafka import LocalKafka, create_topics
from civicgrid_testkit.servers import KafkaServer

pytestmark = pytest.mark.integration


async def _partition_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return {topic["topic"]: len(topic["partitions"]) for topic in described}


async def _produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, group: str, count: int) -> list[tuple[bytes, bytes]]:
    """Read `count` records from the start of `topic`, then commit them for `group`."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    received: list[tuple[bytes, bytes]] = []
    try:
        async with asyncio.timeout(60):
            while len(received) < count:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    received += [(record.key or b"", record.value or b"") for record in records]
        await consumer.commit()
    finally:
        await consumer.stop()
    return received


async def test_fixture_gives_a_broker_on_loopback_that_lists_itself(kafka: KafkaServer) -> None:
    assert kafka.bootstrap_servers.startswith("127.0.0.1:")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
    finally:
        await admin.close()
    assert [broker["host"] for broker in cluster["brokers"]] == ["127.0.0.1"]


async def test_idempotent_producer_and_committing_consumer_round_trip(kafka: KafkaServer) -> None:
    topic = unique_name("roundtrip")
    group = unique_name("group")
    await kafka.acreate_topics([topic])
    sent = [(f"ticket-{n % 2}".encode(), f"event-{n}".encode()) for n in range(6)]
    await _produce(kafka.bootstrap_servers, topic, sent)

    received = await _consume(kafka.bootstrap_servers, topic, group, len(sent))

    assert sorted(received) == sorted(sent)
    for key in {key for key, _ in sent}:  # one key, one partition: its events stay in order
        assert [v for k, v in received if k == key] == [v for k, v in sent if k == key]
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=group)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(3)]
        committed = [await consumer.committed(tp) or 0 for tp in partitions]
    finally:
        await consumer.stop()
    assert sum(committed) == len(sent)


async def test_create_topics_is_idempotent_and_keeps_existing_topics(kafka: KafkaServer) -> None:
    first, second = unique_name("first"), unique_name("second")
    await kafka.acreate_topics([first], partitions=2)
    await kafka.acreate_topics([first, second, second])
    kafka.create_topics([first, second], partitions=5)  # the sync form, inside a running loop

    counts = await _partition_counts(kafka.bootstrap_servers, [first, second])
    assert counts == {first: 2, second: 3}


async def test_topics_are_not_created_by_merely_producing_to_them(kafka: KafkaServer) -> None:
    topic = unique_name("typo")
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, request_timeout_ms=1500)
    await producer.start()
    try:
        with pytest.raises(UnknownTopicOrPartitionError):
            await producer.send_and_wait(topic, b"lost")
    finally:
        await producer.stop()
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await admin.start()
    try:
        assert topic not in await admin.list_topics()
    finally:
        await admin.close()


def test_broker_keeps_its_data_and_address_across_a_restart(civicgrid_servers_dir: Path) -> None:
    broker = LocalKafka(civicgrid_servers_dir / unique_name("kafka_restart"))
    topic = unique_name("durable")
    try:
        first = broker.start()
        assert broker.start().pid == first.pid  # already running: reused, not restarted
        asyncio.run(create_topics(first.bootstrap_servers, [topic], partitions=1))
        asyncio.run(_produce(first.bootstrap_servers, topic, [(b"k", b"kept")]))
        broker.stop()
        assert not broker.is_running()

        second = broker.start()
        assert second.bootstrap_servers == first.bootstrap_servers
        assert second.pid != first.pid
        received = asyncio.run(_consume(second.bootstrap_servers, topic, unique_name("reader"), 1))
        assert received == [(b"k", b"kept")]
    finally:
        broker.stop()
