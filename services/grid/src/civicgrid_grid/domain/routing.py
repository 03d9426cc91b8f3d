"""Which department answers for a category at a unit: the nearest jurisdiction wins."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar
from uuid import UUID


class Jurisdiction(Protocol):
    @property
    def jurisdiction_unit_ids(self) -> list[UUID]: ...


D = TypeVar("D", bound=Jurisdiction)


def rank_by_jurisdiction(
    candidates: Sequence[D], unit_id: UUID, ancestor_ids: Sequence[UUID]
) -> list[D]:
    """Departments whose jurisdiction covers the unit, nearest first, district-wide ones last.

    A department bound to a street answers before one bound to the whole district; one bound to
    a unit elsewhere does not answer at all.
    """
    chain = [unit_id, *ancestor_ids]
    depth = {u: i for i, u in enumerate(chain)}
    ranked: list[tuple[int, int, D]] = []
    for order, department in enumerate(candidates):
        units = department.jurisdiction_unit_ids
        if not units:
            ranked.append((len(chain), order, department))
            continue
        covering = [depth[u] for u in units if u in depth]
        if covering:
            ranked.append((min(covering), order, department))
    return [d for _, _, d in sorted(ranked, key=lambda t: (t[0], t[1]))]
