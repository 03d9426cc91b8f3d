"""A consumer in another process: run as a script by the relay test.

    python events_support_reader.py BOOTSTRAP TOPIC GROUP RUNTIME_DSN EVENT_TYPE COUNT

Runs the real ConsumerRunner with one handler that records what it received, and the span it
ran in, into the ``received`` table; exits 0 once COUNT events were processed, 1 on timeout.
Nothing is shared with the test process but Kafka and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from sqlalchemy import text

from civicgrid_platform.db.engine import create_engine
from civicgrid_platform.db.uow import UnitOfWork, UnitOfWorkFactory
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_platform.events.consumer import ConsumerRunner
from civicgrid_platform.events.producer import create_producer

RECEIVED_DDL = """
CREATE TABLE received (
    event_id text PRIMARY KEY,
    tenant_id uuid NOT NULL,
    value text NOT NULL,
    trace_id text NOT NULL,
    span_id text NOT NULL,
    parent_span_id text,
    span_kind text NOT NULL
)
"""

_TIMEOUT_SECONDS = 60


class Reader:
    """Records what it handles; says when it has handled ``count`` events."""

    def __init__(self, count: int) -> None:
        self._remaining = count
        self.done = asyncio.Event()

    async def record_received(self, event: IncomingEvent, uow: UnitOfWork) -> None:
        span = trace.get_current_span()
        context = span.get_span_context()
        parent = span.parent if isinstance(span, ReadableSpan) else None
        await uow.session.execute(
            text(
                "INSERT INTO received VALUES "
                "(:event_id, :tenant_id, :value, :trace_id, :span_id, :parent_span_id, :span_kind)"
            ),
            {
                "event_id": event.id,
                "tenant_id": event.tenant_id,
                "value": event.decode(StringValue).value,
                "trace_id": format(context.trace_id, "032x"),
                "span_id": format(context.span_id, "016x"),
                "parent_span_id": format(parent.span_id, "016x") if parent else None,
                "span_kind": span.kind.name if isinstance(span, ReadableSpan) else "NONE",
            },
        )
        self._remaining -= 1
        if self._remaining <= 0:
            # The runner still commits this batch (and its offsets) before it stops.
            self.done.set()


async def main(
    bootstrap: str, topic: str, group: str, dsn: str, event_type: str, count: int
) -> int:
    trace.set_tracer_provider(TracerProvider())
    engine = create_engine(dsn, pool_size=2, application_name="test-reader")
    producer = await create_producer(bootstrap, "test-reader-dlq")
    reader = Reader(count)
    runner = ConsumerRunner(
        bootstrap,
        group,
        [topic],
        {event_type: reader.record_received},
        UnitOfWorkFactory(engine),
        dlq_producer=producer,
    )
    stop = asyncio.Event()
    consuming = asyncio.create_task(runner.run(stop))
    try:
        await asyncio.wait(
            [consuming, asyncio.create_task(reader.done.wait())],
            timeout=_TIMEOUT_SECONDS,
            return_when=asyncio.FIRST_COMPLETED,
        )
    finally:
        stop.set()
        await consuming
        await producer.stop()
        await engine.dispose()
    if runner.stats.processed < count:
        logging.getLogger(__name__).error("reader stopped early: %s", runner.stats)
        return 1
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    bootstrap, topic, group, dsn, event_type, count = sys.argv[1:]
    sys.exit(asyncio.run(main(bootstrap, topic, group, dsn, event_type, int(count))))
