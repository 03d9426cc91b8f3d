"""Run a coroutine to completion from synchronous code, even inside a running event loop.

Session fixtures are synchronous but may be set up while pytest-asyncio's session loop is
running in this very thread; asyncio.run() would refuse, and blocking that loop on its own
work would deadlock. So a running loop sends the coroutine to a worker thread with its own loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` in a fresh event loop and return its result (or raise its error)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="civicgrid-testkit"
    ) as pool:
        return pool.submit(asyncio.run, coroutine).result()
