"""Shape storage behind GridIndex: append-only tables of projected shapes, one slot per shape.

The bulk of a table is listed in CellLists built once (the base). Later inserts (change events)
go to per-cell overflow lists and removals to a set of dead slots, so an update costs
microseconds and the next lookup sees it; once the updates outgrow 64 plus an eighth of the base
the table reports itself stale and the owner rebuilds it. Slots are never reused, so a reader
racing a writer sees either the old shape or the new one, never a half-written one.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.domain.cell_buckets import Bounds, CellLayout, CellLists

# Bytes GEOS allocates per geometry, measured with glibc mallinfo2 for shapely 2.2 / GEOS 3.14:
# a polygon ~80 B plus ~150 B per ring plus 24 B per coordinate; a line ~150 B per part plus
# 24 B per coordinate; preparing and querying a polygon ~200 B more (more for big ones: this
# undercounts the index of a 500-vertex outline). A shapely wrapper ~40 B.
GEOS_PER_COORD = 24
GEOS_PER_RING = 150
GEOS_POLYGON = 80
GEOS_PREPARED = 200
STALE_AFTER = 64  # updates, plus an eighth of the base
PREPARE_ABOVE = 64  # vertices


def geometry_bytes(geoms: Sequence[BaseGeometry]) -> int:
    """An estimate of what GEOS and the Python wrappers hold for polygons or lines."""
    if not len(geoms):
        return 0
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    kinds = shapely.get_type_id(arr)
    polygons = np.isin(kinds, (3, 6))
    rings = np.where(kinds == 3, shapely.get_num_interior_rings(arr) + 1, 0)
    rings += np.where(kinds != 3, shapely.get_num_geometries(arr), 0)
    total = int(shapely.get_num_coordinates(arr).sum()) * GEOS_PER_COORD
    total += int(rings.sum()) * GEOS_PER_RING + int(polygons.sum()) * GEOS_POLYGON
    total += int(shapely.is_prepared(arr).sum()) * GEOS_PREPARED
    return total + (sys.getsizeof(geoms[0]) + 8) * len(geoms)


def prepare_large(geoms: Any) -> None:
    """Prepare (index) the polygons with many vertices. A typical grid has a dozen: testing
    those directly touches less memory than GEOS's prepared locator and measured ~10% faster
    over 100k grids, while a 500-vertex outline gains from the index."""
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    if len(arr):
        shapely.prepare(arr[shapely.get_num_coordinates(arr) > PREPARE_ABOVE])


def strings_bytes(*columns: list[str], seen: set[int] | None = None) -> int:
    """List slots plus each distinct string object once (ids are often shared: a building's
    grid id is its grid's id string, a grid's id may be its code)."""
    seen = set() if seen is None else seen
    total = 0
    for column in columns:
        total += sys.getsizeof(column)
        for value in column:
            if id(value) not in seen:
                seen.add(id(value))
                total += sys.getsizeof(value)
    return total


class _Slots:
    """Slot bookkeeping shared by both tables: ids, the cell lists, overflow and dead slots."""

    def __init__(self, layout: CellLayout, margin: float) -> None:
        self.layout = layout
        self.margin = margin  # how far beyond its bounding box a shape is listed
        self.ids: list[str] = []
        self.slot_of: dict[str, int] = {}
        self.dead: set[int] = set()
        self.base = 0
        self.lists = CellLists.build(layout, np.empty((0, 4)), margin)
        self.extra_cells: dict[int, list[int]] = {}
        self.extra_far: list[int] = []  # overflow slots not wholly inside the layout
        self.stale = False  # time to rebuild
        self.patched = False  # has overflow or dead slots: the cell lists alone are not enough

    def _index(
        self, ids: list[str], bounds: Bounds, centres: npt.NDArray[np.float64] | None = None
    ) -> None:
        self.ids = ids
        self.slot_of = dict(zip(ids, range(len(ids)), strict=True))
        self.base = len(ids)
        self.lists = CellLists.build(self.layout, bounds, self.margin, centres)

    def _add(self, unit_id: str, bounds: Bounds) -> int:
        """Register the slot just appended; the caller has already stored its payload."""
        slot = len(self.ids)
        self.ids.append(unit_id)
        _, cells = self.layout.cells_touching(bounds, self.margin)
        for cell in cells.tolist():
            self.extra_cells.setdefault(cell, []).append(slot)
        if not self.layout.covers_box(bounds, self.margin)[0]:
            self.extra_far.append(slot)
        old = self.slot_of.get(unit_id)
        self.slot_of[unit_id] = slot  # the new shape is live before the old one dies
        if old is not None:
            self.dead.add(old)
        self._touch()
        return slot

    def drop(self, unit_id: str) -> bool:
        slot = self.slot_of.pop(unit_id, None)
        if slot is None:
            return False
        self.dead.add(slot)
        self._touch()
        return True

    def _touch(self) -> None:
        pending = len(self.ids) - self.base + len(self.dead)
        self.stale = pending > STALE_AFTER + self.base // 8
        self.patched = pending > 0

    def live(self) -> list[int]:
        return sorted(self.slot_of.values())

    def candidates(self, cell: int) -> list[int]:
        """Live slots that may lie within margin of a point in cell (-1: outside the layout)."""
        if cell >= 0:
            found = self.lists.rows[self.lists.starts[cell] : self.lists.starts[cell + 1]].tolist()
            if self.extra_cells and cell in self.extra_cells:
                found += self.extra_cells[cell]
        else:
            found = list(self.extra_far)
        if self.dead:
            return [s for s in found if s not in self.dead]
        return found

    def _bookkeeping_bytes(self) -> int:
        index = self.lists.nbytes() + sys.getsizeof(self.slot_of) + sys.getsizeof(self.dead)
        return index + sum(64 + 8 * len(v) for v in self.extra_cells.values())


class GridTable(_Slots):
    """Grids: code, polygon, its boundary (for distances to it from outside), clear disk and
    bounding box. Each cell lists first the grid whose centre is nearest, so the first
    point-in-polygon test usually succeeds."""

    def load(self, ids: list[str], codes: list[str], geoms: npt.NDArray[np.object_]) -> None:
        """geoms: fresh shapes in spatial order (see spatial_order), which this table owns."""
        prepare_large(geoms)
        self.codes, self.geoms = codes, list(geoms)
        edges = shapely.boundary(geoms)
        self.edges = list(edges)
        bounds = shapely.bounds(geoms) if len(geoms) else np.empty((0, 4))
        cx, cy, cr = _clear_disks(geoms, edges)
        # One row of seven floats per grid, one cache line: centre and radius of its clear
        # disk, then its bounding box.
        self.box = array("d", np.column_stack([cx, cy, cr, bounds]).ravel())
        self._index(ids, bounds, np.column_stack([cx, cy]))
        self.base_bytes = self._geometry_bytes(0, self.base)

    def put(self, unit_id: str, code: str, geom: BaseGeometry) -> None:
        prepare_large([geom])
        bounds = shapely.bounds(geom)
        edge = shapely.boundary(geom)
        self.codes.append(code)
        self.geoms.append(geom)
        self.edges.append(edge)
        cx, cy, cr = _clear_disks(np.asarray([geom]), np.asarray([edge]))
        self.box.extend([float(cx[0]), float(cy[0]), float(cr[0]), *map(float, bounds)])
        self._add(unit_id, np.asarray([bounds]))

    def memory_bytes(self, seen: set[int]) -> int:
        """seen: ids of string objects already counted (shared with the other table)."""
        total = self.base_bytes + self._geometry_bytes(self.base, len(self.ids))
        total += strings_bytes(self.ids, self.codes, seen=seen) + self.box.itemsize * len(self.box)
        return total + 2 * 8 * len(self.ids) + self._bookkeeping_bytes()  # geoms, edges lists

    def _geometry_bytes(self, start: int, stop: int) -> int:
        if start >= stop:
            return 0
        return geometry_bytes(self.geoms[start:stop]) + geometry_bytes(self.edges[start:stop])


def _clear_disks(geoms: Any, edges: Any) -> tuple[npt.NDArray[np.float64], ...]:
    """Per polygon, a centre and the distance from it to the boundary (0 if it lies outside).

    A point inside the polygon within d of the centre is at least (radius - d) from the
    boundary (distance is 1-Lipschitz), so most lookups in a grid's middle learn they are far
    from every edge with one hypot() instead of a GEOS distance call.
    """
    if not len(geoms):
        return np.empty(0), np.empty(0), np.empty(0)
    centres = shapely.centroid(geoms)
    # (For a prepared polygon this also builds its point locator now, in memory order.)
    inside = shapely.intersects(geoms, centres)
    radius = np.where(inside, shapely.distance(centres, edges), 0.0)
    xy = shapely.get_coordinates(centres)
    return xy[:, 0], xy[:, 1], radius


class BuildingTable(_Slots):
    """Buildings: owning grid id and either a point (two floats, no shapely object: a district
    has hundreds of thousands) or a footprint polygon."""

    def load(
        self,
        ids: list[str],
        grid_ids: list[str],
        xy: npt.NDArray[np.float64],
        footprints: dict[int, BaseGeometry],
    ) -> None:
        """xy: (n, 2) metres, NaN where the building is a footprint (given in footprints)."""
        self.grid_ids = grid_ids
        self.xs, self.ys = array("d", xy[:, 0]), array("d", xy[:, 1])
        self.footprints = footprints
        prepare_large(list(footprints.values()))
        bounds = np.concatenate([xy, xy], axis=1)
        for slot, geom in footprints.items():
            bounds[slot] = shapely.bounds(geom)
        self._index(ids, bounds)

    def put(self, unit_id: str, grid_id: str, geom: BaseGeometry) -> None:
        slot = len(self.ids)
        self.grid_ids.append(grid_id)
        if geom.geom_type == "Point":
            self.xs.append(geom.x)
            self.ys.append(geom.y)
        else:
            prepare_large([geom])
            self.footprints[slot] = geom
            self.xs.append(math.nan)
            self.ys.append(math.nan)
        self._add(unit_id, np.asarray([shapely.bounds(geom)]))

    def memory_bytes(self, seen: set[int]) -> int:
        total = strings_bytes(self.ids, self.grid_ids, seen=seen) + 16 * len(self.ids)
        total += geometry_bytes(list(self.footprints.values())) + sys.getsizeof(self.footprints)
        return total + self._bookkeeping_bytes()
