"""Export the current district as the same GeoJSON an import takes (a round trip)."""

from __future__ import annotations

from typing import Any

from shapely.geometry import shape

from civicgrid_grid.db.units_repo import UnitsRepository
from civicgrid_grid.domain.geojson_import import to_feature_collection
from civicgrid_grid.domain.units import UnitKind, UnitSpec
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.import_district import DEPTH
from civicgrid_platform.auth import Principal


async def export_district(ctx: GridContext, actor: Principal) -> dict[str, Any]:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        records = await UnitsRepository(uow.session, tenant_id).all_current(list(DEPTH))
    code_of = {r.id: r.code for r in records}
    specs = [
        UnitSpec(
            code=r.code,
            kind=UnitKind(r.kind),
            parent_code=code_of.get(r.parent_id) if r.parent_id else None,
            name=r.name,
            geometry=shape(r.geometry) if r.geometry else None,
            address=r.address,
            attributes=r.attributes or {},
        )
        for r in sorted(records, key=lambda r: (DEPTH[r.kind], r.code))
    ]
    return to_feature_collection(specs)
