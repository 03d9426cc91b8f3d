"""What a lookup in the grid index takes and gives: the shapes it indexes and its answers.

See spatial_index for the rules the answers follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry

from civicgrid_platform.errors import NotFound

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
    """grid_id: the unit id of the grid the building stands in. For a building in a compound
    that is not its parent (the compound): resolve the building's point to find it."""

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
