"""The Kafka producer every service uses for the relay and for dead letters."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata


async def create_producer(
    bootstrap_servers: str,
    client_id: str,
    *,
    linger_ms: int = 5,
    max_batch_size: int = 256 * 1024,
    request_timeout_ms: int = 30_000,
    security: Mapping[str, Any] | None = None,
) -> AIOKafkaProducer:
    """A started, idempotent producer; the caller stops it.

    Idempotence with acks=all means a record the broker acknowledged is on every in-sync
    replica, and the producer's own retries neither duplicate nor reorder records. A few
    milliseconds of linger let a relay batch fill one request per partition without hurting
    commit-to-publish latency. ``security``: the brokers' TLS/SASL options
    (``KafkaConnection.security``).
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        max_batch_size=max_batch_size,
        request_timeout_ms=request_timeout_ms,
        **(security or {}),
    )
    await producer.start()
    return producer


class KafkaMessage(NamedTuple):
    topic: str
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


async def publish_all(producer: AIOKafkaProducer, messages: Iterable[KafkaMessage]) -> None:
    """Send every message and return once the broker has acknowledged all of them.

    ``send`` only queues a record (in call order, per partition); awaiting the acknowledgements
    together lets a whole batch share a few produce requests instead of one round trip each.
    Raises the first failure, after every delivery has settled.
    """
    deliveries: list[asyncio.Future[RecordMetadata]] = [
        await producer.send(
            message.topic, value=message.value, key=message.key, headers=list(message.headers)
        )
        for message in messages
    ]
    outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
