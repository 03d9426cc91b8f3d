"""The outbox relay: publishes committed outbox rows to Kafka, safely from many replicas.

One cycle is one short transaction: claim up to ``batch_size`` rows oldest first, hand them
all to the idempotent producer, wait for every acknowledgement, delete them, commit. A crash
anywhere before the commit leaves the rows in place, so they are sent again: delivery is at
least once, and consumers' inboxes make the repeat harmless.

Rows are deleted, not marked published: once Kafka has acknowledged an event the topic is its
durable record, and deleting costs a fifth of the database time of an UPDATE (which writes a
new row version into every index) and needs no cleanup job afterwards.

Ordering per key across replicas: row locks alone would let two relays publish two batches at
the same time, and a key with rows in both could come out of order. So every key hashes to one
of a fixed number of ordering slots, and a relay only claims rows of slots whose advisory lock
it holds for the transaction (``pg_try_advisory_xact_lock``: never waits). While one relay holds
a slot, no other relay publishes any row of that slot's keys. ``FOR UPDATE SKIP LOCKED`` then
makes the claim re-check each row under its lock, so a row another relay deleted a moment ago
(after this statement's snapshot) is not claimed again.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry import metrics
from sqlalchemy import BigInteger, any_, bindparam, delete, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from civicgrid_platform.db.outbox_table import OUTBOX, OUTBOX_TABLE
from civicgrid_platform.events.outbox_listener import OutboxListener
from civicgrid_platform.events.producer import KafkaMessage, publish_all
from civicgrid_platform.events.retry import backoff_delay, is_transient

logger = logging.getLogger(__name__)

# Fixed: relays of different versions must agree on it, or a key could briefly have two owners.
ORDERING_SLOTS = 64
# First key of the two-key advisory locks, so they cannot collide with other users' locks.
_SLOT_LOCK_CLASS = zlib.crc32(b"civicgrid.outbox.slot") & 0x7FFFFFFF

# Only module constants are interpolated into the SQL. The slot list is an uncorrelated
# ARRAY(...) subquery, evaluated once per statement, so the claim stays a walk of the primary
# key in id order that stops after ``limit`` rows, however long the backlog.
_CLAIM = text(
    f"""
    SELECT id, topic, key, headers, payload
    FROM {OUTBOX_TABLE}
    WHERE (hashtext(key) & 2147483647) % {ORDERING_SLOTS} = ANY(ARRAY(
        SELECT slot FROM generate_series(0, {ORDERING_SLOTS - 1}) AS slot
        WHERE pg_try_advisory_xact_lock({_SLOT_LOCK_CLASS}, slot)
    ))
    ORDER BY id
    LIMIT :limit
    FOR UPDATE OF {OUTBOX_TABLE} SKIP LOCKED
    """  # noqa: S608
).columns(OUTBOX.c.id, OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.headers, OUTBOX.c.payload)

_DELETE_PUBLISHED = delete(OUTBOX).where(
    OUTBOX.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger)))
)


async def claim_unpublished(connection: AsyncConnection, limit: int) -> Sequence[Row[Any]]:
    """Lock up to ``limit`` outbox rows, oldest first, for the current transaction.

    Also takes every free ordering slot for the transaction, so until it ends no other relay
    claims any row whose key hashes to those slots, even beyond ``limit``.
    """
    return (await connection.execute(_CLAIM, {"limit": limit})).all()


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        max_error_backoff: float = 5.0,
    ) -> None:
        self._engine = engine
        self._producer = producer
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_error_backoff = max_error_backoff
        self._wakeup = asyncio.Event()
        self._listener = OutboxListener(
            engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
            self._wakeup,
            retry_interval=poll_interval,
        )
        self._published_counter = metrics.get_meter(__name__).create_counter(
            "civicgrid.outbox.published", unit="{event}", description="Outbox events published"
        )

    @property
    def listening(self) -> asyncio.Event:
        """Set while notifications reach the relay (readiness for tests and health checks)."""
        return self._listener.listening

    async def run(self, stop_event: asyncio.Event) -> None:
        """Publish until ``stop_event`` is set; transient Kafka/database trouble is waited out."""
        listener = asyncio.create_task(self._listener.run(), name="outbox-listener")
        stop_relay = asyncio.create_task(self._wake_on(stop_event), name="outbox-relay-stop")
        failures = 0
        try:
            while not stop_event.is_set():
                self._wakeup.clear()
                try:
                    published = await self.publish_batch()
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    failures += 1
                    delay = backoff_delay(failures, base=0.1, cap=self._max_error_backoff)
                    logger.warning(
                        "outbox relay failed; retrying",
                        exc_info=True,
                        extra={"attempt": failures, "retry_in_s": round(delay, 3)},
                    )
                    await _sleep_unless_set(stop_event, delay)
                    continue
                failures = 0
                if published < self._batch_size:
                    await _sleep_unless_set(self._wakeup, self._poll_interval)
                if listener.done():
                    listener.result()  # the listener only ends by failing: surface why
        finally:
            for task in (listener, stop_relay):
                task.cancel()
            await asyncio.gather(listener, stop_relay, return_exceptions=True)

    async def publish_batch(self) -> int:
        """One claim-send-delete cycle; returns how many events were published."""
        async with self._engine.begin() as connection:
            rows = await claim_unpublished(connection, self._batch_size)
            if not rows:
                return 0
            await publish_all(
                self._producer,
                (
                    KafkaMessage(
                        row.topic,
                        key=row.key.encode(),
                        value=row.payload,
                        headers=[(name, value.encode()) for name, value in row.headers.items()],
                    )
                    for row in rows
                ),
            )
            await connection.execute(_DELETE_PUBLISHED, {"ids": [row.id for row in rows]})
        self._published_counter.add(len(rows))
        return len(rows)

    async def _wake_on(self, stop_event: asyncio.Event) -> None:
        await stop_event.wait()
        self._wakeup.set()


async def _sleep_unless_set(event: asyncio.Event, seconds: float) -> None:
    """Sleep up to ``seconds``, returning early when ``event`` is set."""
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass
