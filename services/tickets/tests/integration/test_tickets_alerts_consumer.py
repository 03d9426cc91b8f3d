"""Tickets' consumer reads notifications' alert events off Kafka (real broker, inbox, dead
letters): a redelivered raising is a no-op, a bad payload is dead-lettered and the consumer
goes on, the chain's other events (delivery.failed) are not tickets' business."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from civicgrid.notifications.v1 import events_pb2 as alert_events
from civicgrid_platform.events.cloudevents import OutgoingEvent
from civicgrid_platform.events.consumer import ConsumerRunner
from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_testkit import unique_name
from civicgrid_tickets.events.incoming import CONSUMER_GROUP, handlers
from civicgrid_tickets.usecases.context import TicketsContext
from services.tickets.tests.alerts_support import AlertChain, alert_event
from services.tickets.tests.tickets_support import District, bearer

pytestmark = pytest.mark.integration


async def _consume(ctx: TicketsContext, kafka: Any, events: list[OutgoingEvent]) -> ConsumerRunner:
    """Publish `events` on a topic of the test's own and run tickets' handlers over it."""
    topic = unique_name("alerts")
    await ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, partitions=1)])
    producer = await create_producer(kafka.bootstrap_servers, client_id="test-notifications")
    try:
        for event in events:
            await producer.send_and_wait(
                topic,
                event.message.SerializeToString(),
                key=event.key.encode(),
                headers=[(k, v.encode()) for k, v in event.headers().items()],
            )
        runner = ConsumerRunner(
            kafka.bootstrap_servers,
            f"{CONSUMER_GROUP}-{uuid.uuid4().hex[:8]}",
            [topic],
            handlers(ctx),
            ctx.uow,
            dlq_producer=producer,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        stats = runner.stats
        async with asyncio.timeout(30):
            seen = 0
            while seen < len(events):
                await asyncio.sleep(0.05)
                seen = stats.processed + stats.duplicates + stats.dead_lettered + stats.skipped
        stop.set()
        await task
    finally:
        await producer.stop()
    return runner


async def test_tickets_alert_events_through_the_consumer(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, district: District, kafka: Any
) -> None:
    other = District()
    await other.feed(tickets_ctx.uow)
    alert, elsewhere = AlertChain(district), AlertChain(other, grid=3)
    raised = alert.raised()
    poison = AlertChain(district).raised(person_id="not-a-person")
    not_ours = alert_event(
        district.tenant,
        "delivery.failed",
        str(uuid.uuid4()),
        alert_events.DeliveryFailed(channel="sms", attempts=3),
    )
    events = [raised, raised, poison, not_ours, alert.acknowledged(2), elsewhere.raised()]

    runner = await _consume(tickets_ctx, kafka, events)

    stats = runner.stats
    assert (stats.processed, stats.duplicates, stats.dead_lettered, stats.skipped) == (3, 1, 1, 1)
    staff = bearer(district.tenant, "city_officer")
    [ticket] = (await api.get("/v1/tickets", headers=staff)).json()["items"]
    assert (ticket["status"], ticket["grid_id"]) == ("acknowledged", str(district.grids[0]))
    [theirs] = (await api.get("/v1/tickets", headers=bearer(other.tenant, "city_officer"))).json()[
        "items"
    ]
    assert (theirs["status"], theirs["grid_id"]) == ("submitted", str(other.grids[3]))
