"""Point -> grid and its ancestors, through an in-memory spatial index per district.

The index of every known district is built from the database at start (warm_all; a district
imported later, on first use) and kept current from the registry's own change events, so every
replica converges on the same map without asking the database per point.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from uuid import UUID

import shapely

from civicgrid_grid.db.districts_repo import district_tenants
from civicgrid_grid.db.units_repo import LocatedUnit, UnitsRepository
from civicgrid_grid.domain.building_placement import place_buildings
from civicgrid_grid.domain.bulk import collector_paused
from civicgrid_grid.domain.records import UnitRecord
from civicgrid_grid.domain.spatial_index import GridIndex, IndexedGrid, Outside
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


class DistrictIndexes:
    """One GridIndex per tenant; safe to share across requests (one event loop)."""

    def __init__(self, ctx: GridContext) -> None:
        self.ctx = ctx
        self._indexes: dict[UUID, GridIndex] = {}
        self._locks: dict[UUID, asyncio.Lock] = {}
        self.warmed = asyncio.Event()

    async def warm_all(self) -> int:
        """Build the index of every known district (at start, before taking traffic)."""
        async with self.ctx.uow(tenant_id=None) as uow:
            tenants = await district_tenants(uow.session)
        for tenant_id in tenants:
            await self.for_tenant(tenant_id)
        self.warmed.set()
        return len(tenants)

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
            rows = await UnitsRepository(uow.session, tenant_id).located(("grid", "building"))
        return await asyncio.to_thread(_build_index, rows)


def _build_index(rows: list[LocatedUnit]) -> GridIndex:
    with collector_paused():
        # GEOS parses the GeoJSON text of all of them in one call.
        shapes = shapely.from_geojson([r.geometry_json for r in rows])
        grids, buildings = [], []
        for row, geometry in zip(rows, shapes, strict=True):
            if row.kind == "grid":
                grids.append(IndexedGrid(str(row.id), row.code, geometry))
            else:
                buildings.append((str(row.id), str(row.parent_id), geometry))
        return GridIndex(grids, place_buildings(grids, buildings))


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
