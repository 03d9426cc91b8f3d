"""A district's category catalogue as intake reads it: the standard one until the district sets
its own, and kept by each process for a few seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from civicgrid_tickets.db.categories_repo import CategoriesRepository
from civicgrid_tickets.domain.categories import DEFAULT_CATALOGUE, Category, category_from_dict

DEFAULTS = tuple(category_from_dict(c) for c in DEFAULT_CATALOGUE)


async def catalogue(repo: CategoriesRepository) -> list[Category]:
    """The tenant's active categories; a district that never set any gets the standard ones.

    Two first requests may race: each statement reads what is committed by then, and the
    installs converge (upserts), so both end up reading the same catalogue."""
    found = await repo.all()
    if found:
        return found
    if not await repo.count():
        await repo.upsert(DEFAULTS)
    return await repo.all()


class Catalogues:
    """Each district's active categories as this process last read them, trusted for a few
    seconds: every intake batch and Open311 call needs them, an admin changes them rarely.
    A change through this process applies here at once; through another replica, within
    `fresh_for` seconds."""

    def __init__(
        self, fresh_for: float = 5.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._fresh_for = fresh_for
        self._monotonic = monotonic
        self._kept: dict[UUID, tuple[list[Category], float]] = {}

    async def of(self, repo: CategoriesRepository) -> list[Category]:
        now = self._monotonic()
        kept = self._kept.get(repo.tenant_id)
        if kept is not None and kept[1] > now:
            return kept[0]
        found = await catalogue(repo)
        self._kept[repo.tenant_id] = (found, now + self._fresh_for)
        return found

    def forget(self, tenant_id: UUID) -> None:
        self._kept.pop(tenant_id, None)
