"""One generation of the grid index and the lookup algorithm (see spatial_index for the rules).

A snapshot owns a cell layout and two tables (grids, buildings), all in metres. GridIndex keeps
one, applies updates to it through the tables' overflow lists, and swaps in a fresh one from
rebuilt() when those have grown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.domain.cell_buckets import CellLayout, spatial_order
from civicgrid_grid.domain.fast_geometry import covers_xy, distance, point
from civicgrid_grid.domain.index_store import BuildingTable, GridTable
from civicgrid_grid.domain.resolution import ON_EDGE_M, BoundaryWarning, Outside, Resolution

GridColumns = tuple[list[str], list[str], npt.NDArray[np.object_]]
BuildingColumns = tuple[list[str], list[str], npt.NDArray[np.float64], dict[int, BaseGeometry]]


class Snapshot:
    """One generation of the index: a cell layout and the two tables, all in metres."""

    def __init__(
        self,
        grids: GridColumns,
        buildings: BuildingColumns,
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

    def rebuilt(self) -> Snapshot:
        """A fresh snapshot of the live shapes: the overflow folded into the cell lists."""
        g, b = self.grids, self.buildings
        live, built = g.live(), b.live()
        geoms = np.empty(len(live), dtype=object)
        geoms[:] = [g.geoms[s] for s in live]
        # Fresh copies in Z-order: the old shapes are scattered by the updates.
        order = spatial_order(shapely.bounds(geoms)).tolist()
        live, geoms = [live[k] for k in order], shapely.transform(geoms[order], _copy)
        xy = np.array([(b.xs[s], b.ys[s]) for s in built], dtype=np.float64).reshape(-1, 2)
        boxes = np.concatenate([xy, xy], axis=1)
        for n, s in enumerate(built):
            if s in b.footprints:
                boxes[n] = shapely.bounds(b.footprints[s])
        ranked = spatial_order(boxes).tolist()
        built, xy = [built[k] for k in ranked], xy[ranked]
        footprints = {n: b.footprints[s] for n, s in enumerate(built) if s in b.footprints}
        return Snapshot(
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
        cands: Sequence[int]
        if boundary_m > self.margin:
            cands, reach = self._within(x, y, boundary_m), boundary_m
        elif cell >= 0 and not grids.patched:
            lists = grids.lists
            cands, reach = lists.rows[lists.starts[cell] : lists.starts[cell + 1]], self.margin
        else:
            cands, reach = grids.candidates(cell), self.margin
        geoms, box = grids.geoms, grids.box
        for s in cands:  # the likeliest grid first (see CellLists)
            k = 7 * s
            if math.hypot(x - box[k], y - box[k + 1]) + boundary_m < box[k + 2]:
                # Inside the grid's clear disk: inside it and far from every edge; no GEOS.
                return self._answer(cell, x, y, s)
            if covers_xy(geoms[s], x, y):
                return self._near_edge(cell, x, y, None, s, cands, boundary_m)
        return self._uncovered(cell, x, y, cands, reach, boundary_m)

    def _uncovered(
        self, cell: int, x: float, y: float, cands: Sequence[int], reach: float, limit: float
    ) -> Resolution | Outside:
        """No grid covers the point exactly; one within ON_EDGE_M still does (rounding)."""
        grids = self.grids
        pt = point(x, y)
        near = [(distance(grids.geoms[s], pt), grids.codes[s], s) for s in cands]
        touching = [t for t in near if t[0] <= ON_EDGE_M]
        if not touching:
            return self._outside(pt, near, reach)
        return self._near_edge(cell, x, y, pt, min(touching)[2], cands, limit)

    def _near_edge(
        self,
        cell: int,
        x: float,
        y: float,
        pt: BaseGeometry | None,
        winner: int,
        cands: Sequence[int],
        limit: float,
    ) -> Resolution:
        """The nearest other grid within limit of a point in winner (found by measuring to
        the boundaries of the grids whose boxes come that close: grids do not overlap, so a
        point outside a grid is as far from it as from its boundary). Grids within ON_EDGE_M
        of the point cover it too, and the lowest code among them wins."""
        grids = self.grids
        codes, box, edges = grids.codes, grids.box, grids.edges
        on_edge = [winner]
        best, best_code, nearest = limit, "", -1
        for o in cands:
            k = 7 * o
            if o == winner or (
                box[k + 3] - x > limit
                or x - box[k + 5] > limit
                or box[k + 4] - y > limit
                or y - box[k + 6] > limit
            ):
                continue
            if pt is None:  # made only once a neighbour is close enough to measure
                pt = point(x, y)
            d = distance(edges[o], pt)
            if d <= ON_EDGE_M:
                on_edge.append(o)
            elif d < best or (d == best and (nearest < 0 or codes[o] < best_code)):
                best, best_code, nearest = d, codes[o], o
        if len(on_edge) > 1:
            on_edge.sort(key=codes.__getitem__)
            return self._answer(cell, x, y, on_edge[0], on_edge[1], 0.0)
        return self._answer(cell, x, y, winner, nearest, best)

    def _answer(
        self, cell: int, x: float, y: float, winner: int, neighbour: int = -1, gap: float = 0.0
    ) -> Resolution:
        grids, table = self.grids, self.buildings
        grid_id = grids.ids[winner]
        building = None
        if cell >= 0 and not table.patched:
            lists = table.lists
            lo, hi = lists.starts[cell], lists.starts[cell + 1]
            if lo != hi:
                building = self._building(lists.rows[lo:hi], x, y, grid_id)
        else:
            building = self._building(table.candidates(cell), x, y, grid_id)
        if neighbour < 0:
            return Resolution(grid_id, grids.codes[winner], building, None)
        warning = BoundaryWarning(grids.ids[neighbour], grids.codes[neighbour], gap)
        return Resolution(grid_id, grids.codes[winner], building, warning)

    def _building(self, cands: Iterable[int], x: float, y: float, grid_id: str) -> str | None:
        table = self.buildings
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


def _copy(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return coords
