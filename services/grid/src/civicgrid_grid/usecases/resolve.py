"""Point -> grid and its ancestors, through an in-memory spatial index per district.

The index of every known district is built from the database at start (warm_all; a district
imported later, on first use) and kept current from the registry's own change events, so every
replica converges on the same map without asking the database per point.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from uuid import UUID

import shapely

from civicgrid_grid.db.districts_repo import district_tenants
from civicgrid_grid.db.units_repo import UnitShape, UnitsRepository
from civicgrid_grid.domain.building_placement import place_buildings
from civicgrid_grid.domain.records import UnitRecord
from civicgrid_grid.domain.spatial_index import GridIndex, IndexedGrid, Outside
from civicgrid_grid.usecases.context import GridContext
from civicgrid_platform.auth import Principal
from civicgrid_platform.collector import collector_paused
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


@dataclass(frozen=True, slots=True)
class DistrictMap:
    """What a replica keeps in memory per district: the index, and the records (without
    geometry) of the units its answers have named so far, so a busy grid costs no database
    read. Dropped whole when the district changes, records included."""

    index: GridIndex
    units: dict[str, UnitRecord] = field(default_factory=dict)

    async def records(self, ctx: GridContext, tenant_id: UUID, ids: list[str]) -> None:
        """Make sure units holds these ids (and, for grids, their ancestors)."""
        missing = [UUID(i) for i in ids if i not in self.units]
        if missing:
            async with ctx.uow(tenant_id=tenant_id) as uow:
                repo = UnitsRepository(uow.session, tenant_id)
                found = await repo.get_many(missing)
                above = {a for r in found.values() for a in r.ancestor_ids}
                found |= await repo.get_many([a for a in above if str(a) not in self.units])
            for unit_id, record in found.items():
                self.units[str(unit_id)] = replace(record, geometry=None)


_LOCATED = ("grid", "building")


class DistrictIndexes:
    """One DistrictMap per tenant; safe to share across requests (one event loop)."""

    def __init__(self, ctx: GridContext) -> None:
        self.ctx = ctx
        self._maps: dict[UUID, DistrictMap] = {}
        self._locks: dict[UUID, asyncio.Lock] = {}
        self.warmed = asyncio.Event()

    async def warm_all(self) -> int:
        """Build the map of every known district (at start, before taking traffic)."""
        async with self.ctx.uow(tenant_id=None) as uow:
            tenants = await district_tenants(uow.session)
        for tenant_id in tenants:
            await self.for_tenant(tenant_id)
        self.warmed.set()
        return len(tenants)

    async def for_tenant(self, tenant_id: UUID) -> DistrictMap:
        found = self._maps.get(tenant_id)
        if found is not None:
            return found
        async with self._locks.setdefault(tenant_id, asyncio.Lock()):
            if tenant_id not in self._maps:
                self._maps[tenant_id] = await self._load(tenant_id)
        return self._maps[tenant_id]

    def loaded(self, tenant_id: UUID) -> DistrictMap | None:
        """The tenant's map if it is in memory."""
        return self._maps.get(tenant_id)

    def forget(self, tenant_id: UUID) -> None:
        self._maps.pop(tenant_id, None)

    async def _load(self, tenant_id: UUID) -> DistrictMap:
        async with self.ctx.uow(tenant_id=tenant_id) as uow:
            rows = await UnitsRepository(uow.session, tenant_id).shapes(_LOCATED)
        return DistrictMap(await asyncio.to_thread(_build_index, rows))


def _build_index(rows: list[UnitShape]) -> GridIndex:
    with collector_paused():
        # GEOS parses all of them in one call; WKB where kept, else the GeoJSON.
        shapes = shapely.from_wkb([r.geometry_wkb for r in rows])
        for n, row in enumerate(rows):
            if row.geometry_wkb is None:
                shapes[n] = shapely.from_geojson(row.geometry_json)
        grids, buildings = [], []
        for row, geometry in zip(rows, shapes, strict=True):
            if row.kind == "grid":
                grids.append(IndexedGrid(row.id, row.code, geometry))
            else:
                buildings.append((row.id, row.parent_id, geometry))
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
    district = await indexes.for_tenant(tenant_id)
    if len(district.index) == 0:
        raise NotFound("this district has no grids yet", field="location")
    found = district.index.resolve(lon, lat, boundary_m=boundary_m)
    if isinstance(found, Outside):
        await district.records(ctx, tenant_id, [found.nearest_grid_id])
        nearest = district.units.get(found.nearest_grid_id)
        if nearest is None:
            indexes.forget(tenant_id)
            raise NotFound("the map changed while resolving; retry", field="location")
        raise PointOutside(nearest, found.distance_m)
    named = [found.grid_id]
    if found.building_id:
        named.append(found.building_id)
    if found.boundary is not None:
        named.append(found.boundary.neighbour_grid_id)
    await district.records(ctx, tenant_id, named)
    units = district.units
    grid = units.get(found.grid_id)
    if grid is None:  # gone from the database since the index was built: rebuild and retry
        indexes.forget(tenant_id)
        raise NotFound("the map changed while resolving; retry", field="location")
    neighbour = units.get(found.boundary.neighbour_grid_id) if found.boundary else None
    return ResolvedPoint(
        grid=grid,
        ancestors=[units[str(a)] for a in grid.ancestor_ids if str(a) in units],
        building=units.get(found.building_id) if found.building_id else None,
        neighbour=neighbour,
        neighbour_distance_m=found.boundary.distance_m if found.boundary else None,
    )
