"""Components every service runs the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.relay import OutboxRelay
from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_platform.runner import Component


def outbox_relay(
    engine: AsyncEngine, bootstrap: str, topics: Sequence[TopicSpec], client_id: str
) -> Component:
    """Publishes the service's outbox; provisions its topics (and their DLQs) first."""

    async def run(stop: asyncio.Event) -> None:
        await ensure_topics(bootstrap, topics)
        producer = await create_producer(bootstrap, client_id=client_id)
        try:
            await OutboxRelay(engine, producer).run(stop)
        finally:
            await producer.stop()

    return Component("relay", run)
