"""Tickets keep their own copy of the map and of role holders from the grid registry's and
identity's events (real Kafka, through the inbox), so intake routes with both services down.
Row-level security keeps every table to its district."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
import shapely
from shapely.geometry import box
from sqlalchemy import select

from civicgrid.grid.v1 import events_pb2 as grid_events
from civicgrid.grid.v1 import grid_service_pb2 as grid_pb
from civicgrid.identity.v1 import events_pb2 as identity_events
from civicgrid.identity.v1 import identity_service_pb2 as identity_pb
from civicgrid.tickets.v1 import events_pb2 as ticket_events
from civicgrid_platform.db.outbox_table import OUTBOX
from civicgrid_platform.events.cloudevents import OutgoingEvent
from civicgrid_platform.events.consumer import ConsumerRunner
from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_testkit import ServiceDatabase, unique_name
from civicgrid_testkit.rls import assert_tenant_tables_protected
from civicgrid_tickets.db.tables import PLATFORM_TABLES, metadata
from civicgrid_tickets.events.incoming import CONSUMER_GROUP, HANDLERS
from civicgrid_tickets.usecases.context import TicketsContext
from services.tickets.tests.tickets_support import District, bearer

pytestmark = pytest.mark.integration


def _event(
    tenant: uuid.UUID, topic: str, source: str, kind: str, key: str, message: Any
) -> OutgoingEvent:
    return OutgoingEvent(
        type=f"{source}.{kind}",
        source=f"/{source}",
        tenant_id=tenant,
        key=key,
        topic=topic,
        message=message,
    )


async def test_intake_routes_and_assigns_from_events_alone(
    api: httpx.AsyncClient, tickets_ctx: TicketsContext, kafka: Any
) -> None:
    topic = unique_name("upstream")
    await ensure_topics(kafka.bootstrap_servers, [TopicSpec(topic, partitions=1)])
    tenant = uuid.uuid4()
    district, community, grid, leader = (uuid.uuid4() for _ in range(4))
    cell = box(116.9, 36.6, 116.91, 36.61)
    grid_source, identity_source = "civicgrid.grid.v1", "civicgrid.identity.v1"

    def unit(
        unit_id: uuid.UUID, kind: int, code: str, parent: uuid.UUID | None, geometry: str = ""
    ) -> grid_pb.Unit:
        return grid_pb.Unit(
            id=str(unit_id),
            kind=kind,
            code=code,
            name=code,
            parent_id=str(parent or ""),
            geometry_geojson=geometry,
            version=1,
        )

    events = [
        _event(
            tenant,
            topic,
            grid_source,
            "unit.created",
            str(district),
            grid_events.UnitCreated(
                unit=unit(district, grid_pb.UNIT_KIND_DISTRICT, "370102", None)
            ),
        ),
        _event(
            tenant,
            topic,
            grid_source,
            "unit.created",
            str(community),
            grid_events.UnitCreated(
                unit=unit(community, grid_pb.UNIT_KIND_COMMUNITY, "370102001001", district),
                ancestor_ids=[str(district)],
            ),
        ),
        # A poison event (unreadable geometry): dead-lettered, the consumer keeps going.
        _event(
            tenant,
            topic,
            grid_source,
            "unit.created",
            str(uuid.uuid4()),
            grid_events.UnitCreated(
                unit=unit(
                    uuid.uuid4(), grid_pb.UNIT_KIND_GRID, "370102001001009", community, "{nope"
                ),
                ancestor_ids=[str(community), str(district)],
            ),
        ),
        _event(
            tenant,
            topic,
            grid_source,
            "unit.created",
            str(grid),
            grid_events.UnitCreated(
                unit=unit(
                    grid,
                    grid_pb.UNIT_KIND_GRID,
                    "370102001001001",
                    community,
                    shapely.to_geojson(cell),
                ),
                ancestor_ids=[str(community), str(district)],
            ),
        ),
        _event(
            tenant,
            topic,
            identity_source,
            "role.granted",
            str(leader),
            identity_events.RoleGranted(
                person_id=str(leader),
                binding_id="b-1",
                binding=identity_pb.RoleBinding(role="grid_leader", unit_id=str(grid)),
            ),
        ),
    ]
    producer = await create_producer(kafka.bootstrap_servers, client_id="test-upstream")
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
            HANDLERS,
            tickets_ctx.uow,
            dlq_producer=producer,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        async with asyncio.timeout(30):
            while runner.stats.processed + runner.stats.dead_lettered < len(events):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        stop.set()
        await task
    finally:
        await producer.stop()
    assert (runner.stats.processed, runner.stats.dead_lettered) == (4, 1)

    centre = cell.centroid
    answer = await api.post(
        "/v1/tickets",
        json={"category": "lighting", "description": "路灯不亮", "lat": centre.y, "lon": centre.x},
        headers=bearer(str(tenant), "resident"),
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["grid_id"] == str(grid)
    assert answer.json()["ancestor_ids"] == [str(community), str(district)]
    async with tickets_ctx.uow(tenant_id=None) as uow:
        rows = (
            await uow.session.execute(
                select(OUTBOX.c.headers, OUTBOX.c.payload).where(
                    OUTBOX.c.key == answer.json()["id"]
                )
            )
        ).all()
    assigned = [r for r in rows if r.headers["ce_type"].endswith("ticket.assigned")]
    message = ticket_events.TicketAssigned.FromString(assigned[0].payload)
    assert list(message.owner_person_ids) == [str(leader)]


async def test_every_tenant_table_has_forced_row_level_security(
    tickets_db: ServiceDatabase,
) -> None:
    await assert_tenant_tables_protected(tickets_db.owner_dsn, metadata.tables, PLATFORM_TABLES)


async def test_the_runtime_role_sees_tickets_of_the_bound_district_only(
    api: httpx.AsyncClient, district: District, tickets_db: ServiceDatabase
) -> None:
    lat, lon = district.inside(1)
    made = await api.post(
        "/v1/tickets",
        json={"category": "roads", "description": "坑", "lat": lat, "lon": lon},
        headers=bearer(district.tenant, "resident"),
    )
    assert made.status_code == 201
    connection = await asyncpg.connect(tickets_db.runtime_dsn)
    try:
        async with connection.transaction():
            await connection.execute(
                "SELECT set_config('app.tenant_id', $1, true)", district.tenant
            )
            assert await connection.fetchval("SELECT count(*) FROM tickets") == 1
            assert await connection.fetchval("SELECT count(*) FROM map_units") == 8
        async with connection.transaction():
            await connection.execute(
                "SELECT set_config('app.tenant_id', $1, true)", str(uuid.uuid4())
            )
            for table in ("tickets", "ticket_history", "map_units", "categories"):
                assert await connection.fetchval(f"SELECT count(*) FROM {table}") == 0  # noqa: S608
        assert await connection.fetchval("SELECT count(*) FROM tickets") == 0  # nothing bound
    finally:
        await connection.close()
