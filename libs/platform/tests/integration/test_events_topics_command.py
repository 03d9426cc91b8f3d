"""`civicgrid-<service> topics` creates the service's topics and DLQs on a real broker, and running
it again (every deploy runs the provisioning job) changes nothing and still succeeds."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from civicgrid_platform.command_line import ServiceCommandLine
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.settings import PlatformSettings
from civicgrid_testkit import unique_name

pytestmark = pytest.mark.integration

SERVICES = ("identity", "grid", "tickets", "volunteers", "notifications")


@pytest.fixture
async def admin(kafka: Any) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await client.start()
    yield client
    await client.close()


@pytest.fixture
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    aiokafka_level = logging.getLogger("aiokafka").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(aiokafka_level)


async def _partitions(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, int]:
    described = await admin.describe_topics(names)
    return {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}


async def _retention_ms(admin: AIOKafkaAdminClient, topic: str) -> str:
    [response] = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, topic, {"retention.ms": None})]
    )
    [(_code, _message, _type, _name, entries)] = response.resources
    return str(next(entry[1] for entry in entries if entry[0] == "retention.ms"))


@pytest.mark.usefixtures("_restore_logging")
async def test_topics_command_creates_declared_topics_and_dlqs_and_is_idempotent(
    kafka: Any, admin: AIOKafkaAdminClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    events, audit = unique_name("cmd_events"), unique_name("cmd_audit")
    command_line = ServiceCommandLine(
        name="example",
        settings=PlatformSettings,
        migrations=Path("unused"),
        build=lambda settings: pytest.fail("`topics` must not build the service"),
        topics=lambda settings: [
            TopicSpec(events, partitions=settings.kafka_topic_partitions),
            TopicSpec(audit, partitions=1, retention_ms=3_600_000),
        ],
    )
    monkeypatch.setenv("CIVICGRID_KAFKA_BOOTSTRAP", kafka.bootstrap_servers)
    monkeypatch.setenv("CIVICGRID_KAFKA_TOPIC_PARTITIONS", "2")
    names = [events, f"{events}.dlq", audit, f"{audit}.dlq"]

    for _ in range(2):
        await asyncio.to_thread(command_line.main, ["topics"])
        assert await _partitions(admin, names) == {
            events: 2,
            f"{events}.dlq": 2,
            audit: 1,
            f"{audit}.dlq": 1,
        }
    assert await _retention_ms(admin, f"{audit}.dlq") == "3600000"


async def test_topics_command_of_every_service_exits_zero_twice_and_creates_its_topics(
    kafka: Any, admin: AIOKafkaAdminClient
) -> None:
    env = {
        **os.environ,
        "CIVICGRID_KAFKA_BOOTSTRAP": kafka.bootstrap_servers,
        "CIVICGRID_KAFKA_TOPIC_PARTITIONS": "3",  # the default, as every service process uses
    }
    for service in SERVICES:
        for attempt in (1, 2):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                f"civicgrid_{service}",
                "topics",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            _out, err = await asyncio.wait_for(process.communicate(), 120)
            assert process.returncode == 0, f"{service} topics (run {attempt}):\n{err.decode()}"

    names = [n for s in SERVICES for n in (f"civicgrid.{s}.v1", f"civicgrid.{s}.v1.dlq")]
    # Created here, or earlier by another suite's service process from the same declaration
    # and the same default: either way each has the declared partitions.
    assert await _partitions(admin, names) == dict.fromkeys(names, 3)
