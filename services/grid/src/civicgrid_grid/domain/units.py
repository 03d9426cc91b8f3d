"""The units of a district's hierarchy, what may sit under what, and what shape each one has.

A district is cut into streets, streets into communities, communities into grids (and, beside
the grids, residential compounds); buildings sit in a grid or a compound, units (stairwells)
in a building, households in a unit or directly in a building. The areal units carry polygons
because routing a report means finding the polygon a point falls in; buildings carry a point or
a footprint; units and households carry only address text, their place is their building's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from shapely.geometry.base import BaseGeometry


class UnitKind(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    COMPOUND = "compound"
    GRID = "grid"
    BUILDING = "building"
    UNIT = "unit"
    HOUSEHOLD = "household"


ALLOWED_PARENT: dict[UnitKind, frozenset[UnitKind]] = {
    UnitKind.DISTRICT: frozenset(),
    UnitKind.STREET: frozenset({UnitKind.DISTRICT}),
    UnitKind.COMMUNITY: frozenset({UnitKind.STREET}),
    UnitKind.COMPOUND: frozenset({UnitKind.COMMUNITY}),
    UnitKind.GRID: frozenset({UnitKind.COMMUNITY}),
    UnitKind.BUILDING: frozenset({UnitKind.GRID, UnitKind.COMPOUND}),
    UnitKind.UNIT: frozenset({UnitKind.BUILDING}),
    UnitKind.HOUSEHOLD: frozenset({UnitKind.UNIT, UnitKind.BUILDING}),
}

AREAL = frozenset({"Polygon", "MultiPolygon"})

# Shapely geometry type names each kind accepts; an empty set means the kind has no geometry.
GEOMETRY_TYPES: dict[UnitKind, frozenset[str]] = {
    UnitKind.DISTRICT: AREAL,
    UnitKind.STREET: AREAL,
    UnitKind.COMMUNITY: AREAL,
    UnitKind.COMPOUND: AREAL,
    UnitKind.GRID: AREAL,
    UnitKind.BUILDING: AREAL | {"Point"},
    UnitKind.UNIT: frozenset(),
    UnitKind.HOUSEHOLD: frozenset(),
}

# Kinds whose areas must not overlap one another: the tiers that partition the district, so a
# point belongs to exactly one street, one community and one grid.
PARTITION_KINDS = (UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID)


def needs_geometry(kind: UnitKind) -> bool:
    return bool(GEOMETRY_TYPES[kind])


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """One unit as an import or an edit describes it, before it has an id.

    geometry is WGS84 lon/lat (GeoJSON axis order) or None for units and households.
    """

    code: str
    kind: UnitKind
    parent_code: str | None
    name: str
    geometry: BaseGeometry | None
    address: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
