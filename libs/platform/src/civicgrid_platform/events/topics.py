"""Topics a service publishes to, each with its dead-letter topic, created at start-up.

Brokers run with automatic topic creation off, so a typo in a topic name fails loudly instead
of creating a topic nobody reads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

logger = logging.getLogger(__name__)

DLQ_SUFFIX = ".dlq"
# Three copies where the cluster has three brokers; a one-broker development cluster gets one.
_PREFERRED_REPLICATION_FACTOR = 3


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = 3
    retention_ms: int | None = None

    def configs(self) -> dict[str, str]:
        return {} if self.retention_ms is None else {"retention.ms": str(self.retention_ms)}


def with_dead_letters(specs: Iterable[TopicSpec]) -> list[TopicSpec]:
    """Each topic followed by its ``<topic>.dlq``, with the same partitions and retention."""
    return [
        s
        for spec in specs
        for s in (spec, TopicSpec(dlq_topic(spec.name), spec.partitions, spec.retention_ms))
    ]


async def ensure_topics(
    bootstrap_servers: str,
    specs: Iterable[TopicSpec],
    *,
    replication_factor: int | None = None,
    ready_timeout: float = 30.0,
    security: Mapping[str, Any] | None = None,
) -> None:
    """Create each topic and its ``<topic>.dlq`` unless they exist; safe to call at every start.

    Existing topics are left as they are (partitions and retention are not altered).
    ``replication_factor`` defaults to three, or the number of brokers if there are fewer.
    Returns once every topic has leaders for all its partitions, so producers and consumers
    started right after do not meet a topic the cluster has not finished creating.
    ``security``: the brokers' TLS/SASL options (``KafkaConnection.security``).
    """
    wanted = with_dead_letters(specs)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, client_id="civicgrid-topics", **(security or {})
    )
    await admin.start()
    try:
        if replication_factor is None:
            cluster = await admin.describe_cluster()
            replication_factor = min(_PREFERRED_REPLICATION_FACTOR, len(cluster["brokers"]))
        response = await admin.create_topics(
            [
                NewTopic(s.name, s.partitions, replication_factor, topic_configs=s.configs())
                for s in wanted
            ]
        )
        for name, code, *rest in response.topic_errors:
            if code == 0:
                logger.info("created topic", extra={"topic": name})
            elif code != TopicAlreadyExistsError.errno:
                detail = rest[0] if rest else ""
                raise for_code(code)(f"could not create topic {name}: {detail}")
        async with asyncio.timeout(ready_timeout):
            # Polling the broker's metadata: there is no notification to wait on.
            while not await _all_have_leaders(admin, [s.name for s in wanted]):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    finally:
        await admin.close()


async def _all_have_leaders(admin: AIOKafkaAdminClient, names: list[str]) -> bool:
    described = await admin.describe_topics(names)
    return len(described) == len(names) and all(
        topic["error_code"] == 0
        and topic["partitions"]
        and all(partition["leader"] >= 0 for partition in topic["partitions"])
        for topic in described
    )
