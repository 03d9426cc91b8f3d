"""GeoJSON geometry objects to shapely in bulk, and shapely back to GeoJSON exactly.

A 100k-grid import spends most of its time turning coordinate lists into geometries, and
shapely.geometry.shape costs tens of microseconds per feature. The reader checks each object's
structure as it arrives (so a defect is named with its feature) but builds all points, all
polygons and all multipolygons with one vectorised call each. Z values are dropped: the
registry is planar.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely import GeometryType
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

Coords = npt.NDArray[np.float64]
GEOJSON_TYPES = frozenset(
    {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    }
)


class GeometryReader:
    """add() each feature's geometry object, then build() them all at once."""

    def __init__(self) -> None:
        self._point_slots: list[int] = []
        self._point_xy: list[tuple[float, float]] = []
        self._polygon_slots: list[int] = []
        self._polygons: list[list[Coords]] = []
        self._multi_slots: list[int] = []
        self._multis: list[list[list[Coords]]] = []
        self._other: dict[int, BaseGeometry] = {}

    def add(self, slot: int, obj: Any) -> str | None:
        """Queue obj (a GeoJSON geometry object) for slot; the reason it is malformed, if it is."""
        if type(obj) is dict and obj.get("type") == "Point":  # the most common, fast
            coords = obj.get("coordinates")
            if type(coords) is list and len(coords) == 2:
                x, y = coords
                if type(x) is float and type(y) is float and math.isfinite(x + y):
                    self._point_slots.append(slot)
                    self._point_xy.append((x, y))
                    return None
        if not isinstance(obj, Mapping):
            return "geometry must be a GeoJSON geometry object or null"
        kind = obj.get("type")
        if kind not in GEOJSON_TYPES:
            return f"unknown geometry type {kind!r}"
        if kind == "GeometryCollection":
            return self._add_other(slot, obj)
        coords = obj.get("coordinates")
        if kind == "Point":
            xy = _position(coords)
            if isinstance(xy, str):
                return xy
            self._point_slots.append(slot)
            self._point_xy.append(xy)
            return None
        if kind == "Polygon":
            rings = _polygon(coords)
            if isinstance(rings, str):
                return rings
            self._polygon_slots.append(slot)
            self._polygons.append(rings)
            return None
        if kind == "MultiPolygon":
            if not isinstance(coords, Sequence) or isinstance(coords, str) or not coords:
                return "MultiPolygon coordinates must be a non-empty list of polygons"
            parts: list[list[Coords]] = []
            for n, part in enumerate(coords):
                rings = _polygon(part)
                if isinstance(rings, str):
                    return f"polygon {n}: {rings}"
                parts.append(rings)
            self._multi_slots.append(slot)
            self._multis.append(parts)
            return None
        return self._add_other(slot, obj)

    def build(self, size: int) -> list[BaseGeometry | None]:
        """Geometries by slot (None where nothing was added)."""
        out: list[BaseGeometry | None] = [None] * size
        if self._point_xy:
            points = shapely.points(np.array(self._point_xy, dtype=np.float64))
            for slot, geometry in zip(self._point_slots, points, strict=True):
                out[slot] = geometry
        if self._polygons:
            built = _polygons(self._polygons)
            for slot, geometry in zip(self._polygon_slots, built, strict=True):
                out[slot] = geometry
        if self._multis:
            built = _multipolygons(self._multis)
            for slot, geometry in zip(self._multi_slots, built, strict=True):
                out[slot] = geometry
        for slot, geometry in self._other.items():
            out[slot] = geometry
        return out

    def _add_other(self, slot: int, obj: Mapping[str, Any]) -> str | None:
        # Never a valid unit geometry; built only so the checks can name its type.
        try:
            self._other[slot] = shapely.force_2d(shape(obj))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, GEOSException) as exc:
            return f"malformed {obj.get('type')} geometry: {exc}"
        return None


def _position(coords: Any) -> tuple[float, float] | str:
    if (
        not isinstance(coords, Sequence)
        or isinstance(coords, str)
        or len(coords) not in (2, 3)
        or not all(_is_number(v) for v in coords)
    ):
        return "a position must be [longitude, latitude] numbers"
    x, y = float(coords[0]), float(coords[1])
    if not (math.isfinite(x) and math.isfinite(y)):
        return "a position must be finite numbers"
    return x, y


def _polygon(coords: Any) -> list[Coords] | str:
    if not isinstance(coords, Sequence) or isinstance(coords, str) or not coords:
        return "Polygon coordinates must be a non-empty list of linear rings"
    rings: list[Coords] = []
    for n, ring in enumerate(coords):
        which = "exterior ring" if n == 0 else f"interior ring {n}"
        try:
            arr = np.array(ring)
        except (ValueError, TypeError):
            return f"{which}: positions must all be [longitude, latitude] numbers"
        if arr.dtype.kind not in "iuf" or arr.ndim != 2 or arr.shape[1] not in (2, 3):
            return f"{which}: positions must all be [longitude, latitude] numbers"
        if arr.shape[0] < 4:
            return f"{which} has {arr.shape[0]} positions; a linear ring needs at least 4"
        xy = arr[:, :2].astype(np.float64)
        if not np.isfinite(xy).all():
            return f"{which}: positions must be finite numbers"
        if xy[0, 0] != xy[-1, 0] or xy[0, 1] != xy[-1, 1]:
            return f"{which} is not closed: its first and last positions differ"
        rings.append(xy)
    return rings


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _polygons(polygons: list[list[Coords]]) -> npt.NDArray[np.object_]:
    rings = [ring for polygon in polygons for ring in polygon]
    offsets = (_offsets([len(r) for r in rings]), _offsets([len(p) for p in polygons]))
    return shapely.from_ragged_array(GeometryType.POLYGON, np.concatenate(rings), offsets)


def _multipolygons(multis: list[list[list[Coords]]]) -> npt.NDArray[np.object_]:
    polygons = [polygon for multi in multis for polygon in multi]
    rings = [ring for polygon in polygons for ring in polygon]
    offsets = (
        _offsets([len(r) for r in rings]),
        _offsets([len(p) for p in polygons]),
        _offsets([len(m) for m in multis]),
    )
    return shapely.from_ragged_array(GeometryType.MULTIPOLYGON, np.concatenate(rings), offsets)


def _offsets(sizes: list[int]) -> npt.NDArray[np.int64]:
    out = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out


def to_geojson_geometry(geometry: BaseGeometry | None) -> dict[str, Any] | None:
    """A GeoJSON geometry object with the exact float coordinates (no rounding), lists only."""
    if geometry is None:
        return None
    kind = geometry.geom_type
    if kind == "Point":
        return {"type": "Point", "coordinates": [geometry.x, geometry.y]}
    if kind == "Polygon":
        return {"type": "Polygon", "coordinates": _rings(geometry)}
    if kind == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [_rings(p) for p in geometry.geoms]}
    return _listify(shapely.geometry.mapping(geometry))


def _rings(polygon: BaseGeometry) -> list[list[list[float]]]:
    holes = shapely.get_num_interior_rings(polygon)
    if not holes:
        return [shapely.get_coordinates(polygon).tolist()]
    rings = [shapely.get_exterior_ring(polygon)]
    rings += [shapely.get_interior_ring(polygon, n) for n in range(holes)]
    return [shapely.get_coordinates(r).tolist() for r in rings]


def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _listify(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_listify(v) for v in value]
    return value
