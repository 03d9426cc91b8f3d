"""Feed events to a service's handlers exactly as its consumer would, without a broker: the
Kafka record the relay publishes for an outgoing event, and one polled batch applied through the
platform's inbox-guarded BatchApplier (every event in one transaction; when a handler fails for
good, again with a savepoint per event, the failed ones becoming dead letters)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from aiokafka.structs import ConsumerRecord
from google.protobuf.message import Message

from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import IncomingEvent, OutgoingEvent
from civicgrid_platform.events.handling import (
    BatchApplier,
    Handler,
    Outcome,
    Work,
)


def outgoing(
    topic: str, name: str, tenant_id: UUID, key: object, message: Message
) -> OutgoingEvent:
    """The event a service's outbox writes: type "<topic>.<name>", keyed by `key`."""
    return OutgoingEvent(
        type=f"{topic}.{name}",
        source=f"/civicgrid/{topic.split('.')[1]}",
        tenant_id=tenant_id,
        key=str(key),
        topic=topic,
        message=message,
    )


def record(event: OutgoingEvent, offset: int = 0, value: bytes | None = None) -> ConsumerRecord:
    """The Kafka record the relay publishes for `event` (its payload replaced by `value`)."""
    payload = event.message.SerializeToString() if value is None else value
    return ConsumerRecord(
        topic=event.topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=event.key.encode(),
        value=payload,
        checksum=None,
        serialized_key_size=len(event.key),
        serialized_value_size=len(payload),
        headers=[(name, value.encode()) for name, value in event.headers().items()],
    )


async def consume(
    uow_factory: UnitOfWorkFactory,
    group: str,
    handlers: Mapping[str, Handler],
    records: Sequence[ConsumerRecord],
) -> Outcome:
    """One polled batch as ConsumerRunner applies it."""
    work: list[Work] = []
    for raw in records:
        event = IncomingEvent.from_record(raw)
        work.append(Work(len(work), raw, event, handlers[event.type]))
    return await BatchApplier(uow_factory, group).apply_or_isolate(work, {})
