"""Properties of point -> grid resolution on a generated district, checked against brute force.

Brute force: every grid's polygon in metres, shapely distances to all of them. The index must
agree with it everywhere: inside, on edges, near edges, after any sequence of updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace

import numpy as np
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.demo_data import generate_district
from civicgrid_grid.domain.geojson_import import parse_feature_collection
from civicgrid_grid.domain.projection import LocalProjection
from civicgrid_grid.domain.spatial_index import (
    ON_EDGE_M,
    GridIndex,
    IndexedGrid,
    Outside,
    Resolution,
)
from civicgrid_grid.domain.units import UnitKind

BOUNDARY_M = 30.0
unit = st.floats(min_value=0.0, max_value=1.0)


@cache
def world() -> SimpleNamespace:
    specs = parse_feature_collection(generate_district(grids=60, seed=5))
    grids = [s for s in specs if s.kind is UnitKind.GRID]
    district = next(s.geometry for s in specs if s.kind is UnitKind.DISTRICT)
    lonlat = np.array([g.geometry for g in grids])
    # The projection GridIndex picks (centred on its grids), so metres agree to the last bit.
    proj = LocalProjection.for_bounds(shapely.total_bounds(lonlat))
    metres = proj.to_metres(lonlat)
    return SimpleNamespace(
        codes=[g.code for g in grids],
        lonlat=lonlat,
        metres=metres,
        cores=shapely.buffer(metres, -0.5),  # strictly inside, half a metre from every edge
        district=proj.to_metres(district),
        proj=proj,
        index=GridIndex([IndexedGrid(g.code, g.code, g.geometry) for g in grids]),
    )


def lerp(box: tuple[float, float, float, float], u: float, v: float) -> BaseGeometry:
    xmin, ymin, xmax, ymax = box
    return shapely.Point(xmin + u * (xmax - xmin), ymin + v * (ymax - ymin))


@dataclass(frozen=True)
class Expected:
    outside: bool
    grid: str  # the resolved grid, or the nearest one when outside
    distance: float  # to the neighbour (inside) or to the nearest grid (outside)
    neighbour: str | None = None


def brute_force(w: SimpleNamespace, p: BaseGeometry, live: list[int]) -> Expected:
    """What the rules say, computed the slow way over the live grids."""
    codes = [w.codes[k] for k in live]
    d = shapely.distance(w.metres[live], p).tolist()
    assume(not any(abs(x - BOUNDARY_M) < 1e-6 for x in d))  # no knife-edge at exactly 30 m
    covering = sorted(code for x, code in zip(d, codes, strict=True) if x <= ON_EDGE_M)
    if not covering:
        gap, nearest = min(zip(d, codes, strict=True))
        return Expected(True, nearest, gap)
    winner = covering[0]
    others = sorted(
        (0.0 if x <= ON_EDGE_M else x, code)
        for x, code in zip(d, codes, strict=True)
        if code != winner
    )
    if others and others[0][0] <= BOUNDARY_M:
        return Expected(False, winner, others[0][0], others[0][1])
    return Expected(False, winner, 0.0)


def same(found: Resolution | Outside, expected: Expected) -> None:
    if expected.outside:
        assert isinstance(found, Outside), (found, expected)
        assert found.nearest_grid_id == expected.grid
        assert abs(found.distance_m - expected.distance) < 1e-6
        return
    assert isinstance(found, Resolution), (found, expected)
    assert found.grid_id == expected.grid
    if expected.neighbour is None:
        assert found.boundary is None, (found, expected)
    else:
        assert found.boundary is not None, (found, expected)
        assert found.boundary.neighbour_grid_id == expected.neighbour
        assert abs(found.boundary.distance_m - expected.distance) < 1e-6


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=59), unit, unit)
def test_a_point_strictly_inside_a_grid_resolves_to_it(k: int, u: float, v: float) -> None:
    w = world()
    p = lerp(w.cores[k].bounds, u, v)
    assume(w.cores[k].contains(p))
    found = w.index.resolve(*w.proj.lonlat(p.x, p.y))
    assert isinstance(found, Resolution) and found.grid_id == w.codes[k]


@settings(max_examples=300, deadline=None)
@given(unit, unit)
def test_any_point_of_the_district_resolves_as_brute_force_says(u: float, v: float) -> None:
    w = world()
    p = lerp(w.district.bounds, u, v)
    assume(w.district.covers(p))
    found = w.index.resolve(*w.proj.lonlat(p.x, p.y))
    same(found, brute_force(w, p, list(range(60))))


@settings(max_examples=200, deadline=None)
@given(unit)
def test_points_on_grid_vertices_resolve_to_the_lowest_code_with_a_warning(u: float) -> None:
    w = world()
    vertices = shapely.get_coordinates(w.lonlat)
    lon, lat = vertices[int(u * (len(vertices) - 1))]
    x, y = w.proj.xy(lon, lat)
    expected = brute_force(w, shapely.Point(x, y), list(range(60)))
    found = w.index.resolve(lon, lat)
    same(found, expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.booleans(), st.integers(min_value=0, max_value=59)), max_size=80),
    st.lists(st.tuples(unit, unit), min_size=5, max_size=5),
)
def test_updates_leave_the_index_agreeing_with_brute_force(
    ops: list[tuple[bool, int]], points: list[tuple[float, float]]
) -> None:
    w = world()
    grids = [IndexedGrid(c, c, g) for c, g in zip(w.codes, w.lonlat, strict=True)]
    index = GridIndex(grids)
    live = set(range(60))
    for add, k in ops:
        if add:
            index.upsert_grid(grids[k])
            live.add(k)
        else:
            index.remove_grid(grids[k].unit_id)
            live.discard(k)
    assert len(index) == len(live)
    for u, v in points:
        p = lerp(w.district.bounds, u, v)
        if not live:
            continue
        same(index.resolve(*w.proj.lonlat(p.x, p.y)), brute_force(w, p, sorted(live)))
