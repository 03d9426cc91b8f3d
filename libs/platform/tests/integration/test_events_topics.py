"""Topics and their dead-letter topics, created at start-up against a broker that creates none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_testkit import unique_name

pytestmark = pytest.mark.integration


@pytest.fixture
async def admin(kafka: Any) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await client.start()
    yield client
    await client.close()


async def _partitions(admin: AIOKafkaAdminClient, topic: str) -> int:
    [described] = await admin.describe_topics([topic])
    assert described["error_code"] == 0, f"{topic} does not exist"
    return len(described["partitions"])


async def _retention_ms(admin: AIOKafkaAdminClient, topic: str) -> str:
    [response] = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, topic, {"retention.ms": None})]
    )
    [(_code, _message, _type, _name, entries)] = response.resources
    return str(next(entry[1] for entry in entries if entry[0] == "retention.ms"))


async def test_each_topic_gets_a_dlq_with_its_partitions_and_retention(
    kafka: Any, admin: AIOKafkaAdminClient
) -> None:
    plain, kept_a_day = unique_name("topics").replace("_", "."), unique_name("topics_ret")
    specs = [TopicSpec(plain), TopicSpec(kept_a_day, partitions=2, retention_ms=86_400_000)]

    await ensure_topics(kafka.bootstrap_servers, specs)

    assert await _partitions(admin, plain) == 3
    assert await _partitions(admin, plain + ".dlq") == 3
    assert await _partitions(admin, kept_a_day) == 2
    assert await _partitions(admin, kept_a_day + ".dlq") == 2
    assert await _retention_ms(admin, kept_a_day) == "86400000"
    assert await _retention_ms(admin, kept_a_day + ".dlq") == "86400000"


async def test_ensuring_again_is_harmless(kafka: Any, admin: AIOKafkaAdminClient) -> None:
    topic = unique_name("topics_again")
    await ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic)])

    await ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic), TopicSpec(topic + "_new")])

    assert await _partitions(admin, topic) == 3
    assert await _partitions(admin, topic + "_new.dlq") == 3
