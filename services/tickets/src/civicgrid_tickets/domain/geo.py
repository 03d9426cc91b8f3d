"""Distances on the ground for intake: duplicate radius, bounding boxes around a point."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def degrees_around(lat: float, metres: float) -> tuple[float, float]:
    """(dlat, dlon) spanning at least `metres` around latitude `lat`."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return dlat, dlon


def valid_point(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (math.isnan(lat) or math.isnan(lon))


# Reports are found by neighbourhood through square cells of CELL_DEGREES a side (about 110 m by
# 90 m here): a btree on (district, category, cell) answers "recent reports near this point"
# with a few exact lookups. The database computes a report's cell with the same arithmetic
# (tickets.location_cell, migration 0008): keep the two in step.
CELL_DEGREES = 0.001
CELL_SQL = "(floor(lat * 1000)::bigint + 90000) * 400000 + (floor(lon * 1000)::bigint + 180000)"


def cell_of(lat: float, lon: float) -> int:
    return (math.floor(lat * 1000) + 90000) * 400000 + (math.floor(lon * 1000) + 180000)


def cells_around(lat: float, lon: float, metres: float) -> list[int]:
    """Every cell that meets the box of `metres` around the point."""
    dlat, dlon = degrees_around(lat, metres)
    rows = range(math.floor((lat - dlat) * 1000), math.floor((lat + dlat) * 1000) + 1)
    columns = range(math.floor((lon - dlon) * 1000), math.floor((lon + dlon) * 1000) + 1)
    return [(r + 90000) * 400000 + (c + 180000) for r in rows for c in columns]
