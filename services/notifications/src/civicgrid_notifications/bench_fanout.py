"""Benchmark: events -> in-app messages stored, through the real consumer (Kafka, inbox,
rules, preferences, templates, deliveries, inbox rows, queued SMS timers) in one process, set up
as `serve` runs it: uvloop, telemetry installed, statements traced, the service's batch size.

    python -m civicgrid_notifications.bench_fanout --owner-dsn ... --runtime-dsn ... \
        --bootstrap 127.0.0.1:9092 [--events 20000]

Prints one JSON line: events, seconds, events_per_s, cpu_seconds (the process's), inbox_rows."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import time
import uuid

import asyncpg
import uvloop
from google.protobuf.timestamp_pb2 import Timestamp

from civicgrid.volunteers.v1 import events_pb2 as volunteer_events
from civicgrid_notifications.__main__ import MIGRATIONS
from civicgrid_notifications.events.incoming import CONSUMER_GROUP, build_handlers
from civicgrid_notifications.settings import NotificationsSettings
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import OutgoingEvent
from civicgrid_platform.events.consumer import ConsumerRunner
from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_platform.migrate import upgrade
from civicgrid_platform.telemetry import configure_telemetry, instrument_sqlalchemy

TOPIC = "civicgrid.volunteers.v1"  # the events' type prefix
# People the events are for: each gets many messages, as a district's residents do.
PEOPLE = 2_000


async def _feed(bootstrap: str, topic: str, tenant: uuid.UUID, events: int) -> None:
    people = [str(uuid.uuid4()) for _ in range(PEOPLE)]
    # Each hold kept until its own minute, so no two messages read the same.
    kept_from = int(time.time()) + 3 * 86_400
    producer = await create_producer(bootstrap, client_id="bench-fanout-feed")
    try:
        sends = []
        for n in range(events):
            message = volunteer_events.HoldReady(
                hold_id=str(uuid.uuid4()),
                station_id="s",
                item_id="i",
                person_id=people[n % PEOPLE],
                kept_until=Timestamp(seconds=kept_from + 60 * n),
            )
            event = OutgoingEvent(
                type=f"{TOPIC}.hold.ready",
                source="/civicgrid/volunteers",
                tenant_id=tenant,
                key=message.hold_id,
                topic=topic,
                message=message,
            )
            sends.append(
                await producer.send(
                    topic,
                    message.SerializeToString(),
                    key=event.key.encode(),
                    headers=[(k, v.encode()) for k, v in event.headers().items()],
                )
            )
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def bench(owner_dsn: str, runtime_dsn: str, bootstrap: str, events: int) -> dict[str, float]:
    await asyncio.to_thread(upgrade, MIGRATIONS, owner_dsn)
    # A topic of its own: a broker that served other work holds other events on the real one.
    topic = f"bench-fanout-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions=3)])
    tenant = uuid.uuid4()
    await _feed(bootstrap, topic, tenant, events)
    # As `serve` runs it: telemetry installed (no exporter), statements traced, start-up frozen.
    configure_telemetry("notifications")
    engine = create_engine(runtime_dsn, pool_size=4)
    instrument_sqlalchemy(engine)
    ctx = NotificationsContext(uow=UnitOfWorkFactory(engine))
    dlq = await create_producer(bootstrap, client_id="bench-fanout-dlq")
    runner = ConsumerRunner(
        bootstrap,
        f"{CONSUMER_GROUP}-bench-{uuid.uuid4().hex[:6]}",
        [topic],
        build_handlers(ctx),
        ctx.uow,
        dlq_producer=dlq,
        max_batch=NotificationsSettings.model_fields["consumer_max_batch"].default,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    await runner.ready.wait()
    gc.collect()
    gc.freeze()
    started, cpu_started = time.perf_counter(), time.process_time()
    while runner.stats.processed + runner.stats.dead_lettered < events:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    stop.set()
    await task
    await dlq.stop()
    await engine.dispose()
    connection = await asyncpg.connect(runtime_dsn)
    try:
        await connection.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant))
        stored = await connection.fetchval("SELECT count(*) FROM inbox_messages")
    finally:
        await connection.close()
    return {
        "events": events,
        "seconds": seconds,
        "events_per_s": events / seconds,
        "cpu_seconds": cpu_seconds,
        "inbox_rows": stored,
        "dead": runner.stats.dead_lettered,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owner-dsn", required=True)
    parser.add_argument("--runtime-dsn", required=True)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as loop:
        result = loop.run(bench(args.owner_dsn, args.runtime_dsn, args.bootstrap, args.events))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
