"""The outbox relay: publishes committed outbox rows to Kafka, safely from many replicas.

One cycle is one short transaction: claim up to ``batch_size`` unpublished rows oldest first,
hand them all to the idempotent producer, wait for every acknowledgement, mark them published,
commit. A crash anywhere before the commit leaves the rows unpublished, so they are sent again:
delivery is at least once, and consumers' inboxes make the repeat harmless.

Ordering per key across replicas: row locks alone would let two relays publish two batches at
the same time, and a key with rows in both could come out of order. So every key hashes to one
of a fixed number of ordering slots, and a relay only claims rows of slots whose advisory lock
it holds for the transaction (``pg_try_advisory_xact_lock``: never waits). While one relay holds
a slot, no other relay publishes any row of that slot's keys. ``FOR UPDATE SKIP LOCKED`` then
makes the claim re-check each row under its lock, so a row another relay published a moment ago
(after this statement's snapshot) is not claimed again.

Published rows are kept for ``published_retention`` (to answer "did event X go out, and when?"
and to allow a replay by clearing ``published_at``), then deleted in bounded batches.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from opentelemetry import metrics
from sqlalchemy import BigInteger, Interval, any_, bindparam, delete, func, select, text, update
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
# ARRAY(...) subquery, evaluated once per statement, so the claim stays a walk of the pending
# index in id order that stops after ``limit`` rows, however long the backlog.
_CLAIM = text(
    f"""
    SELECT id, topic, key, headers, payload
    FROM {OUTBOX_TABLE}
    WHERE published_at IS NULL
      AND (hashtext(key) & 2147483647) % {ORDERING_SLOTS} = ANY(ARRAY(
          SELECT slot FROM generate_series(0, {ORDERING_SLOTS - 1}) AS slot
          WHERE pg_try_advisory_xact_lock({_SLOT_LOCK_CLASS}, slot)
      ))
    ORDER BY id
    LIMIT :limit
    FOR UPDATE OF {OUTBOX_TABLE} SKIP LOCKED
    """  # noqa: S608
).columns(OUTBOX.c.id, OUTBOX.c.topic, OUTBOX.c.key, OUTBOX.c.headers, OUTBOX.c.payload)

_MARK_PUBLISHED = (
    update(OUTBOX)
    .where(OUTBOX.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
    .values(published_at=func.clock_timestamp())
)

_DELETE_PUBLISHED = delete(OUTBOX).where(
    OUTBOX.c.id.in_(
        select(OUTBOX.c.id)
        .where(
            OUTBOX.c.published_at < func.clock_timestamp() - bindparam("retention", type_=Interval)
        )
        .order_by(OUTBOX.c.published_at)
        .limit(bindparam("limit"))
        .with_for_update(skip_locked=True)
    )
)


async def claim_unpublished(connection: AsyncConnection, limit: int) -> Sequence[Row[Any]]:
    """Lock up to ``limit`` unpublished rows, oldest first, for the current transaction.

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
        published_retention: timedelta = timedelta(minutes=15),
        cleanup_interval: float = 60.0,
        cleanup_batch_size: int = 5000,
        max_error_backoff: float = 5.0,
    ) -> None:
        self._engine = engine
        self._producer = producer
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._published_retention = published_retention
        self._cleanup_interval = cleanup_interval
        self._cleanup_batch_size = cleanup_batch_size
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
        loop = asyncio.get_running_loop()
        listener = asyncio.create_task(self._listener.run(), name="outbox-listener")
        stop_relay = asyncio.create_task(self._wake_on(stop_event), name="outbox-relay-stop")
        next_cleanup = loop.time()
        failures = 0
        try:
            while not stop_event.is_set():
                self._wakeup.clear()
                try:
                    published = await self.publish_batch()
                    if loop.time() >= next_cleanup:
                        await self.delete_published()
                        next_cleanup = loop.time() + self._cleanup_interval
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
        finally:
            for task in (listener, stop_relay):
                task.cancel()
            await asyncio.gather(listener, stop_relay, return_exceptions=True)

    async def publish_batch(self) -> int:
        """One claim-send-mark cycle; returns how many events were published."""
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
            await connection.execute(_MARK_PUBLISHED, {"ids": [row.id for row in rows]})
        self._published_counter.add(len(rows))
        return len(rows)

    async def delete_published(self) -> int:
        """Delete published rows past their retention, one bounded transaction at a time."""
        deleted = 0
        while True:
            async with self._engine.begin() as connection:
                result = await connection.execute(
                    _DELETE_PUBLISHED,
                    {"retention": self._published_retention, "limit": self._cleanup_batch_size},
                )
            deleted += result.rowcount
            if result.rowcount < self._cleanup_batch_size:
                return deleted

    async def _wake_on(self, stop_event: asyncio.Event) -> None:
        await stop_event.wait()
        self._wakeup.set()


async def _sleep_unless_set(event: asyncio.Event, seconds: float) -> None:
    """Sleep up to ``seconds``, returning early when ``event`` is set."""
    try:
        await asyncio.wait_for(event.wait(), seconds)
    except TimeoutError:
        pass
