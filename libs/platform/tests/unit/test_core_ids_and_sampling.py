"""Time-ordered ids, and spans recorded only while something exports them."""

from __future__ import annotations

import os
import time
from uuid import UUID

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from civicgrid_platform.ids import new_uuid, uuid_time_ms
from civicgrid_platform.telemetry import WhileExporting


def test_ids_are_version_7_unique_and_carry_the_time_they_were_made() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_uuid() for _ in range(20_000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {"specified in RFC 4122"}
    assert all(before <= uuid_time_ms(i) <= after for i in ids)


def test_ids_made_later_sort_after_earlier_ones() -> None:
    first = new_uuid()
    time.sleep(0.002)
    assert new_uuid() > first  # a later millisecond: the index's right edge


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    new_uuid()  # the parent holds a batch of random bytes now
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, new_uuid().bytes)
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    from_child = UUID(bytes=os.read(read, 16))
    os.close(read)
    assert from_child != new_uuid()
    assert from_child.int & ((1 << 74) - 1) != 0


def test_spans_are_dropped_until_a_processor_receives_them_then_recorded() -> None:
    sampler = WhileExporting()
    provider = TracerProvider(sampler=sampler)
    tracer = provider.get_tracer(__name__)
    with tracer.start_as_current_span("unexported") as span:
        assert not span.is_recording()
        assert span.get_span_context().trace_id != 0  # logs still get trace ids
    exported = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    sampler.exporting = True
    with tracer.start_as_current_span("exported") as span:
        assert span.is_recording()
    assert [s.name for s in exported.get_finished_spans()] == ["exported"]
