"""Group commit: requests that arrive together are written together.

Each request to a busy write path pays for its own transaction: a dozen round trips and their
Python around them. A ``Batcher`` queues the requests of the moment and hands them to one call
of its handler (one transaction for all), so under load the fixed cost is shared by the whole
batch, while a lone request still goes straight through (a batch of one, no waiting).

A handler call is all or nothing (one transaction): it answers each item with its result or
with the exception meant for that item alone, or raises having committed nothing. Items that
must not share a call (another tenant: row-level security binds a transaction to one) are told
apart by ``key``; each key's items get calls of their own. When a call fails as a whole (a
constraint one row broke rolls back the batch), each of its items runs again on its own, so one
bad item never fails the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from opentelemetry import trace

Item = TypeVar("Item")
Result = TypeVar("Result")

# Given a batch, answers each item in order: its result, or the exception for it alone.
Handler = Callable[[Sequence[Item]], Awaitable[Sequence[Result | BaseException]]]

log = logging.getLogger(__name__)
_tracer = trace.get_tracer(__name__)


@dataclass(slots=True)
class _Pending(Generic[Item, Result]):
    item: Item
    answer: asyncio.Future[Result]
    # The submitter's span: the batch's span links to it, so each request's trace leads to
    # the batch that did its work (one span cannot have many parents).
    span: trace.SpanContext


class Batcher(Generic[Item, Result]):
    """``await batcher.submit(item)`` returns what the handler answered for that item.

    ``lanes`` batches run at once: while one waits on the database, the next is being built,
    so the process's single core is never idle behind a round trip.
    """

    def __init__(
        self,
        handler: Handler[Item, Result],
        *,
        name: str = "batch",
        key: Callable[[Item], Hashable] = lambda item: None,
        max_batch: int = 64,
        lanes: int = 2,
    ) -> None:
        if max_batch < 1 or lanes < 1:
            raise ValueError("max_batch and lanes must be at least 1")
        self._handler = handler
        self._name = name
        self._key = key
        self._max_batch = max_batch
        self._lanes = lanes
        self._queue: asyncio.Queue[_Pending[Item, Result]] | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    async def submit(self, item: Item) -> Result:
        if self._closed:
            raise RuntimeError("the service is shutting down")
        queue = self._queue_for(asyncio.get_running_loop())
        answer: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        span = trace.get_current_span().get_span_context()
        queue.put_nowait(_Pending(item, answer, span))
        return await answer

    async def aclose(self) -> None:
        """Stop the lanes; requests taken or still queued are failed rather than left hanging,
        and later ones are refused."""
        self._closed = True
        workers, self._workers = self._workers, []
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        queue, self._queue, self._loop = self._queue, None, None
        while queue is not None and not queue.empty():
            pending = queue.get_nowait()
            if not pending.answer.done():
                pending.answer.set_exception(RuntimeError("the service is shutting down"))

    def _queue_for(self, loop: asyncio.AbstractEventLoop) -> asyncio.Queue[_Pending[Item, Result]]:
        # The lanes start with the first request, on the loop that serves it (a process may run
        # several loops in turn, as tests do; a queue belongs to one loop).
        if self._queue is None or self._loop is not loop or loop.is_closed():
            self._loop = loop
            self._queue = asyncio.Queue()
            # In a context of their own: a task inherits its creator's, and the first request's
            # trace would otherwise be the parent of every batch the process ever runs.
            self._workers = [
                loop.create_task(
                    self._lane(self._queue),
                    name=f"{self._name}-lane-{n}",
                    context=contextvars.Context(),
                )
                for n in range(self._lanes)
            ]
        return self._queue

    async def _lane(self, queue: asyncio.Queue[_Pending[Item, Result]]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self._max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                for group in self._groups(batch):
                    await self._run(group)
            except BaseException:
                # Stopped (or broken) mid-batch: whoever this lane took and has not answered
                # hears so, instead of waiting for ever.
                _settle(batch, [RuntimeError("the service is shutting down")] * len(batch))
                raise

    def _groups(self, batch: list[_Pending[Item, Result]]) -> list[list[_Pending[Item, Result]]]:
        """The batch's items by key, leaving out callers that went away; an item whose key
        cannot be told gets that error for its answer."""
        groups: dict[Hashable, list[_Pending[Item, Result]]] = {}
        for pending in batch:
            if pending.answer.done():
                continue
            try:
                key = self._key(pending.item)
            except Exception as failure:  # noqa: BLE001 - the item's own fault, its to hear
                _settle([pending], [failure])
                continue
            groups.setdefault(key, []).append(pending)
        return list(groups.values())

    async def _run(self, batch: list[_Pending[Item, Result]]) -> None:
        links = [trace.Link(p.span) for p in batch if p.span.is_valid]
        with _tracer.start_as_current_span(
            self._name, links=links, attributes={"batch.size": len(batch)}
        ):
            await self._answer(batch)

    async def _answer(self, batch: list[_Pending[Item, Result]]) -> None:
        try:
            outcomes = await self._handler([p.item for p in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"the handler answered {len(outcomes)} of {len(batch)} items")
        except Exception as failure:  # noqa: BLE001 - any failure is each item's to hear
            if len(batch) == 1:
                _settle(batch, [failure])
                return
            log.info("batch of %d failed (%r); running its items one by one", len(batch), failure)
            for pending in batch:
                await self._answer([pending])
            return
        _settle(batch, outcomes)


def _settle(batch: Sequence[_Pending[Item, Result]], outcomes: Sequence[object]) -> None:
    for pending, outcome in zip(batch, outcomes, strict=True):
        if pending.answer.done():
            continue
        if isinstance(outcome, BaseException):
            pending.answer.set_exception(outcome)
        else:
            pending.answer.set_result(outcome)  # type: ignore[arg-type]
