"""Outbox relay throughput and commit-to-published lag; consumer throughput with the inbox."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import Column, MetaData, Table, Text, Uuid, func, select
from sqlalchemy.ext.asyncio import create_async_engine

from civicgrid_devstack.bench.report import Figure, percentile
from civicgrid_platform.db.engine import asyncpg_url, create_engine
from civicgrid_platform.db.outbox_table import inbox_table, outbox_table
from civicgrid_platform.db.uow import UnitOfWork, UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import IncomingEvent, OutgoingEvent
from civicgrid_platform.events.consumer import ConsumerRunner
from civicgrid_platform.events.producer import create_producer
from civicgrid_platform.events.relay import OutboxRelay
from civicgrid_platform.events.topics import TopicSpec, ensure_topics
from civicgrid_testkit import unique_name

metadata = MetaData()
outbox = outbox_table(metadata)
inbox_table(metadata)
# What a consumer's handler writes: one row per event, as a real read model would.
seen = Table(
    "bench_seen", metadata, Column("event_id", Uuid, primary_key=True), Column("body", Text)
)
TENANT = uuid.uuid4()


def _event(topic: str, n: int) -> OutgoingEvent:
    return OutgoingEvent(
        type="civicgrid.bench.v1.thing.happened",
        source="/civicgrid/bench",
        tenant_id=TENANT,
        key=f"aggregate-{n % 64}",
        topic=topic,
        message=StringValue(value=f"event {n}"),
    )


async def prepare_database(owner_dsn: str) -> None:
    engine = create_async_engine(asyncpg_url(owner_dsn))
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    await engine.dispose()


async def bench_relay_throughput(dsn: str, bootstrap: str, events: int = 30_000) -> Figure:
    topic = unique_name("bench_relay")
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions=3)])
    engine = create_engine(dsn, pool_size=4)
    uow = UnitOfWorkFactory(engine)
    for start in range(0, events, 1000):
        async with uow(tenant_id=TENANT) as work:
            for n in range(start, min(events, start + 1000)):
                work.add_event(_event(topic, n))
            await work.commit()
    producer = await create_producer(bootstrap, client_id="bench-relay")
    stop = asyncio.Event()
    started = time.perf_counter()
    relay = asyncio.create_task(OutboxRelay(engine, producer, batch_size=1000).run(stop))
    pending = events
    while pending:
        await asyncio.sleep(0.05)
        async with engine.connect() as connection:
            pending = (
                await connection.execute(
                    # The relay deletes rows once Kafka acknowledged them.
                    select(func.count()).select_from(outbox).where(outbox.c.topic == topic)
                )
            ).scalar_one()
    elapsed = time.perf_counter() - started
    stop.set()
    await relay
    await producer.stop()
    await engine.dispose()
    return Figure(
        "outbox relay throughput",
        f"{events / elapsed:,.0f} events/s",
        ">= 10,000/s",
        f"{events:,} events backlog, 1 relay, 3 partitions, acks=all idempotent",
    )


async def bench_relay_lag(
    dsn: str, bootstrap: str, rate: int = 500, seconds: float = 10.0
) -> Figure:
    topic = unique_name("bench_lag")
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions=3)])
    engine = create_engine(dsn, pool_size=8)
    uow = UnitOfWorkFactory(engine)
    producer = await create_producer(bootstrap, client_id="bench-lag")
    committed: dict[str, float] = {}
    received: dict[str, float] = {}
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=unique_name("bench_lag_reader"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=5,
    )
    await consumer.start()
    writing_done, relay_stop = asyncio.Event(), asyncio.Event()
    relay = asyncio.create_task(OutboxRelay(engine, producer).run(relay_stop))

    async def read() -> None:
        while not writing_done.is_set() or len(received) < len(committed):
            batch = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    event_id = dict(record.headers)["ce_id"].decode()
                    received[event_id] = now

    reader = asyncio.create_task(read())
    total = int(rate * seconds)
    started = time.perf_counter()
    for n in range(total):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        event = _event(topic, n)
        async with uow(tenant_id=TENANT) as work:
            work.add_event(event)
            await work.commit()
        committed[str(event.id)] = time.perf_counter()
    writing_done.set()
    await asyncio.wait_for(reader, timeout=30)
    relay_stop.set()
    await relay
    await consumer.stop()
    await producer.stop()
    await engine.dispose()
    lags = [(received[k] - committed[k]) * 1000 for k in committed if k in received]
    return Figure(
        "commit-to-published lag",
        f"p50 {percentile(lags, 50):.1f} ms, p99 {percentile(lags, 99):.1f} ms",
        "p99 <= 50 ms",
        f"{rate}/s for {seconds:.0f} s, measured commit -> consumer receipt",
    )


async def _feed(bootstrap: str, topic: str, events: int) -> None:
    producer = await create_producer(bootstrap, client_id="bench-feed")
    try:
        sends = []
        for n in range(events):
            e = _event(topic, n)
            sends.append(
                await producer.send(
                    topic,
                    e.message.SerializeToString(),
                    key=e.key.encode(),
                    headers=[(k, v.encode()) for k, v in e.headers().items()],
                )
            )
        await asyncio.gather(*sends)
    finally:
        await producer.stop()


async def _decode_only(event: IncomingEvent, work: UnitOfWork) -> None:
    event.decode(StringValue)


async def _insert_row(event: IncomingEvent, work: UnitOfWork) -> None:
    body = event.decode(StringValue).value
    await work.session.execute(seen.insert().values(event_id=uuid.UUID(event.id), body=body))


async def bench_consumer(dsn: str, bootstrap: str, events: int = 20_000) -> list[Figure]:
    """Two handlers: one that only decodes (the runner and inbox alone), one that writes a row."""
    figures = []
    for label, handler in (("decode only", _decode_only), ("handler inserts a row", _insert_row)):
        topic = unique_name("bench_consume")
        await ensure_topics(bootstrap, [TopicSpec(topic, partitions=3)])
        await _feed(bootstrap, topic, events)
        engine = create_engine(dsn, pool_size=4)
        dlq = await create_producer(bootstrap, client_id="bench-dlq")
        runner = ConsumerRunner(
            bootstrap,
            unique_name("bench_consumer"),
            [topic],
            {"civicgrid.bench.v1.thing.happened": handler},
            UnitOfWorkFactory(engine),
            dlq_producer=dlq,
            max_batch=1000,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run(stop))
        await runner.ready.wait()
        started = time.perf_counter()
        while runner.stats.processed < events:
            if task.done():
                task.result()
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        stop.set()
        await task
        await dlq.stop()
        await engine.dispose()
        figures.append(
            Figure(
                "consumer with inbox",
                f"{events / elapsed:,.0f} events/s",
                ">= 5,000/s",
                f"{events:,} events, 1 process, inbox dedup, {label}",
            )
        )
    return figures
