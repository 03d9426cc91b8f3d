"""Keeps every replica's in-memory index in step with the registry's own change events.

Each replica reads the whole topic itself (a consumer group of its own: a cache must see every
event, not a share of them) from the end, because the database already holds everything older.
A change to a grid or building drops that tenant's index; the next query rebuilds it from the
database, so a replica never serves a map older than the last change it has heard of.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer

from civicgrid_grid.events.outgoing import TOPIC
from civicgrid_platform.events.cloudevents import IncomingEvent, InvalidEvent
from civicgrid_platform.events.kafka_client import KafkaConnection

logger = logging.getLogger(__name__)

MAP_CHANGES = frozenset(
    f"{TOPIC}.{name}"
    for name in ("unit.created", "unit.updated", "unit.retired", "district.imported")
)


async def listen_for_map_changes(
    kafka: KafkaConnection,
    forget: Callable[[UUID], None],
    stop: asyncio.Event,
    ready: asyncio.Event,
) -> None:
    # A group of its own per process: every replica gets every event; "latest" because the
    # database already holds everything older; nothing is committed, a restart starts afresh.
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=f"civicgrid-grid-index-{uuid4().hex}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
        **kafka.security,
    )
    await consumer.start()
    try:
        ready.set()
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for record in records:
                    try:
                        event = IncomingEvent.from_record(record)
                    except InvalidEvent as bad:
                        logger.warning("ignoring an unreadable grid event: %s", bad)
                        continue
                    if event.type in MAP_CHANGES:
                        forget(event.tenant_id)
    finally:
        await consumer.stop()
