"""The consumer runner: Kafka records in, inbox-guarded handlers, offsets committed last.

Per polled batch: parse every record as a CloudEvent (unreadable ones are dead letters), drop
types this service does not handle, apply the rest in one database transaction (see
``handling.py``), publish the dead letters, and only then commit the Kafka offsets. A crash at
any point before the offset commit means the batch is delivered again, and the inbox turns
what was already committed into no-ops.

Transient failures (connections, deadlocks, serialization failures, lock timeouts, Kafka
timeouts, RetryableError) are retried with exponential backoff and jitter. A handler that keeps
failing transiently is given up on after ``max_attempts`` and its event dead-lettered; trouble
that belongs to no event (the database is down) is retried until it passes or the runner stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, IllegalStateError
from aiokafka.structs import ConsumerRecord, TopicPartition
from opentelemetry import metrics

from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import IncomingEvent, InvalidEvent
from civicgrid_platform.events.dead_letter import DeadLetter, dead_letter_message
from civicgrid_platform.events.handling import (
    BatchApplier,
    Handler,
    HandlerFailed,
    Outcome,
    Work,
)
from civicgrid_platform.events.inbox import purge_inbox
from civicgrid_platform.events.producer import publish_all
from civicgrid_platform.events.retry import backoff_delay, is_transient

logger = logging.getLogger(__name__)

Batch = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]


@dataclass
class ConsumerStats:
    """Running totals since start, for tests and health pages (metrics carry the same)."""

    processed: int = 0
    duplicates: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    retries: int = 0


class _ReadyOnAssignment(ConsumerRebalanceListener):
    def __init__(self, ready: asyncio.Event) -> None:
        self._ready = ready

    async def on_partitions_revoked(self, revoked: Collection[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Collection[TopicPartition]) -> None:
        self._ready.set()


class ConsumerRunner:
    """Runs ``handlers`` (CloudEvents type -> ``async handler(event, uow)``) over ``topics``.

    Handlers change state through ``uow`` and may add events; they never commit.
    """

    def __init__(
        self,
        bootstrap_servers: str,
        group_id: str,
        topics: Collection[str],
        handlers: Mapping[str, Handler],
        uow_factory: UnitOfWorkFactory,
        *,
        dlq_producer: AIOKafkaProducer,
        max_attempts: int = 5,
        backoff_base: float = 0.2,
        backoff_max: float = 30.0,
        max_batch: int = 500,
        poll_timeout_ms: int = 500,
        inbox_retention: timedelta = timedelta(days=8),
        inbox_purge_interval: float = 600.0,
        inbox_purge_batch: int = 10_000,
        consumer_options: Mapping[str, Any] | None = None,
    ) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._group_id = group_id
        self._topics = list(topics)
        self._handlers = dict(handlers)
        self._uow_factory = uow_factory
        self._applier = BatchApplier(uow_factory, group_id)
        self._dlq_producer = dlq_producer
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._max_batch = max_batch
        self._poll_timeout_ms = poll_timeout_ms
        # Longer than the topics' retention (7 days by default): older events cannot come again.
        self._inbox_retention = inbox_retention
        self._inbox_purge_interval = inbox_purge_interval
        self._inbox_purge_batch = inbox_purge_batch
        self._consumer_options = dict(consumer_options or {})
        # Set once the group has assigned this consumer its partitions (possibly none).
        self.ready = asyncio.Event()
        self.stats = ConsumerStats()
        self._events_counter = metrics.get_meter(__name__).create_counter(
            "civicgrid.consumer.events", unit="{event}", description="Consumed events by outcome"
        )

    async def run(self, stop_event: asyncio.Event) -> None:
        """Consume until ``stop_event`` is set. Offsets not committed are simply delivered again."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap_servers,
            group_id=self._group_id,
            client_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self._max_batch,
            **self._consumer_options,
        )
        consumer.subscribe(self._topics, listener=_ReadyOnAssignment(self.ready))
        await consumer.start()
        loop = asyncio.get_running_loop()
        next_purge = loop.time() + self._inbox_purge_interval
        try:
            while not stop_event.is_set():
                batch: Batch = await consumer.getmany(timeout_ms=self._poll_timeout_ms)
                if batch:
                    if not await self._process(batch, stop_event):
                        return
                    await self._commit_offsets(consumer, batch)
                if loop.time() >= next_purge:
                    if not await self._retry_until_done(self._purge_inbox, stop_event):
                        return
                    next_purge = loop.time() + self._inbox_purge_interval
        finally:
            self.ready.clear()
            await consumer.stop()

    async def _process(self, batch: Batch, stop_event: asyncio.Event) -> bool:
        """Apply the batch and publish its dead letters; False if stopped before that was done."""
        dead: list[DeadLetter] = []
        work: list[Work] = []
        skipped = 0
        for record in chain.from_iterable(batch.values()):
            try:
                event = IncomingEvent.from_record(record)
            except InvalidEvent as exc:
                dead.append(DeadLetter.of(record, exc))
                continue
            handler = self._handlers.get(event.type)
            if handler is None:
                # Other services' types on a shared topic: not ours to handle, not an error.
                skipped += 1
                continue
            work.append(Work(len(work), record, event, handler))

        outcome = await self._apply_with_retries(work, stop_event)
        if outcome is None:
            return False
        dead.extend(outcome.dead)
        if dead and not await self._retry_until_done(
            lambda: publish_all(
                self._dlq_producer, (dead_letter_message(d, self._group_id) for d in dead)
            ),
            stop_event,
        ):
            return False
        for letter in dead:
            logger.error(
                "event dead-lettered",
                extra={
                    "topic": letter.record.topic,
                    "partition": letter.record.partition,
                    "offset": letter.record.offset,
                    "error_type": letter.error_type,
                    "error": letter.error,
                },
            )
        self._count(processed=outcome.processed, duplicates=outcome.duplicates, skipped=skipped)
        self._count(dead_lettered=len(dead))
        return True

    async def _apply_with_retries(
        self, work: list[Work], stop_event: asyncio.Event
    ) -> Outcome | None:
        attempts: dict[int, int] = {}
        given_up: dict[int, DeadLetter] = {}
        unattributed_failures = 0
        while True:
            try:
                return await self._applier.apply_or_isolate(work, given_up)
            except HandlerFailed as failed:  # transient: apply_or_isolate settles the others
                index = failed.work.index
                attempt = attempts[index] = attempts.get(index, 0) + 1
                if attempt >= self._max_attempts:
                    given_up[index] = DeadLetter.of(
                        failed.work.record,
                        failed.cause,
                        context=f"gave up after {attempt} attempts: ",
                    )
                    continue
                error: BaseException = failed
            except Exception as exc:
                if not is_transient(exc):
                    raise
                unattributed_failures += 1
                attempt, error = unattributed_failures, exc
            if not await self._back_off(attempt, error, stop_event):
                return None

    async def _retry_until_done(
        self, operation: Callable[[], Awaitable[None]], stop_event: asyncio.Event
    ) -> bool:
        """Run ``operation()`` until it succeeds, backing off on transient failures."""
        failures = 0
        while True:
            try:
                await operation()
                return True
            except Exception as exc:
                if not is_transient(exc):
                    raise
                failures += 1
                if not await self._back_off(failures, exc, stop_event):
                    return False

    async def _back_off(
        self, attempt: int, error: BaseException, stop_event: asyncio.Event
    ) -> bool:
        """Wait before the next attempt; False if the runner was stopped meanwhile."""
        delay = backoff_delay(attempt, base=self._backoff_base, cap=self._backoff_max)
        self.stats.retries += 1
        logger.warning(
            "transient failure; retrying",
            extra={"attempt": attempt, "retry_in_s": round(delay, 3), "error": str(error)},
        )
        try:
            await asyncio.wait_for(stop_event.wait(), delay)
        except TimeoutError:
            return True
        return False

    async def _commit_offsets(self, consumer: AIOKafkaConsumer, batch: Batch) -> None:
        offsets = {tp: records[-1].offset + 1 for tp, records in batch.items() if records}
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError):
            # The partitions moved to another member meanwhile. It will receive these records
            # again, and our inbox rows make them no-ops there.
            logger.warning("offsets not committed: partitions were reassigned", exc_info=True)

    async def _purge_inbox(self) -> None:
        deleted = self._inbox_purge_batch
        while deleted == self._inbox_purge_batch:
            async with self._uow_factory(tenant_id=None) as uow:
                deleted = await purge_inbox(
                    uow.session,
                    self._group_id,
                    older_than=self._inbox_retention,
                    limit=self._inbox_purge_batch,
                )
                await uow.commit()

    def _count(self, **outcomes: int) -> None:
        for outcome, count in outcomes.items():
            if count:
                setattr(self.stats, outcome, getattr(self.stats, outcome) + count)
                self._events_counter.add(
                    count, {"outcome": outcome, "consumer_group": self._group_id}
                )
