"""`civicgrid-<service> topics --list`: the topics a service owns and their DLQs, without Kafka.

A deployment's provisioning job (and the charts' tests) read this list, so it must be the list
the service's relay provisions at start-up, and it must not need a broker to be printed.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civicgrid_platform.command_line import ServiceCommandLine
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.settings import PlatformSettings

SERVICES = ("identity", "grid", "tickets", "volunteers", "notifications")

# An address nothing listens on (TEST-NET-1): were Kafka contacted, the command would hang/fail.
_NO_KAFKA = "192.0.2.1:9092"


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`main` configures the process's logging, as a service's entry point should; put back
    pytest's own so later tests are not logging to a stream this one's capture closed."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    aiokafka_level = logging.getLogger("aiokafka").level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(aiokafka_level)


def _unbuildable(settings: Any) -> Any:
    raise AssertionError("`topics` must not build the service")


def _example_command_line() -> ServiceCommandLine:
    return ServiceCommandLine(
        name="example",
        settings=PlatformSettings,
        migrations=Path("unused"),
        build=_unbuildable,
        topics=lambda settings: [
            TopicSpec("civicgrid.example.v1", partitions=settings.kafka_topic_partitions),
            TopicSpec("civicgrid.example.audit.v1", partitions=1, retention_ms=86_400_000),
        ],
    )


def _lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def test_topics_list_prints_each_topic_then_its_dlq_as_json_lines(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIVICGRID_KAFKA_BOOTSTRAP", _NO_KAFKA)
    monkeypatch.setenv("CIVICGRID_KAFKA_TOPIC_PARTITIONS", "12")

    _example_command_line().main(["topics", "--list"])

    assert _lines(capsys.readouterr().out) == [
        {"name": "civicgrid.example.v1", "partitions": 12, "retention_ms": None},
        {"name": "civicgrid.example.v1.dlq", "partitions": 12, "retention_ms": None},
        {"name": "civicgrid.example.audit.v1", "partitions": 1, "retention_ms": 86_400_000},
        {"name": "civicgrid.example.audit.v1.dlq", "partitions": 1, "retention_ms": 86_400_000},
    ]


def test_topics_command_exists_only_for_a_service_that_declares_topics(
    capsys: pytest.CaptureFixture[str],
) -> None:
    without = ServiceCommandLine(
        name="example", settings=PlatformSettings, migrations=Path("unused"), build=_unbuildable
    )
    with pytest.raises(SystemExit) as refused:
        without.main(["topics", "--list"])
    assert refused.value.code == 2
    assert "invalid choice: 'topics'" in capsys.readouterr().err


@pytest.mark.parametrize("service", SERVICES)
def test_topics_list_of_every_service_names_its_topic_and_dlq(
    service: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIVICGRID_KAFKA_BOOTSTRAP", _NO_KAFKA)
    monkeypatch.setenv("CIVICGRID_KAFKA_TOPIC_PARTITIONS", "6")
    command_line = importlib.import_module(f"civicgrid_{service}.__main__").COMMAND_LINE

    command_line.main(["topics", "--list"])

    topic = f"civicgrid.{service}.v1"
    assert _lines(capsys.readouterr().out) == [
        {"name": topic, "partitions": 6, "retention_ms": None},
        {"name": f"{topic}.dlq", "partitions": 6, "retention_ms": None},
    ]
