"""What an engine did inside a block, from SQLAlchemy's engine events (tests that prove how
many transactions or statements a use case costs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@contextmanager
def engine_events(engine: AsyncEngine, name: str) -> Iterator[list[tuple[Any, ...]]]:
    """The arguments of every `name` event ("begin", "before_cursor_execute", …) the engine
    fires inside the block, in order. Statements sent straight through the driver
    (civicgrid_platform.db.driver) fire none: count transactions to see those."""
    fired: list[tuple[Any, ...]] = []

    def record(*args: Any) -> None:
        fired.append(args)

    event.listen(engine.sync_engine, name, record)
    try:
        yield fired
    finally:
        event.remove(engine.sync_engine, name, record)
