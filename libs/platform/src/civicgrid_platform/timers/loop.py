"""Due timers, claimed in one transaction and handed to their kind's handler district by
district (the transaction re-binds its tenant for each); and the loop that runs them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from civicgrid_platform.db.uow import UnitOfWork, UnitOfWorkFactory
from civicgrid_platform.timers.store import DueTimer, claim_due

log = logging.getLogger(__name__)
C = TypeVar("C")
# (the service's context, a uow bound to the timer's district, the timer) -> None
TimerHandler = Callable[[C, UnitOfWork, DueTimer], Awaitable[None]]
BATCH = 200


async def run_due(
    uow_factory: UnitOfWorkFactory,
    now: datetime,
    context: C,
    handlers: Mapping[str, TimerHandler[C]],
    *,
    limit: int = BATCH,
) -> int:
    """Handles one batch of due timers; returns how many (call again while it equals limit)."""
    async with uow_factory(tenant_id=None) as uow:
        due = await claim_due(uow.session, now, limit, list(handlers))
        by_tenant: dict[UUID, list[DueTimer]] = defaultdict(list)
        for timer in due:
            by_tenant[timer.tenant_id].append(timer)
        for tenant_id, timers in by_tenant.items():
            await uow.bind_tenant(tenant_id)
            for timer in timers:
                handler = handlers.get(timer.kind)
                if handler is None:
                    raise LookupError(f"no handler for timers of kind {timer.kind!r}")
                await handler(context, uow, timer)
        await uow.commit()
    return len(due)


async def run_timers(
    batch: Callable[[], Awaitable[int]],
    interval: float,
    stop: asyncio.Event,
    *,
    wakeup: asyncio.Event | None = None,
) -> None:
    """Runs `batch` until it finds less than a full one, then sleeps `interval`, or until stop,
    or until `wakeup` is set (a LISTEN doorbell: work was committed just now)."""
    while not stop.is_set():
        if wakeup is not None:
            wakeup.clear()
        try:
            while await batch() == BATCH and not stop.is_set():
                pass
        except Exception:
            # The batch rolled back and its timers are due again: retried on the next beat.
            log.exception("a batch of timers failed; it will be retried")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_first_of(stop, wakeup), timeout=interval)


async def _first_of(*events: asyncio.Event | None) -> None:
    waits = [asyncio.create_task(e.wait()) for e in events if e is not None]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
