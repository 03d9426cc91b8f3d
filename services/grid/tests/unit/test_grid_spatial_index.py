"""Point -> grid resolution on a hand-made map whose distances are known to the metre.

Map, in metres (each square 100 m):      y=200 +-----+-----+
                                               |  C  |  D  |      +-----------+
                                         y=100 +-----+-----+      |  H  +--+  |
                                               |  A  |  B  |      |     |  |  |  (hole 350-450)
                                         y=0   +-----+-----+      +-----------+
                                              x=0   100   200    300         500
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.domain.spatial_index import (
    BoundaryWarning,
    GridIndex,
    GridIndexEmpty,
    IndexedBuilding,
    IndexedGrid,
    Outside,
    Resolution,
)
from civicgrid_platform.errors import InvalidInput

HOLE = shapely.box(350, 50, 450, 150)
SQUARES = {
    "A": ("370102001001001", shapely.box(0, 0, 100, 100)),
    "B": ("370102001001002", shapely.box(100, 0, 200, 100)),
    "C": ("370102001001003", shapely.box(0, 100, 100, 200)),
    "D": ("370102001001004", shapely.box(100, 100, 200, 200)),
    "H": (
        "370102001001005",
        shapely.Polygon(shapely.box(300, 0, 500, 200).exterior.coords, [HOLE.exterior.coords]),
    ),
}


@pytest.fixture
def at(geo: SimpleNamespace):
    """(x, y) in metres -> (lon, lat)."""
    return lambda x, y: geo.origin.lonlat(x, y)


@pytest.fixture
def grids(geo: SimpleNamespace) -> list[IndexedGrid]:
    return [IndexedGrid(f"id-{k}", code, geo.lonlat(p)) for k, (code, p) in SQUARES.items()]


@pytest.fixture
def index(grids: list[IndexedGrid]) -> GridIndex:
    return GridIndex(grids)


def resolved(found: Resolution | Outside) -> Resolution:
    assert isinstance(found, Resolution), found
    return found


def test_an_interior_point_resolves_with_no_warning(index: GridIndex, at) -> None:
    assert index.resolve(*at(50, 50)) == Resolution("id-A", SQUARES["A"][0], None, None)
    assert resolved(index.resolve(*at(150, 150))).grid_id == "id-D"


def test_a_point_on_a_shared_edge_goes_to_the_lowest_code_and_warns(index: GridIndex, at) -> None:
    found = resolved(index.resolve(*at(100, 40)))
    assert found.grid_id == "id-A"
    assert found.boundary == BoundaryWarning("id-B", SQUARES["B"][0], 0.0)
    # Same edge, seen from the other pair of grids.
    assert resolved(index.resolve(*at(150, 100))).grid_id == "id-B"


def test_a_vertex_shared_by_four_grids_goes_to_the_lowest_code(index: GridIndex, at) -> None:
    found = resolved(index.resolve(*at(100, 100)))
    assert (found.grid_id, found.boundary) == (
        "id-A",
        BoundaryWarning("id-B", SQUARES["B"][0], 0.0),
    )


def test_the_answer_does_not_depend_on_the_order_grids_arrive(grids, at) -> None:
    for order in (grids, grids[::-1], grids[2:] + grids[:2]):
        index = GridIndex(order)
        assert resolved(index.resolve(*at(100, 100))).grid_id == "id-A"
        assert resolved(index.resolve(*at(100, 150))).grid_id == "id-C"


@pytest.mark.parametrize(("distance", "warned"), [(0.5, True), (29.5, True), (31.0, False)])
def test_the_boundary_warning_is_measured_in_metres(index: GridIndex, at, distance, warned):
    # Eastward (longitude) and northward (latitude): a degree is 89 km one way, 111 km the other.
    east = resolved(index.resolve(*at(100 - distance, 50)))
    north = resolved(index.resolve(*at(50, 100 - distance)))
    assert east.grid_id == north.grid_id == "id-A"
    if not warned:
        assert east.boundary is None and north.boundary is None
        return
    assert east.boundary is not None and north.boundary is not None
    assert east.boundary.neighbour_grid_id == "id-B" and north.boundary.neighbour_grid_id == "id-C"
    assert east.boundary.distance_m == pytest.approx(distance, abs=0.01)
    assert north.boundary.distance_m == pytest.approx(distance, abs=0.01)


def test_the_warning_names_the_nearest_neighbour(index: GridIndex, at) -> None:
    found = resolved(index.resolve(*at(90, 80)))  # 10 m from B, 20 m from C, 22 m from D
    assert found.boundary == BoundaryWarning("id-B", SQUARES["B"][0], pytest.approx(10, abs=0.01))
    assert resolved(index.resolve(*at(90, 80), boundary_m=5)).boundary is None


def test_a_wider_boundary_than_the_cell_margin_is_still_answered(grids, at) -> None:
    index = GridIndex(grids, boundary_margin_m=10)
    found = resolved(index.resolve(*at(50, 45), boundary_m=60))  # B 50 m, C 55 m away
    assert found.boundary == BoundaryWarning("id-B", SQUARES["B"][0], pytest.approx(50, abs=0.01))
    assert resolved(index.resolve(*at(50, 45), boundary_m=40)).boundary is None


def test_the_district_edge_has_no_neighbour_to_warn_about(index: GridIndex, at) -> None:
    assert resolved(index.resolve(*at(50, 2))).boundary is None
    assert resolved(index.resolve(*at(0, 50))).grid_id == "id-A"  # on the outer edge: inside


def test_a_point_in_a_hole_is_not_in_the_grid(index: GridIndex, at) -> None:
    found = index.resolve(*at(400, 110))
    assert found == Outside("id-H", SQUARES["H"][0], pytest.approx(40, abs=0.01))
    assert resolved(index.resolve(*at(400, 20))).grid_id == "id-H"
    on_hole_edge = resolved(index.resolve(*at(400, 50)))
    assert on_hole_edge.grid_id == "id-H" and on_hole_edge.boundary is None


def test_an_enclave_filling_the_hole_takes_the_point(grids, geo, at) -> None:
    enclave = IndexedGrid("id-E", "370102001001006", geo.lonlat(HOLE))
    index = GridIndex([*grids, enclave])
    found = resolved(index.resolve(*at(400, 140)))
    assert found.grid_id == "id-E"
    assert found.boundary == BoundaryWarning("id-H", SQUARES["H"][0], pytest.approx(10, abs=0.01))


def test_outside_every_grid_names_the_nearest_and_how_far(index: GridIndex, at) -> None:
    assert index.resolve(*at(240, 50)) == Outside("id-B", SQUARES["B"][0], pytest.approx(40, 1e-3))
    far = index.resolve(*at(-2000, -1000))
    assert far == Outside("id-A", SQUARES["A"][0], pytest.approx(5**0.5 * 1000, abs=0.1))
    # 40 m from the corner B and D share: a tie, so the lower code.
    assert index.resolve(*at(240, 100)).nearest_grid_id == "id-B"


def test_buildings_are_found_in_the_resolved_grid_only(grids, geo, at) -> None:
    buildings = [
        IndexedBuilding("b-1", "id-A", geo.lonlat(shapely.Point(40, 40))),
        IndexedBuilding("b-2", "id-A", geo.lonlat(shapely.box(60, 60, 80, 80))),
        IndexedBuilding("b-3", "id-B", geo.lonlat(shapely.Point(105, 40))),
    ]
    index = GridIndex(grids, buildings, building_snap_m=20)
    assert resolved(index.resolve(*at(45, 45))).building_id == "b-1"  # 7 m from its point
    assert resolved(index.resolve(*at(70, 70))).building_id == "b-2"  # in its footprint
    assert resolved(index.resolve(*at(85, 70))).building_id == "b-2"  # 5 m from it
    # b-3 is 7 m away but in grid B: the point is in A, and so is its nearest building b-1.
    assert resolved(index.resolve(*at(98, 40))).building_id is None
    assert resolved(index.resolve(*at(30, 30))).building_id == "b-1"  # 14 m
    assert resolved(index.resolve(*at(20, 20))).building_id is None  # 28 m: beyond the snap
    assert resolved(index.resolve(*at(5, 95))).building_id is None


def test_updates_apply_at_once(index: GridIndex, geo: SimpleNamespace, at) -> None:
    index.upsert_grid(
        IndexedGrid("id-F", "370102001001007", geo.lonlat(shapely.box(200, 0, 300, 100)))
    )
    assert resolved(index.resolve(*at(250, 50))).grid_id == "id-F"
    assert len(index) == 6
    # Moving a grid: the old shape stops answering, the new one starts.
    index.upsert_grid(
        IndexedGrid("id-F", "370102001001007", geo.lonlat(shapely.box(0, 200, 100, 300)))
    )
    assert index.resolve(*at(250, 50)).nearest_grid_id in {"id-B", "id-H"}
    assert resolved(index.resolve(*at(50, 250))).grid_id == "id-F"
    assert index.remove_grid("id-A") and not index.remove_grid("id-A")
    assert index.resolve(*at(50, 50)) == Outside("id-B", SQUARES["B"][0], pytest.approx(50, 1e-3))
    assert len(index) == 5
    index.upsert_building(IndexedBuilding("b-9", "id-D", geo.lonlat(shapely.Point(150, 150))))
    assert resolved(index.resolve(*at(150, 155))).building_id == "b-9"
    assert index.remove_building("b-9") and not index.remove_building("b-9")
    assert resolved(index.resolve(*at(150, 155))).building_id is None


def test_many_updates_fold_into_a_rebuild_without_changing_answers(geo, at) -> None:
    index = GridIndex([])
    with pytest.raises(GridIndexEmpty):
        index.resolve(*at(0, 0))
    rows = [
        (f"g{i}-{j}", f"370102001001{i * 20 + j + 1:03d}", i, j)
        for i in range(20)
        for j in range(20)
    ]
    for unit_id, code, i, j in rows:  # 400 upserts: several compactions along the way
        index.upsert_grid(
            IndexedGrid(
                unit_id, code, geo.lonlat(shapely.box(i * 50, j * 50, i * 50 + 50, j * 50 + 50))
            )
        )
        assert resolved(index.resolve(*at(i * 50 + 25, j * 50 + 25))).grid_id == unit_id
    removed = {row[0] for row in rows[::3]}
    for unit_id in removed:
        index.remove_grid(unit_id)
    assert index.needs_rebuild  # 134 removals: the next lookup would compact
    for unit_id, _, i, j in rows:
        found = index.resolve(*at(i * 50 + 25, j * 50 + 25))
        assert isinstance(found, Outside) == (unit_id in removed)
    index.rebuild()
    assert not index.needs_rebuild
    assert len(index) == 400 - len(rows[::3])
    assert resolved(index.resolve(*at(75, 25))).grid_id == "g1-0"


def test_memory_is_estimated_from_what_the_index_holds(grids, geo) -> None:
    small = GridIndex(grids[:1]).memory_bytes()
    large = GridIndex(grids).memory_bytes()
    assert 1_000 < small < large < 1_000_000


@pytest.mark.parametrize(
    ("lon", "lat", "boundary_m", "field"),
    [
        (181.0, 36.6, 30.0, "lon"),
        (117.0, float("nan"), 30.0, "lat"),
        (117.0, 36.6, -1.0, "boundary_m"),
    ],
)
def test_nonsense_input_is_refused_naming_the_field(index, lon, lat, boundary_m, field) -> None:
    with pytest.raises(InvalidInput) as caught:
        index.resolve(lon, lat, boundary_m=boundary_m)
    assert caught.value.field == field


def test_a_grid_must_be_a_polygon(geo) -> None:
    point: BaseGeometry = geo.lonlat(shapely.Point(0, 0))
    with pytest.raises(InvalidInput, match="370102001001009 needs a Polygon"):
        GridIndex([IndexedGrid("x", "370102001001009", point)])


def test_a_grid_in_two_parts_answers_for_both_and_survives_a_rebuild(grids, geo, at) -> None:
    parts = shapely.MultiPolygon([shapely.box(600, 0, 700, 100), shapely.box(800, 0, 900, 100)])
    island = IndexedGrid("id-M", "370102001001008", geo.lonlat(parts))
    footprint = IndexedBuilding("b-m", "id-M", geo.lonlat(shapely.box(820, 20, 840, 40)))
    index = GridIndex([*grids, island], [footprint])
    assert resolved(index.resolve(*at(650, 50))).grid_id == "id-M"
    assert resolved(index.resolve(*at(830, 30))).building_id == "b-m"
    assert index.resolve(*at(750, 50)) == Outside(
        "id-M", "370102001001008", pytest.approx(50, abs=0.01)
    )
    index.rebuild()
    assert resolved(index.resolve(*at(830, 30))) == Resolution(
        "id-M", "370102001001008", "b-m", None
    )
