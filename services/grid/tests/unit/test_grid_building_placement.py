"""Each building is indexed under the grid it stands in."""

from __future__ import annotations

from shapely.geometry import Point, box

from civicgrid_grid.domain.building_placement import place_buildings
from civicgrid_grid.domain.resolution import IndexedGrid

WEST = IndexedGrid("g-west", "370102001001002", box(0, 0, 1, 1))
EAST = IndexedGrid("g-east", "370102001001001", box(1, 0, 2, 1))


def _placed(*buildings: tuple[str, str | None, object]) -> dict[str, str]:
    found = place_buildings([WEST, EAST], buildings)  # type: ignore[arg-type]
    return {b.unit_id: b.grid_id for b in found}


def test_a_building_under_a_grid_stays_with_it_even_when_drawn_off_it() -> None:
    assert _placed(("b1", "g-west", Point(1.5, 0.5))) == {"b1": "g-west"}


def test_a_building_in_a_compound_goes_to_the_grid_it_stands_in() -> None:
    assert _placed(("b2", "compound-1", Point(1.5, 0.5))) == {"b2": "g-east"}


def test_on_a_shared_edge_the_lowest_code_wins_and_outside_every_grid_is_left_out() -> None:
    placed = _placed(("edge", "compound-1", Point(1.0, 0.5)), ("far", None, Point(9, 9)))
    assert placed == {"edge": "g-east"}
