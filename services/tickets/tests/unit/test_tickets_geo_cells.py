"""Reports are found by neighbourhood through cells: every point within the radius lies in one
of the cells searched, whatever the latitude or the side of a cell edge."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from civicgrid_tickets.domain.geo import EARTH_RADIUS_M, cell_of, cells_around, haversine_m

lats = st.floats(min_value=-80, max_value=80, allow_nan=False)
lons = st.floats(min_value=-179.9, max_value=179.9, allow_nan=False)


@given(lats, lons, st.floats(0, 2 * math.pi), st.floats(0, 100))
def test_every_point_within_the_radius_is_in_a_searched_cell(
    lat: float, lon: float, bearing: float, metres: float
) -> None:
    dlat = math.degrees(metres * math.cos(bearing) / EARTH_RADIUS_M)
    dlon = math.degrees(metres * math.sin(bearing) / EARTH_RADIUS_M) / math.cos(math.radians(lat))
    other = (lat + dlat, lon + dlon)
    assert haversine_m(lat, lon, *other) <= 100.5
    assert cell_of(*other) in cells_around(lat, lon, 100)


def test_cells_are_about_a_hundred_metres_and_a_search_is_a_dozen() -> None:
    assert len(cells_around(36.65, 117.0, 100)) <= 12
    assert cell_of(36.6504, 117.0004) == cell_of(36.6509, 117.0009)
    assert cell_of(36.6504, 117.0004) != cell_of(36.6511, 117.0004)


def test_cells_on_either_side_of_zero_differ() -> None:
    assert cell_of(0.0001, 0.0001) != cell_of(-0.0001, 0.0001)
    assert cell_of(0.0001, 0.0001) != cell_of(0.0001, -0.0001)
