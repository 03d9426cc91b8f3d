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


async def record_received(event: IncomingEvent, uow: UnitOfWork) -> None:
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


async def main(
    bootstrap: str, topic: str, group: str, dsn: str, event_type: str, count: int
) -> int:
    trace.set_tracer_provider(TracerProvider())
    engine = create_engine(dsn, pool_size=2, application_name="test-reader")
    producer = await create_producer(bootstrap, "test-reader-dlq")
    runner = ConsumerRunner(
        bootstrap,
        group,
        [topic],
        {event_type: record_received},
        UnitOfWorkFactory(engine),
        dlq_producer=producer,
    )
    stop = asyncio.Event()
    consuming = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(_TIMEOUT_SECONDS):
            while runner.stats.processed < count and not consuming.done():
                await asyncio.sleep(0.05)
    except TimeoutError:
        logging.getLogger(__name__).error("reader timed out", extra={"stats": runner.stats})
    finally:
        stop.set()
        await consuming
        await producer.stop()
        await engine.dispose()
    return 0 if runner.stats.processed >= count else 1


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    bootstrap, topic, group, dsn, event_type, count = sys.argv[1:]
    sys.exit(asyncio.run(main(bootstrap, topic, group, dsn, event_type, int(count))))
