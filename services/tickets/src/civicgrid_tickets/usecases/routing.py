"""Where a report lands: its grid and the chain above it, from tickets' own copy of the map
(the grid registry may be down), and the department for categories that departments handle."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from uuid import UUID

import numpy as np
import shapely

from civicgrid_tickets.db.intake_repo import Box
from civicgrid_tickets.db.map_repo import GridShape, MapDepartment
from civicgrid_tickets.domain.geo import EARTH_RADIUS_M, degrees_around


@dataclass(frozen=True, slots=True)
class Placement:
    grid_id: UUID | None
    ancestor_ids: list[UUID]  # nearest first, ending with the district
    chain: dict[str, UUID] = field(default_factory=dict)  # kind -> unit id, the grid included
    neighbour_grid_id: UUID | None = None
    neighbour_distance_m: float | None = None
    resolved_by: str = "none"  # local | registry | alert (the grid an alert named) | none


UNPLACED = Placement(None, [])


def _metres(geometry: shapely.Geometry, lat: float, lon: float) -> shapely.Geometry:
    """Around (lat, lon) in metres: close enough for a 30 m boundary warning."""
    kx = math.radians(1) * EARTH_RADIUS_M * math.cos(math.radians(lat))
    ky = math.radians(1) * EARTH_RADIUS_M
    origin = np.array([lon, lat])
    return shapely.transform(geometry, lambda c: (c - origin) * np.array([kx, ky]))


def grid_search_box(lat: float, lon: float, boundary_m: float) -> Box:
    """(x1, y1, x2, y2) in degrees: where the grids a point lies in or near (within
    boundary_m) have their bounding boxes."""
    dlat, dlon = degrees_around(lat, boundary_m * 1.5)
    return (lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def place(near: list[GridShape], lat: float, lon: float, boundary_m: float) -> Placement:
    """The grid that covers the point (the lowest code when two do), its chain of units, and
    the nearest other grid within boundary_m, of the grids whose boxes are near the point."""
    if not near:
        return UNPLACED
    shapes = [_metres(g, lat, lon) for g in shapely.from_wkb([n.geometry_wkb for n in near])]
    here = shapely.Point(0.0, 0.0)
    inside = sorted((n.code, n.id) for n, s in zip(near, shapes, strict=True) if s.covers(here))
    if not inside:
        return UNPLACED
    grid_id = inside[0][1]
    others = sorted(
        (s.distance(here), n.code, n.id)
        for n, s in zip(near, shapes, strict=True)
        if n.id != grid_id and s.distance(here) <= boundary_m
    )
    grid = next(n for n in near if n.id == grid_id)
    ancestors = grid.ancestor_ids
    chain = {"grid": grid_id} | grid.chain
    neighbour = others[0] if others else None
    return Placement(
        grid_id,
        list(ancestors),
        chain,
        neighbour[2] if neighbour else None,
        round(neighbour[0], 1) if neighbour else None,
        "local",
    )


def choose_department(
    departments: list[MapDepartment], units_nearest_first: list[UUID]
) -> MapDepartment | None:
    """The department whose jurisdiction is nearest the report; tenant-wide ones last."""
    rank = {unit: n for n, unit in enumerate(units_nearest_first)}
    best: tuple[int, str, MapDepartment] | None = None
    for d in departments:
        if d.jurisdiction_unit_ids:
            reach = min((rank[u] for u in d.jurisdiction_unit_ids if u in rank), default=None)
            if reach is None:
                continue
        else:
            reach = len(units_nearest_first)
        if best is None or (reach, d.name) < best[:2]:
            best = (reach, d.name, d)
    return best[2] if best else None
