"""Group commit: what each caller of a Batcher gets back, and which items share a handler call."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterable, Sequence
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from civicgrid_platform.batching import Batcher
from civicgrid_platform.telemetry import configure_telemetry

_WAIT = 5.0  # seconds; a caller left hanging fails its test instead of the whole run


async def submit_all(batcher: Batcher[Any, Any], items: Iterable[Any]) -> list[asyncio.Task[Any]]:
    """Submit all at once, in order; return the callers once each has its answer."""
    requests = [asyncio.create_task(batcher.submit(item)) for item in items]
    await asyncio.wait_for(asyncio.gather(*requests, return_exceptions=True), _WAIT)
    return requests


class Recorder:
    """A handler that answers each item doubled, after a pause so that requests pile up."""

    def __init__(self, poison: int | None = None) -> None:
        self.calls: list[list[int]] = []
        self.poison = poison

    async def __call__(self, items: Sequence[int]) -> list[int | BaseException]:
        self.calls.append(list(items))
        await asyncio.sleep(0.01)
        if self.poison in items:
            raise ValueError("the batch broke a constraint")
        return [ValueError(f"no {i}") if i < 0 else i * 2 for i in items]


async def test_concurrent_requests_share_calls_and_each_caller_gets_its_own_answer() -> None:
    handler = Recorder()
    batcher: Batcher[int, int] = Batcher(handler, max_batch=64)

    requests = await submit_all(batcher, range(20))
    await batcher.aclose()

    assert [r.result() for r in requests] == [i * 2 for i in range(20)]
    assert len(handler.calls) < 20
    assert max(len(call) for call in handler.calls) > 1
    assert sorted(i for call in handler.calls for i in call) == list(range(20))


async def test_no_handler_call_gets_more_than_max_batch_items() -> None:
    handler = Recorder()
    batcher: Batcher[int, int] = Batcher(handler, max_batch=3)

    requests = await submit_all(batcher, range(10))
    await batcher.aclose()

    assert [r.result() for r in requests] == [i * 2 for i in range(10)]
    assert all(1 <= len(call) <= 3 for call in handler.calls)
    assert sorted(i for call in handler.calls for i in call) == list(range(10))


async def test_an_exception_answered_for_one_item_reaches_only_its_caller() -> None:
    handler = Recorder()
    batcher: Batcher[int, int] = Batcher(handler)

    requests = await submit_all(batcher, (1, -1, 2))
    await batcher.aclose()

    assert requests[0].result() == 2 and requests[2].result() == 4
    with pytest.raises(ValueError, match="no -1"):
        requests[1].result()
    assert handler.calls == [[1, -1, 2]]  # an item's own error is no reason to run again


async def test_a_call_failing_as_a_whole_reruns_each_item_alone_so_only_the_bad_one_fails() -> None:
    handler = Recorder(poison=13)
    batcher: Batcher[int, int] = Batcher(handler)

    requests = await submit_all(batcher, (1, 13, 2))
    await batcher.aclose()

    assert requests[0].result() == 2 and requests[2].result() == 4
    with pytest.raises(ValueError, match="broke a constraint"):
        requests[1].result()
    assert handler.calls == [[1, 13, 2], [1], [13], [2]]


async def test_items_of_different_keys_never_share_a_handler_call() -> None:
    calls: list[list[tuple[str, int]]] = []

    async def handler(items: Sequence[tuple[str, int]]) -> list[str]:
        calls.append(list(items))
        await asyncio.sleep(0.01)
        return [f"{tenant}:{n}" for tenant, n in items]

    batcher: Batcher[tuple[str, int], str] = Batcher(handler, key=lambda item: item[0])
    items = [("red" if n % 2 else "blue", n) for n in range(12)]

    requests = await submit_all(batcher, items)
    await batcher.aclose()

    assert [r.result() for r in requests] == [f"{tenant}:{n}" for tenant, n in items]
    assert all(len({tenant for tenant, _ in call}) == 1 for call in calls)
    assert any(len(call) > 1 for call in calls)  # keys split calls, they do not stop batching


async def test_the_handler_does_not_see_context_variables_of_the_first_submitter() -> None:
    tenant: contextvars.ContextVar[str] = contextvars.ContextVar("tenant", default="none")
    seen: list[str] = []

    async def handler(items: Sequence[int]) -> list[int]:
        seen.append(tenant.get())
        return list(items)

    batcher: Batcher[int, int] = Batcher(handler)

    async def submit_as(name: str, item: int) -> int:
        tenant.set(name)
        return await batcher.submit(item)

    assert await asyncio.create_task(submit_as("first", 1)) == 1
    assert await asyncio.create_task(submit_as("second", 2)) == 2
    await batcher.aclose()

    assert seen == ["none", "none"]


async def test_a_wrong_number_of_answers_counts_as_a_whole_call_failure() -> None:
    calls: list[list[int]] = []

    async def handler(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        await asyncio.sleep(0.01)
        # One answer short for a batch, one too many for a lone item.
        return list(items)[:-1] if len(items) > 1 else [items[0], items[0]]

    batcher: Batcher[int, int] = Batcher(handler)

    requests = await submit_all(batcher, (1, 2))
    await batcher.aclose()

    assert calls == [[1, 2], [1], [2]]
    for request in requests:
        with pytest.raises(RuntimeError, match="answered 2 of 1"):
            request.result()


async def test_lanes_run_that_many_handler_calls_at_once() -> None:
    running, release = asyncio.Semaphore(0), asyncio.Event()

    async def handler(items: Sequence[int]) -> list[int]:
        running.release()
        await release.wait()
        return list(items)

    batcher: Batcher[int, int] = Batcher(handler, lanes=2)
    first = asyncio.create_task(batcher.submit(1))
    await asyncio.wait_for(running.acquire(), _WAIT)
    second = asyncio.create_task(batcher.submit(2))

    await asyncio.wait_for(running.acquire(), _WAIT)  # the second call began before the first ended
    release.set()

    assert await asyncio.wait_for(asyncio.gather(first, second), _WAIT) == [1, 2]
    await batcher.aclose()


async def test_a_caller_that_went_away_is_not_handed_to_the_handler() -> None:
    calls: list[list[int]] = []
    started, release = asyncio.Event(), asyncio.Event()

    async def handler(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        started.set()
        await release.wait()
        return list(items)

    batcher: Batcher[int, int] = Batcher(handler, lanes=1)
    first = asyncio.create_task(batcher.submit(1))
    await asyncio.wait_for(started.wait(), _WAIT)
    gone, third = asyncio.create_task(batcher.submit(2)), asyncio.create_task(batcher.submit(3))
    await asyncio.sleep(0)  # both are queued behind the busy lane
    gone.cancel()
    release.set()

    assert await asyncio.wait_for(asyncio.gather(first, third), _WAIT) == [1, 3]
    assert gone.cancelled()
    assert calls == [[1], [3]]
    await batcher.aclose()


async def test_aclose_fails_waiting_requests_and_stops_the_lanes() -> None:
    started = asyncio.Event()

    async def handler(items: Sequence[int]) -> list[int]:
        started.set()
        await asyncio.Event().wait()  # a round trip that never comes back
        return list(items)

    batcher: Batcher[int, int] = Batcher(handler, name="closing", lanes=1)
    in_flight = asyncio.create_task(batcher.submit(1))
    await asyncio.wait_for(started.wait(), _WAIT)
    queued = asyncio.create_task(batcher.submit(2))
    await asyncio.sleep(0)
    lanes = [t for t in asyncio.all_tasks() if t.get_name().startswith("closing-lane-")]

    await asyncio.wait_for(batcher.aclose(), _WAIT)

    assert len(lanes) == 1 and all(lane.done() for lane in lanes)
    for request in (in_flight, queued):
        with pytest.raises(RuntimeError, match="shutting down"):
            await asyncio.wait_for(request, _WAIT)


async def test_aclose_fails_requests_of_another_key_taken_off_the_queue_with_the_call() -> None:
    started = asyncio.Event()

    async def handler(items: Sequence[str]) -> list[str]:
        started.set()
        await asyncio.Event().wait()
        return list(items)

    batcher: Batcher[str, str] = Batcher(handler, key=lambda item: item[0], lanes=1)
    requests = [asyncio.create_task(batcher.submit(item)) for item in ("a1", "b1")]
    await asyncio.wait_for(started.wait(), _WAIT)  # the lane holds both, runs "a"

    await asyncio.wait_for(batcher.aclose(), _WAIT)
    _, hanging = await asyncio.wait(requests, timeout=0.1)
    for request in hanging:
        request.cancel()
    await asyncio.gather(*requests, return_exceptions=True)

    assert not hanging


async def test_an_item_whose_key_fails_hears_why_and_the_lane_goes_on() -> None:
    def key(item: int) -> int:
        if item == 13:
            raise LookupError("no key for 13")
        return item % 2

    batcher: Batcher[int, int] = Batcher(Recorder(), key=key, lanes=1)
    requests = await submit_all(batcher, [1, 13, 2])
    later = await submit_all(batcher, [4])
    await batcher.aclose()

    assert [requests[0].result(), requests[2].result(), later[0].result()] == [2, 4, 8]
    with pytest.raises(LookupError):
        requests[1].result()
    with pytest.raises(RuntimeError, match="shutting down"):
        await batcher.submit(5)  # refused once closed


async def test_each_batch_runs_in_a_span_linked_to_its_submitters_spans() -> None:
    # The global tracer provider can be set once per process; configure_telemetry installs it
    # once and adds processors on later calls, so this test shares it with the others.
    exported = InMemorySpanExporter()
    configure_telemetry("batching-test", extra_processors=(SimpleSpanProcessor(exported),))
    tracer = trace.get_tracer("test")
    sizes: list[int] = []

    async def handler(items: Sequence[int]) -> list[int]:
        sizes.append(len(items))
        await asyncio.sleep(0.01)
        return list(items)

    batcher: Batcher[int, int] = Batcher(handler, name="batch-span-test", lanes=1)

    async def submit_in_span(item: int) -> trace.SpanContext:
        with tracer.start_as_current_span(f"request-{item}") as span:
            await batcher.submit(item)
            return span.get_span_context()

    submitters = await asyncio.wait_for(asyncio.gather(*map(submit_in_span, range(5))), _WAIT)
    await batcher.aclose()

    batches = [s for s in exported.get_finished_spans() if s.name == "batch-span-test"]
    assert [(s.attributes or {}).get("batch.size") for s in batches] == sizes
    assert max(sizes) > 1
    linked = {link.context.span_id for s in batches for link in s.links}
    assert linked == {c.span_id for c in submitters}
    assert all(s.parent is None for s in batches)  # linked, not parented by the first submitter
