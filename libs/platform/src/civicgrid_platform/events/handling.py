"""Applying one polled batch of events to the database, in one transaction.

Throughput comes from doing per batch what can be done per batch: one inbox statement records
every event id at once, and each tenant is bound once. A batch in which some handler fails for
good is rolled back and applied again in isolation, one SAVEPOINT per event, so only the bad
events are set aside (for the dead-letter topic) and the rest commit. Savepoints cost two round
trips per event, which is why the common case does without them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from aiokafka.structs import ConsumerRecord
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

from civicgrid_platform.db.uow import UnitOfWork, UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_platform.events.dead_letter import DeadLetter
from civicgrid_platform.events.inbox import record_new_events
from civicgrid_platform.events.retry import is_transient
from civicgrid_platform.logs import current_tenant

Handler = Callable[[IncomingEvent, UnitOfWork], Awaitable[None]]


@dataclass(frozen=True)
class Work:
    """A consumed event this consumer has a handler for; ``index`` is its place in the batch."""

    index: int
    record: ConsumerRecord[bytes, bytes]
    event: IncomingEvent
    handler: Handler


@dataclass
class Outcome:
    processed: int = 0
    duplicates: int = 0
    dead: list[DeadLetter] = field(default_factory=list)


class HandlerFailed(Exception):
    """A handler raised; carries which event so retries and dead letters can be attributed."""

    def __init__(self, work: Work, cause: BaseException) -> None:
        super().__init__(f"handler for {work.event.type} failed on event {work.event.id}: {cause}")
        self.work = work
        self.cause = cause


class DeferredWorkFailed(Exception):
    """Deferred work (written when the batch changes tenant or commits, see
    UnitOfWork.deferred) failed for good. It belongs to no single event, so the batch is
    applied again one event per savepoint, where each event's deferred work is its own."""


async def _deferred(step: Awaitable[None]) -> None:
    try:
        await step
    except Exception as exc:
        if is_transient(exc):
            raise
        raise DeferredWorkFailed(str(exc)) from exc


class BatchApplier:
    def __init__(self, uow_factory: UnitOfWorkFactory, consumer_group: str) -> None:
        self._uow_factory = uow_factory
        self._consumer_group = consumer_group
        self._tracer = trace.get_tracer(__name__)

    async def apply_or_isolate(
        self, work: Sequence[Work], given_up: dict[int, DeadLetter]
    ) -> Outcome:
        """Apply ``work`` together; when an event's own failure (or its deferred work) fails
        the batch, apply it again one savepoint per event, so only that event is a dead letter.

        Raises HandlerFailed for a transient failure, and what no event is to blame for."""
        try:
            return await self.apply(work, given_up, isolate=False)
        except (DeferredWorkFailed, HandlerFailed) as failed:
            # A lasting failure: isolating finds the event to blame (also for deferred work).
            if isinstance(failed, HandlerFailed) and is_transient(failed.cause):
                raise
        return await self.apply(work, given_up, isolate=True)

    async def apply(
        self, work: Sequence[Work], given_up: dict[int, DeadLetter], *, isolate: bool
    ) -> Outcome:
        """Apply ``work`` in one committed transaction; ``given_up`` events are not run.

        Raises HandlerFailed for a handler's transient failure (isolated or not) and for any
        failure when not isolating; the transaction is then rolled back entirely.
        """
        outcome = Outcome(dead=list(given_up.values()))
        live = [item for item in work if item.index not in given_up]
        async with self._uow_factory(tenant_id=None) as uow:
            if isolate:
                for item in live:
                    await self._apply_isolated(uow, item, outcome)
            else:
                await self._apply_together(uow, live, outcome)
                await _deferred(uow.flush_deferred())
            await uow.commit()
        return outcome

    async def _apply_together(self, uow: UnitOfWork, live: list[Work], outcome: Outcome) -> None:
        new_ids = await record_new_events(
            uow.session, self._consumer_group, [w.event for w in live]
        )
        # Kafka orders events only per key, and a key (an aggregate) belongs to one tenant, so a
        # stable sort by tenant keeps every key's order while binding each tenant once.
        for item in sorted(live, key=lambda w: w.event.tenant_id):
            if item.event.id not in new_ids:
                outcome.duplicates += 1
                continue
            new_ids.discard(item.event.id)  # the same event twice in one batch runs once
            if uow.tenant_id != item.event.tenant_id:
                await _deferred(uow.bind_tenant(item.event.tenant_id))
            await self._invoke(uow, item)
            outcome.processed += 1

    async def _apply_isolated(self, uow: UnitOfWork, item: Work, outcome: Outcome) -> None:
        try:
            async with uow.savepoint():
                if not await record_new_events(uow.session, self._consumer_group, [item.event]):
                    outcome.duplicates += 1
                    return
                # Bound inside the savepoint, so a rollback may undo it: bind for every event.
                await uow.bind_tenant(item.event.tenant_id)
                await self._invoke(uow, item)
                try:
                    await uow.flush_deferred()  # this event's deferred work, attributed to it
                except Exception as exc:
                    raise HandlerFailed(item, exc) from exc
        except HandlerFailed as failed:
            if is_transient(failed.cause):
                raise
            outcome.dead.append(DeadLetter.of(item.record, failed.cause))
            return
        outcome.processed += 1

    async def _invoke(self, uow: UnitOfWork, item: Work) -> None:
        """Run the handler in a CONSUMER span that continues the producer's trace."""
        event = item.event
        tenant = current_tenant.set(str(event.tenant_id))
        try:
            with self._tracer.start_as_current_span(
                f"process {event.topic}",
                context=propagate.extract(event.headers),
                kind=SpanKind.CONSUMER,
            ) as span:
                if span.is_recording():  # attributes of a dropped span are work for nobody
                    span.set_attributes(
                        {
                            "messaging.system": "kafka",
                            "messaging.operation.type": "process",
                            "messaging.destination.name": event.topic,
                            "messaging.destination.partition.id": str(event.partition),
                            "messaging.kafka.offset": event.offset,
                            "messaging.consumer.group.name": self._consumer_group,
                            "messaging.message.id": event.id,
                            "cloudevents.event_type": event.type,
                        }
                    )
                await item.handler(event, uow)
        except Exception as exc:
            raise HandlerFailed(item, exc) from exc
        finally:
            current_tenant.reset(tenant)
