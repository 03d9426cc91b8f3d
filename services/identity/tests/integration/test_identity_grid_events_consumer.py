"""Identity learns unit ancestry from the grid registry's events, through Kafka and its inbox."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from civicgrid.grid.v1 import events_pb2 as grid_events
from civicgrid.grid.v1 import grid_service_pb2 as grid_pb
from civicgrid_identity.bootstrap import Identity
from civicgrid_identity.db.people_repo import PeopleRepository
from civicgrid_identity.events.incoming import CONSUMER_GROUP, HANDLERS
from civicgrid_platform.events.cloudevents import OutgoingEvent
from civicgrid_platform.events.consumer import ConsumerRunner
from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_testkit import unique_name
from services.identity.tests.identity_support import District

pytestmark = pytest.mark.integration


def _unit_created(
    tenant: uuid.UUID, unit: uuid.UUID, ancestors: list[uuid.UUID], topic: str
) -> OutgoingEvent:
    message = grid_events.UnitCreated(
        unit=grid_pb.Unit(
            id=str(unit), tenant_id=str(tenant), kind=grid_pb.UNIT_KIND_GRID, code="370102001001001"
        ),
        ancestor_ids=[str(a) for a in ancestors],
    )
    return OutgoingEvent(
        type="civicgrid.grid.v1.unit.created",
        source="/civicgrid/grid",
        tenant_id=tenant,
        key=str(unit),
        topic=topic,
        message=message,
    )


async def test_unit_events_become_ancestry_once_even_when_delivered_twice(
    identity: Identity, kafka: Any, district: District
) -> None:
    topic = unique_name("grid_events")
    await ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, partitions=1)])
    tenant = uuid.UUID(district.id)
    grid, community, street = (uuid.uuid4() for _ in range(3))
    event = _unit_created(tenant, grid, [community, street], topic)

    producer = await create_producer(kafka.bootstrap_servers, client_id="test-grid")
    try:
        for _ in range(2):  # the same event id twice: a redelivery
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
            HANDLERS,
            identity.ctx.uow,
            dlq_producer=producer,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        async with asyncio.timeout(30):
            while runner.stats.processed + runner.stats.duplicates + runner.stats.dead_lettered < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        stop.set()
        await task
    finally:
        await producer.stop()

    assert (runner.stats.processed, runner.stats.duplicates, runner.stats.dead_lettered) == (
        1,
        1,
        0,
    )
    async with identity.ctx.uow(tenant_id=tenant) as uow:
        assert await PeopleRepository(uow.session, tenant).ancestors_of(grid) == [community, street]
    other = uuid.uuid4()
    async with identity.ctx.uow(tenant_id=other) as uow:  # another district sees none of it
        assert await PeopleRepository(uow.session, other).ancestors_of(grid) == []
