"""Which grid each building stands in, for the index (what the index build and its benchmark
both need)."""

from __future__ import annotations

from collections.abc import Sequence

import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.domain.resolution import IndexedBuilding, IndexedGrid


def place_buildings(
    grids: Sequence[IndexedGrid], buildings: Sequence[tuple[str, str | None, BaseGeometry]]
) -> list[IndexedBuilding]:
    """buildings: (unit id, parent id, geometry). A building whose parent is a grid stands in
    it; one in a compound (whose parent is the compound) stands in the grid that covers a point
    on its surface, the lowest code on a tie. A building no grid covers is left out."""
    grid_ids = {g.unit_id for g in grids}
    placed, loose = [], []
    for unit_id, parent_id, geometry in buildings:
        if parent_id in grid_ids:
            placed.append(IndexedBuilding(unit_id, parent_id, geometry))
        else:
            loose.append((unit_id, geometry))
    if not loose or not grids:
        return placed
    tree = shapely.STRtree([g.polygon for g in grids])
    spots = shapely.point_on_surface([geometry for _, geometry in loose])
    which, where = tree.query(spots, predicate="intersects")
    owner: dict[int, IndexedGrid] = {}
    for building, grid in zip(which.tolist(), where.tolist(), strict=True):
        if building not in owner or grids[grid].code < owner[building].code:
            owner[building] = grids[grid]
    for n, (unit_id, geometry) in enumerate(loose):
        if n in owner:
            placed.append(IndexedBuilding(unit_id, owner[n].unit_id, geometry))
    return placed
