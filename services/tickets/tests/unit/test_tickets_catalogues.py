"""Each process keeps a district's categories for a few seconds: read once, trusted until they
go stale, forgotten at once when changed through this process."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from civicgrid_tickets.domain.categories import Category
from civicgrid_tickets.usecases.catalogues import DEFAULTS, Catalogues


class FakeCategories:
    """CategoriesRepository's reads and the one write catalogue() makes, in memory."""

    def __init__(self, tenant_id: uuid.UUID) -> None:
        self.tenant_id = tenant_id
        self.stored: list[Category] = []
        self.reads = 0

    async def all(self) -> list[Category]:
        self.reads += 1
        return list(self.stored)

    async def count(self) -> int:
        return len(self.stored)

    async def upsert(self, items: Sequence[Category]) -> None:
        self.stored = list(items)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_categories_are_read_once_and_trusted_until_stale() -> None:
    clock = Clock()
    kept = Catalogues(fresh_for=5.0, monotonic=clock)
    district: Any = FakeCategories(uuid.uuid4())
    first = await kept.of(district)
    assert [c.code for c in first] == [c.code for c in DEFAULTS]  # the standard ones installed
    reads = district.reads
    clock.now += 4.9
    assert await kept.of(district) == first and district.reads == reads
    district.stored = district.stored[:1]  # another replica's admin retires the rest
    clock.now += 0.2
    assert len(await kept.of(district)) == 1 and district.reads == reads + 1


async def test_a_change_through_this_process_applies_at_once_and_districts_stay_apart() -> None:
    kept = Catalogues(fresh_for=60.0)
    north: Any = FakeCategories(uuid.uuid4())
    south: Any = FakeCategories(uuid.uuid4())
    await kept.of(north)
    await kept.of(south)
    north.stored = north.stored[:2]
    kept.forget(north.tenant_id)
    assert len(await kept.of(north)) == 2
    assert len(await kept.of(south)) == len(DEFAULTS)
