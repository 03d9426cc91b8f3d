"""Metres, not degrees: the local projection is accurate where the registry uses it."""

from __future__ import annotations

import math

import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from civicgrid_grid.domain.projection import LocalProjection, metres_per_degree


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.asin(math.sqrt(a))


def test_a_degree_at_jinan_is_89_km_east_and_111_km_north() -> None:
    per_lon, per_lat = metres_per_degree(36.65)
    assert per_lon == pytest.approx(89_418, abs=5)
    assert per_lat == pytest.approx(110_971, abs=5)


@given(
    st.floats(min_value=-5_000, max_value=5_000),
    st.floats(min_value=-5_000, max_value=5_000),
    st.floats(min_value=0, max_value=2 * math.pi),
)
def test_thirty_metres_are_thirty_metres_anywhere_in_a_district(
    x: float, y: float, bearing: float
) -> None:
    proj = LocalProjection.around(117.0, 36.65)
    a = proj.lonlat(x, y)
    b = proj.lonlat(x + 30 * math.cos(bearing), y + 30 * math.sin(bearing))
    # The sphere differs from the ellipsoid by up to 0.5 %; the error budget is 1 m in 30.
    assert haversine_m(*a, *b) == pytest.approx(30, abs=0.2)


def test_shapes_go_to_metres_and_back_unchanged() -> None:
    proj = LocalProjection.around(117.0, 36.65)
    square = shapely.box(116.99, 36.64, 117.01, 36.66)
    metres = proj.to_metres(square)
    assert metres.area == pytest.approx(0.02 * 89_418 * 0.02 * 110_971, rel=1e-3)
    assert proj.to_lonlat(metres).equals_exact(square, 1e-12)
    assert proj.xy(117.01, 36.66) == tuple(shapely.get_coordinates(metres).max(axis=0))
