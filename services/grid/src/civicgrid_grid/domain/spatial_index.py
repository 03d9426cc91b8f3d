"""Which grid (and building) a reported point belongs to, in microseconds, kept current live.

Rules a caller can rely on:
- A point belongs to the grid whose polygon covers it, boundary included; a point in a hole is
  not in that grid. A point covered by several grids (on a shared edge or vertex) belongs to
  the one with the lowest code, so the answer never depends on order. (Grids that overlap by
  more than boundary_m, which validate_district refuses, are not tie-broken by code.)
- Resolution.boundary warns when another grid lies within boundary_m metres of the point: the
  nearest such grid (lowest code on a tie) and its distance. A point on a shared edge or vertex
  always carries one, at distance 0. The district's outer edge has no neighbour, so no warning.
- Outside names the nearest grid and how far away it is (lowest code on a tie).
- Resolution.building_id: a building of the resolved grid whose footprint covers the point, else
  the nearest of its buildings within building_snap_m; None when there is none.
- "On" an edge means within a micrometre of it, so a vertex given in lon/lat is on the edge even
  after the projection's last-bit rounding.

How it is fast: everything is projected to metres once (LocalProjection); a uniform cell grid
(CellLists) hands a lookup the three or four polygons near the point; each is tested with a
prepared point-in-polygon call at scalar speed (fast_geometry); the distance to the own grid's
boundary is computed only once the point is known to be inside, and distances to neighbours
only when that is within boundary_m. Grids are assumed not to overlap (validate_district sees
to it): inside grid g and farther than d from g's boundary means farther than d from any other.

Updates (upsert/remove) apply at once through overflow lists; after many of them the next
lookup compacts the index (see index_store). Safe for one writer and any number of readers.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.domain.bulk import collector_paused
from civicgrid_grid.domain.cell_buckets import CellLayout, spatial_order
from civicgrid_grid.domain.fast_geometry import covers_xy, distance, point
from civicgrid_grid.domain.index_store import BuildingTable, GridTable
from civicgrid_grid.domain.projection import LocalProjection
from civicgrid_platform.errors import InvalidInput, NotFound

ON_EDGE_M = 1e-6
DEFAULT_BOUNDARY_M = 30.0
DEFAULT_SNAP_M = 20.0


class GridIndexEmpty(NotFound):
    """resolve() was asked before any grid of the district was indexed."""


@dataclass(frozen=True, slots=True)
class IndexedGrid:
    unit_id: str
    code: str
    polygon: BaseGeometry  # Polygon or MultiPolygon, WGS84 lon/lat


@dataclass(frozen=True, slots=True)
class IndexedBuilding:
    unit_id: str
    grid_id: str
    geometry: BaseGeometry  # Point or footprint polygon, WGS84 lon/lat


@dataclass(frozen=True, slots=True)
class BoundaryWarning:
    neighbour_grid_id: str
    neighbour_code: str
    distance_m: float


@dataclass(frozen=True, slots=True)
class Resolution:
    grid_id: str
    grid_code: str
    building_id: str | None
    boundary: BoundaryWarning | None


@dataclass(frozen=True, slots=True)
class Outside:
    nearest_grid_id: str
    nearest_code: str
    distance_m: float


class _Snapshot:
    """One generation of the index: a cell layout and the two tables, all in metres."""

    def __init__(
        self,
        grids: tuple[list[str], list[str], npt.NDArray[np.object_]],
        buildings: tuple[list[str], list[str], npt.NDArray[np.float64], dict[int, BaseGeometry]],
        margin: float,
        snap: float,
        cell_m: float | None,
    ) -> None:
        self.margin, self.snap, self.cell_m = margin, snap, cell_m
        ids, codes, geoms = grids
        bounds = shapely.bounds(geoms) if len(ids) else np.array([[0.0, 0.0, 1.0, 1.0]])
        self.layout = CellLayout.covering(bounds, margin, cell_m)
        self.grids = GridTable(self.layout, margin)
        self.grids.load(ids, codes, geoms)
        self.buildings = BuildingTable(self.layout, snap)
        self.buildings.load(*buildings)
        self._tree: shapely.STRtree | None = None

    @property
    def stale(self) -> bool:
        return self.grids.stale or self.buildings.stale

    def rebuilt(self) -> _Snapshot:
        """A fresh snapshot of the live shapes: the overflow folded into the cell lists."""
        g, b = self.grids, self.buildings
        live, built = g.live(), b.live()
        geoms = np.empty(len(live), dtype=object)
        geoms[:] = [g.geoms[s] for s in live]
        order = spatial_order(shapely.bounds(geoms))
        live, geoms = [live[k] for k in order], shapely.transform(geoms[order], _copy)
        xy = np.array([(b.xs[s], b.ys[s]) for s in built], dtype=np.float64).reshape(-1, 2)
        footprints = {n: b.footprints[s] for n, s in enumerate(built) if s in b.footprints}
        return _Snapshot(
            ([g.ids[s] for s in live], [g.codes[s] for s in live], geoms),
            ([b.ids[s] for s in built], [b.grid_ids[s] for s in built], xy, footprints),
            self.margin,
            self.snap,
            self.cell_m,
        )

    def resolve(self, x: float, y: float, boundary_m: float) -> Resolution | Outside:
        # The hot path: attribute reads, float arithmetic and scalar GEOS calls, nothing else.
        layout, grids = self.layout, self.grids
        fx, fy = (x - layout.x0) / layout.size, (y - layout.y0) / layout.size
        inside_layout = 0.0 <= fx < layout.nx and 0.0 <= fy < layout.ny
        cell = int(fy) * layout.nx + int(fx) if inside_layout else -1
        if boundary_m <= self.margin:
            cands, reach = grids.candidates(cell), self.margin
        else:
            cands, reach = self._within(x, y, boundary_m), boundary_m
        geoms, box = grids.geoms, grids.box
        for s in cands:  # the likeliest grid first (see CellLists)
            k = 7 * s
            if math.hypot(x - box[k], y - box[k + 1]) + boundary_m < box[k + 2]:
                # Inside the grid's clear disk: inside it and far from every edge; no GEOS.
                return self._resolution(cell, x, y, s, -1, 0.0)
            if covers_xy(geoms[s], x, y):
                winner = s
                break
        else:
            return self._uncovered(cell, x, y, cands, reach, boundary_m)
        return self._near_edge(cell, x, y, point(x, y), winner, cands, boundary_m)

    def _uncovered(
        self, cell: int, x: float, y: float, cands: list[int], reach: float, boundary_m: float
    ) -> Resolution | Outside:
        """No grid covers the point exactly; one within ON_EDGE_M still does (rounding)."""
        grids = self.grids
        pt = point(x, y)
        near = [(distance(grids.geoms[s], pt), grids.codes[s], s) for s in cands]
        touching = [t for t in near if t[0] <= ON_EDGE_M]
        if not touching:
            return self._outside(pt, near, reach)
        return self._near_edge(cell, x, y, pt, min(touching)[2], cands, boundary_m)

    def _near_edge(
        self,
        cell: int,
        x: float,
        y: float,
        pt: BaseGeometry,
        winner: int,
        cands: list[int],
        limit: float,
    ) -> Resolution:
        """The nearest other grid within limit of a point in winner (found by measuring to
        the boundaries of the grids whose boxes come that close: grids do not overlap, so a
        point outside a grid is as far from it as from its boundary). Grids within ON_EDGE_M
        of the point cover it too, and the lowest code among them wins."""
        grids = self.grids
        codes, box, edges = grids.codes, grids.box, grids.edges
        on_edge = [winner]
        best: tuple[float, str, int] | None = None
        for o in cands:
            k = 7 * o
            if o == winner or (
                box[k + 3] - x > limit
                or x - box[k + 5] > limit
                or box[k + 4] - y > limit
                or y - box[k + 6] > limit
            ):
                continue
            d = distance(edges[o], pt)
            if d <= ON_EDGE_M:
                on_edge.append(o)
            elif d <= limit and (best is None or (d, codes[o]) < best[:2]):
                best = (d, codes[o], o)
        if len(on_edge) > 1:
            on_edge.sort(key=codes.__getitem__)
            return self._resolution(cell, x, y, on_edge[0], on_edge[1], 0.0)
        if best is None:
            return self._resolution(cell, x, y, winner, -1, 0.0)
        return self._resolution(cell, x, y, winner, best[2], best[0])

    def _resolution(
        self, cell: int, x: float, y: float, winner: int, neighbour: int, gap: float
    ) -> Resolution:
        grids = self.grids
        grid_id = grids.ids[winner]
        warning = None
        if neighbour >= 0:
            warning = BoundaryWarning(grids.ids[neighbour], grids.codes[neighbour], gap)
        return Resolution(
            grid_id, grids.codes[winner], self._building(cell, x, y, grid_id), warning
        )

    def _building(self, cell: int, x: float, y: float, grid_id: str) -> str | None:
        table = self.buildings
        cands = table.candidates(cell)
        if not cands:
            return None
        best: tuple[float, str] | None = None
        xs, ys, owners = table.xs, table.ys, table.grid_ids
        for s in cands:
            if owners[s] != grid_id:
                continue
            bx = xs[s]
            if bx == bx:  # a point (NaN marks a footprint)
                d = math.hypot(bx - x, ys[s] - y)
            elif covers_xy(table.footprints[s], x, y):
                d = 0.0
            else:
                d = distance(table.footprints[s], point(x, y))
            if d <= self.snap and (best is None or (d, table.ids[s]) < best):
                best = (d, table.ids[s])
        return None if best is None else best[1]

    def _outside(
        self, pt: BaseGeometry, near: list[tuple[float, str, int]], reach: float
    ) -> Outside:
        best = min(near, default=None)
        if best is None or best[0] > reach:
            # Only grids within reach are listed near this point: search everything.
            best = self._nearest(pt)
        d, code, slot = best
        return Outside(self.grids.ids[slot], code, d)

    def _nearest(self, pt: BaseGeometry) -> tuple[float, str, int]:
        grids = self.grids
        found: list[tuple[float, str, int]] = []
        if grids.base:
            slots, dists = self.tree().query_nearest(pt, return_distance=True, all_matches=True)
            hits = [(float(d), grids.codes[s], int(s)) for s, d in zip(slots, dists, strict=True)]
            live = [h for h in hits if h[2] not in grids.dead]
            if not live and hits:  # the nearest were removed since the last rebuild
                base = [s for s in range(grids.base) if s not in grids.dead]
                dist = shapely.distance(np.asarray([grids.geoms[s] for s in base]), pt)
                live = [(float(d), grids.codes[s], s) for s, d in zip(base, dist, strict=True)]
            found += live
        for s in range(grids.base, len(grids.geoms)):
            if s not in grids.dead:
                found.append((distance(grids.geoms[s], pt), grids.codes[s], s))
        return min(found)

    def _within(self, x: float, y: float, distance: float) -> list[int]:
        """Live grids within distance of (x, y) in code order, for a boundary_m wider than the
        cell margin."""
        grids = self.grids
        slots: list[int] = []
        if grids.base:
            slots = self.tree().query(point(x, y), predicate="dwithin", distance=distance).tolist()
        slots += range(grids.base, len(grids.geoms))
        return sorted((s for s in slots if s not in grids.dead), key=grids.codes.__getitem__)

    def tree(self) -> shapely.STRtree:
        if self._tree is None:
            self._tree = shapely.STRtree(self.grids.geoms[: self.grids.base])
        return self._tree


class GridIndex:
    """Point -> grid (and building) for one district; see the module docstring for the rules."""

    def __init__(
        self,
        grids: Iterable[IndexedGrid],
        buildings: Iterable[IndexedBuilding] = (),
        *,
        boundary_margin_m: float = DEFAULT_BOUNDARY_M,
        building_snap_m: float = DEFAULT_SNAP_M,
        cell_m: float | None = None,
    ) -> None:
        """boundary_margin_m: the widest boundary_m answered from the cell lists (a wider one
        falls back to an STRtree); cell_m: cell side, by default half a typical grid's width."""
        margin = _metres(boundary_margin_m, "boundary_margin_m")
        snap = _metres(building_snap_m, "building_snap_m")
        cell = None if cell_m is None else _metres(cell_m, "cell_m")
        self._lock = threading.Lock()
        with collector_paused():
            grid_by_id = {g.unit_id: g for g in grids}  # a repeated id: the last one wins
            building_rows = _last_per_id(list(buildings))
            polygons = _polygons(list(grid_by_id.values()))
            order = spatial_order(shapely.bounds(polygons) if len(polygons) else np.empty((0, 4)))
            grid_rows = list(grid_by_id.values())
            grid_rows, polygons = [grid_rows[k] for k in order.tolist()], polygons[order]
            # Fixed for the index's life and centred on the grids it starts with, so a shape
            # projected for an update and one projected at a rebuild always agree.
            self._projection: LocalProjection | None = None
            if len(polygons):
                self._projection = LocalProjection.for_bounds(shapely.total_bounds(polygons))
            self._snapshot = _Snapshot(
                (
                    [g.unit_id for g in grid_rows],
                    [g.code for g in grid_rows],
                    self._metres(polygons),
                ),
                self._building_columns(building_rows),
                margin,
                snap,
                cell,
            )

    def __len__(self) -> int:
        return len(self._snapshot.grids.slot_of)

    def resolve(
        self, lon: float, lat: float, *, boundary_m: float = DEFAULT_BOUNDARY_M
    ) -> Resolution | Outside:
        if not (-180.0 <= lon <= 180.0):
            raise InvalidInput("longitude must be a number in [-180, 180]", field="lon")
        if not (-90.0 <= lat <= 90.0):
            raise InvalidInput("latitude must be a number in [-90, 90]", field="lat")
        if not (0.0 <= boundary_m < math.inf):
            raise InvalidInput("boundary_m must be a non-negative number", field="boundary_m")
        snapshot = self._snapshot
        if snapshot.stale:
            snapshot = self._compact(snapshot)
        p = self._projection
        if p is None or not snapshot.grids.slot_of:
            raise GridIndexEmpty("no grids are indexed for this district")
        return snapshot.resolve((lon - p.lon0) * p.kx, (lat - p.lat0) * p.ky, boundary_m)

    def upsert_grid(self, grid: IndexedGrid) -> None:
        polygons = _polygons([grid])
        with self._lock:
            if self._projection is None:  # the first grid of an index built empty
                self._projection = LocalProjection.for_bounds(shapely.total_bounds(polygons))
            self._snapshot.grids.put(grid.unit_id, grid.code, self._metres(polygons)[0])

    def remove_grid(self, unit_id: str) -> bool:
        """False when the grid was not indexed (a redelivered removal is harmless)."""
        with self._lock:
            return self._snapshot.grids.drop(unit_id)

    def upsert_building(self, building: IndexedBuilding) -> None:
        geometry = _shapes([building])[0]
        with self._lock:
            if self._projection is None:
                self._projection = LocalProjection.for_bounds(geometry.bounds)
            geom = self._projection.to_metres(geometry)
            self._snapshot.buildings.put(building.unit_id, building.grid_id, geom)

    def remove_building(self, unit_id: str) -> bool:
        with self._lock:
            return self._snapshot.buildings.drop(unit_id)

    def rebuild(self) -> None:
        """Fold every update into fresh cell lists. Lookups do this by themselves once the
        updates since the last rebuild exceed 64 plus an eighth of the index."""
        with self._lock, collector_paused():
            self._snapshot = self._snapshot.rebuilt()

    def memory_bytes(self) -> int:
        """An estimate of the memory the index holds: GEOS geometries (measured per vertex and
        per ring), prepared-geometry indexes, ids and codes, coordinates and the cell arrays."""
        snapshot = self._snapshot
        return snapshot.grids.memory_bytes() + snapshot.buildings.memory_bytes()

    def _compact(self, seen: _Snapshot) -> _Snapshot:
        with self._lock, collector_paused():
            if self._snapshot is seen:  # else another thread has just done it
                self._snapshot = seen.rebuilt()
            return self._snapshot

    def _metres(self, geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
        if self._projection is None or not len(geoms):
            return geoms
        return self._projection.to_metres(geoms)

    def _building_columns(
        self, buildings: list[IndexedBuilding]
    ) -> tuple[list[str], list[str], npt.NDArray[np.float64], dict[int, BaseGeometry]]:
        geoms = _shapes(buildings)
        xy = np.full((len(buildings), 2), math.nan)
        footprints: dict[int, BaseGeometry] = {}
        if len(buildings):
            if self._projection is None:
                self._projection = LocalProjection.for_bounds(shapely.total_bounds(geoms))
            points = shapely.get_type_id(geoms) == 0
            # Points become two floats each, never shapely objects: see BuildingTable.
            xy[points] = self._projection.forward(shapely.get_coordinates(geoms[points]))
            others = np.flatnonzero(~points)
            footprints = dict(zip(others.tolist(), self._metres(geoms[others]), strict=True))
        bounds = np.concatenate([xy, xy], axis=1)
        for slot, geom in footprints.items():
            bounds[slot] = shapely.bounds(geom)
        order = spatial_order(bounds)
        position = np.empty_like(order)
        position[order] = np.arange(len(order))
        footprints = {int(position[slot]): geom for slot, geom in footprints.items()}
        ids = np.asarray([b.unit_id for b in buildings], dtype=object)[order].tolist()
        grid_ids = np.asarray([b.grid_id for b in buildings], dtype=object)[order].tolist()
        return ids, grid_ids, xy[order], footprints


def _last_per_id(buildings: list[IndexedBuilding]) -> list[IndexedBuilding]:
    """A repeated unit id: the last one wins (as for upserts). The common case costs a set."""
    if len({b.unit_id for b in buildings}) == len(buildings):
        return buildings
    return list({b.unit_id: b for b in buildings}.values())


def _copy(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return coords


def _polygons(grids: list[IndexedGrid]) -> npt.NDArray[np.object_]:
    geoms = np.empty(len(grids), dtype=object)
    geoms[:] = [g.polygon for g in grids]
    if len(grids):
        bad = ~np.isin(shapely.get_type_id(geoms), (3, 6)) | shapely.is_empty(geoms)
        if bad.any():
            code = grids[int(np.flatnonzero(bad)[0])].code
            raise InvalidInput(f"grid {code} needs a Polygon or MultiPolygon", field="polygon")
    return geoms


def _shapes(buildings: list[IndexedBuilding]) -> npt.NDArray[np.object_]:
    geoms = np.empty(len(buildings), dtype=object)
    geoms[:] = [b.geometry for b in buildings]
    if len(buildings):
        bad = ~np.isin(shapely.get_type_id(geoms), (0, 3, 6)) | shapely.is_empty(geoms)
        if bad.any():
            unit_id = buildings[int(np.flatnonzero(bad)[0])].unit_id
            raise InvalidInput(
                f"building {unit_id} needs a Point or a footprint polygon", field="geometry"
            )
    return geoms


def _metres(value: float, name: str) -> float:
    if not (0.0 <= value < math.inf):
        raise InvalidInput(f"{name} must be a non-negative number of metres", field=name)
    return float(value)
