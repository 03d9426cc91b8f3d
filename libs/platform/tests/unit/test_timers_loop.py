"""The timers loop: full batches run back to back, then it waits for the interval, the stop, or
a doorbell (work committed just now)."""

from __future__ import annotations

import asyncio
import time

from civicgrid_platform.timers import BATCH, run_timers


async def test_timers_loop_runs_full_batches_back_to_back_and_wakes_on_the_doorbell() -> None:
    stop, wakeup = asyncio.Event(), asyncio.Event()
    sizes = [BATCH, BATCH, 3]  # two full batches, then a short one: the loop waits
    calls: list[float] = []
    called = {3: asyncio.Event(), 4: asyncio.Event()}

    async def batch() -> int:
        calls.append(time.monotonic())
        if len(calls) in called:
            called[len(calls)].set()
        return sizes.pop(0) if sizes else 0

    loop = asyncio.create_task(run_timers(batch, 60.0, stop, wakeup=wakeup))
    await asyncio.wait_for(called[3].wait(), timeout=5)
    await asyncio.sleep(0.05)
    assert len(calls) == 3  # waiting now, for up to a minute
    wakeup.set()
    await asyncio.wait_for(called[4].wait(), timeout=5)  # the doorbell, not the 60 s interval
    stop.set()
    await asyncio.wait_for(loop, timeout=5)


async def test_timers_loop_keeps_going_after_a_failed_batch() -> None:
    stop = asyncio.Event()
    outcomes: list[int | Exception] = [RuntimeError("database gone"), 0]
    done = asyncio.Event()

    async def batch() -> int:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        done.set()
        return outcome

    loop = asyncio.create_task(run_timers(batch, 0.01, stop))
    await asyncio.wait_for(done.wait(), timeout=5)
    stop.set()
    await asyncio.wait_for(loop, timeout=5)
