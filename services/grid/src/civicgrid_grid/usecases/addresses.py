"""Free address text -> building and household candidates, best first."""

from __future__ import annotations

from dataclasses import dataclass

from civicgrid_grid.db.units_repo import UnitsRepository
from civicgrid_grid.domain.addresses import address_key
from civicgrid_grid.domain.records import UnitRecord
from civicgrid_grid.usecases.context import GridContext
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class AddressCandidate:
    unit: UnitRecord
    score: float
    ancestors: list[UnitRecord]


async def resolve_address(
    ctx: GridContext, actor: Principal, text: str, *, limit: int
) -> list[AddressCandidate]:
    key = address_key(text)
    if len(key) < 2:
        raise InvalidInput("give at least two letters or digits of the address", field="text")
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = UnitsRepository(uow.session, tenant_id)
        matches = await repo.by_address_key(key, limit=limit)
        ancestors = await repo.get_many(sorted({a for m in matches for a in m.ancestor_ids}))
    # The register's address contains what was typed; the closer its length, the better the match.
    return sorted(
        (
            AddressCandidate(
                unit=m,
                score=round(len(key) / len(address_key(m.address or key)), 3),
                ancestors=[ancestors[a] for a in m.ancestor_ids if a in ancestors],
            )
            for m in matches
        ),
        key=lambda c: (-c.score, c.unit.code),
    )
