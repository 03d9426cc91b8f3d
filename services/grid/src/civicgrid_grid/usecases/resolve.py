"""Point -> grid and its ancestors, through an in-memory spatial index per district.

The index is built from the database the first time a tenant asks (and at start for known
tenants) and kept current from the registry's own change events, so every replica converges on
the same map without asking the database per point.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import UUID

from shapely.geometry import shape

from civicgrid_grid.db.units_repo import UnitsRepository
from civicgrid_grid.domain.records import UnitRecord
from civicgrid_grid.domain.spatial_index import (
    GridIndex,
    IndexedBuilding,
    IndexedGrid,
    Outside,
    Resolution,
)
from civicgrid_grid.usecases.context import GridContext
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import InvalidInput, NotFound


class PointOutside(NotFound):
    """No grid contains the point; names the nearest one so the caller can say how far off it is."""

    def __init__(self, nearest: UnitRecord, distance_m: float) -> None:
        super().__init__(
            f"the point is in no grid; nearest is {nearest.code} ({nearest.name}) "
            f"at {distance_m:.0f} m",
            field="location",
        )
        self.nearest = nearest
        self.distance_m = distance_m


@dataclass(frozen=True, slots=True)
class ResolvedPoint:
    grid: UnitRecord
    ancestors: list[UnitRecord]
    building: UnitRecord | None
    neighbour: UnitRecord | None
    neighbour_distance_m: float | None


def indexed_grid(record: UnitRecord) -> IndexedGrid:
    return IndexedGrid(unit_id=str(record.id), code=record.code, polygon=shape(record.geometry))


def _buildings_in_grids(
    grid_index: GridIndex, records: list[UnitRecord], grid_ids: set[str]
) -> list[IndexedBuilding]:
    """Each building under the grid it stands in: a building in a compound has no grid ancestor,
    so its grid is found by resolving its own location."""
    placed = []
    for record in records:
        geometry = shape(record.geometry)
        grid_id = str(record.parent_id) if str(record.parent_id) in grid_ids else None
        if grid_id is None:
            point = geometry.representative_point()
            found = grid_index.resolve(point.x, point.y, boundary_m=0.0)
            grid_id = found.grid_id if isinstance(found, Resolution) else None
        if grid_id is not None:
            placed.append(
                IndexedBuilding(unit_id=str(record.id), grid_id=grid_id, geometry=geometry)
            )
    return placed


class DistrictIndexes:
    """One GridIndex per tenant; safe to share across requests (one event loop)."""

    def __init__(self, ctx: GridContext) -> None:
        self.ctx = ctx
        self._indexes: dict[UUID, GridIndex] = {}
        self._locks: dict[UUID, asyncio.Lock] = {}

    async def for_tenant(self, tenant_id: UUID) -> GridIndex:
        index = self._indexes.get(tenant_id)
        if index is not None:
            return index
        async with self._locks.setdefault(tenant_id, asyncio.Lock()):
            if tenant_id not in self._indexes:
                self._indexes[tenant_id] = await self._load(tenant_id)
        return self._indexes[tenant_id]

    def loaded(self, tenant_id: UUID) -> GridIndex | None:
        """The tenant's index if it is in memory (events for other tenants wait for first use)."""
        return self._indexes.get(tenant_id)

    def forget(self, tenant_id: UUID) -> None:
        self._indexes.pop(tenant_id, None)

    async def _load(self, tenant_id: UUID) -> GridIndex:
        async with self.ctx.uow(tenant_id=tenant_id) as uow:
            records = await UnitsRepository(uow.session, tenant_id).all_current(
                ["grid", "building"]
            )
        return await asyncio.to_thread(_build_index, records)


def _build_index(records: list[UnitRecord]) -> GridIndex:
    grids = [indexed_grid(r) for r in records if r.kind == "grid" and r.geometry]
    buildings = [r for r in records if r.kind == "building" and r.geometry]
    if not buildings:
        return GridIndex(grids)
    return GridIndex(
        grids, _buildings_in_grids(GridIndex(grids), buildings, {g.unit_id for g in grids})
    )


async def resolve_point(
    ctx: GridContext,
    indexes: DistrictIndexes,
    actor: Principal,
    lat: float,
    lon: float,
    boundary_m: float,
) -> ResolvedPoint:
    if not -90 <= lat <= 90:
        raise InvalidInput("latitude is -90 to 90", field="lat")
    if not -180 <= lon <= 180:
        raise InvalidInput("longitude is -180 to 180", field="lon")
    tenant_id = actor.tenant_uuid
    index = await indexes.for_tenant(tenant_id)
    if len(index) == 0:
        raise NotFound("this district has no grids yet", field="location")
    found = index.resolve(lon, lat, boundary_m=boundary_m)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = UnitsRepository(uow.session, tenant_id)
        if isinstance(found, Outside):
            nearest = await repo.get(UUID(found.nearest_grid_id))
            if nearest is None:
                raise NotFound("this district has no grids yet", field="location")
            raise PointOutside(nearest, found.distance_m)
        ids = [UUID(found.grid_id)]
        if found.building_id:
            ids.append(UUID(found.building_id))
        if found.boundary is not None:
            ids.append(UUID(found.boundary.neighbour_grid_id))
        records = await repo.get_many(ids)
        grid = records.get(UUID(found.grid_id))
        if grid is None:  # the index is older than the database: drop it, the next call reloads
            indexes.forget(tenant_id)
            raise NotFound("the map changed while resolving; retry", field="location")
        ancestors = await repo.get_many(grid.ancestor_ids)
    neighbour = records.get(UUID(found.boundary.neighbour_grid_id)) if found.boundary else None
    return ResolvedPoint(
        grid=grid,
        ancestors=[ancestors[a] for a in grid.ancestor_ids if a in ancestors],
        building=records.get(UUID(found.building_id)) if found.building_id else None,
        neighbour=neighbour,
        neighbour_distance_m=found.boundary.distance_m if found.boundary else None,
    )
