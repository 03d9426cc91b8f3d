"""District import: every defect is caught, named with its feature and field, and all of them
are reported together."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import shapely

from civicgrid_grid.domain.geojson_import import (
    ImportProblem,
    ImportRejected,
    import_district,
    parse_feature_collection,
    read_feature_collection,
    to_feature_collection,
    validate_district,
)
from civicgrid_grid.domain.units import UnitKind


def problems_of(geo: SimpleNamespace, features: list, **kw) -> list[ImportProblem]:
    return validate_district(parse_feature_collection(geo.collection(features)), **kw)


def only(problems: list[ImportProblem]) -> ImportProblem:
    assert len(problems) == 1, problems
    return problems[0]


def figure(reason: str, unit: str) -> float:
    """The number before unit in a reason ("by 1000.0 m²" -> 1000.0)."""
    found = re.search(r"([0-9.]+) " + unit, reason)
    assert found, reason
    return float(found.group(1))


def place(geo: SimpleNamespace, reason: str) -> tuple[float, float]:
    """Where a reason says the defect is, back in the test's metres."""
    found = re.search(r"around \(([0-9.-]+), ([0-9.-]+)\)", reason)
    assert found, reason
    return geo.origin.xy(float(found.group(1)), float(found.group(2)))


def test_the_small_district_is_valid_and_reads_as_units(geo: SimpleNamespace) -> None:
    specs = parse_feature_collection(geo.collection(geo.small_district()))
    assert [s.kind for s in specs] == [
        UnitKind.DISTRICT,
        UnitKind.STREET,
        UnitKind.COMMUNITY,
        UnitKind.GRID,
        UnitKind.GRID,
        UnitKind.BUILDING,
        UnitKind.UNIT,
        UnitKind.HOUSEHOLD,
    ]
    assert specs[3].parent_code == geo.community and specs[6].address == "燕山路1号1号楼1单元"
    # Grids A and B share an edge: touching is not overlapping.
    assert validate_district(specs) == []


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"type": "Feature", "geometry": None, "properties": {}},
        {"type": "FeatureCollection", "features": {"not": "a list"}},
        "{not json",
    ],
)
def test_a_document_that_is_not_a_feature_collection_is_refused(doc: object) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_district(doc)
    problem = only(list(caught.value.problems))
    assert problem.feature is None
    assert (
        "FeatureCollection" in problem.reason
        or "JSON" in problem.reason
        or "list" in problem.reason
    )


def test_malformed_features_are_each_named_and_all_reported(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[1]["properties"]["kind"] = "borough"
    del features[3]["properties"]["code"]
    features[4]["properties"]["name"] = "  "
    features[6] = ["not", "a", "feature"]
    features[7]["geometry"] = {"type": "Polygon", "coordinates": [[[117, 36], [117.1, 36]]]}
    with pytest.raises(ImportRejected) as caught:
        parse_feature_collection(geo.collection(features))
    named = {(p.feature, p.field) for p in caught.value.problems}
    assert named == {(1, "kind"), (3, "code"), (4, "name"), (6, "type"), (7, "geometry")}
    reasons = " | ".join(p.reason for p in caught.value.problems)
    assert "unknown kind 'borough'" in reasons and "missing code" in reasons
    assert "missing name" in reasons and "at least 4" in reasons


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
        ({"type": "Polygon", "coordinates": [[["a", "b"], [1, 0], [1, 1], ["a", "b"]]]}, "numbers"),
        ({"type": "Point", "coordinates": [117.0]}, "position"),
        ({"type": "Point", "coordinates": [117.0, float("nan")]}, "finite"),
        ({"type": "Hexagon", "coordinates": []}, "unknown geometry type"),
        ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [0, 0]]]]}, "polygon 0"),
    ],
)
def test_unreadable_coordinates_are_named(geo: SimpleNamespace, geometry: dict, words: str) -> None:
    features = geo.small_district()
    features[5]["geometry"] = geometry
    _, _, problems, _ = read_feature_collection(geo.collection(features))
    problem = only(problems)
    assert (problem.feature, problem.field) == (5, "geometry") and words in problem.reason


def test_a_grid_without_geometry_is_named(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[4]["geometry"] = None
    problems = problems_of(geo, features)
    missing = [p for p in problems if p.feature == 4]
    assert len(missing) == 1 and missing[0].field == "geometry"
    assert "needs a MultiPolygon or Polygon geometry" in missing[0].reason
    # ...and the community it no longer covers is reported as a gap, where the grid was.
    gap = [p for p in problems if p.feature == 2]
    assert len(gap) == 1 and figure(gap[0].reason, "m²") == pytest.approx(10_000, abs=1)
    x, y = place(geo, gap[0].reason)
    assert 100 < x < 200 and 0 < y < 100


def test_geometry_of_the_wrong_type_for_the_kind_is_named(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[6]["geometry"] = features[5]["geometry"]  # a unit with a point
    features[5]["geometry"] = {
        "type": "LineString",
        "coordinates": features[3]["geometry"]["coordinates"][0],
    }
    problems = problems_of(geo, features)
    assert {(p.feature, p.field) for p in problems} == {(5, "geometry"), (6, "geometry")}
    reasons = {p.feature: p.reason for p in problems}
    assert "not a LineString" in reasons[5] and "a unit has no geometry" in reasons[6]


def test_duplicate_codes_name_both_features(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[4]["properties"]["code"] = geo.grid_a
    features[4]["geometry"] = features[3]["geometry"]  # same code, same place: not a gap
    problems = problems_of(geo, features)
    duplicate = [p for p in problems if p.field == "code"]
    assert len(duplicate) == 1 and duplicate[0].feature == 4
    assert "already used by feature 3" in duplicate[0].reason


def test_unknown_parent_and_parent_of_the_wrong_kind_are_named(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[5]["properties"]["parent_code"] = "370102001001009"
    features[5]["properties"]["code"] = "370102001001009-B1"
    features[6]["properties"]["parent_code"] = geo.grid_a  # a unit under a grid
    features[6]["properties"]["code"] = f"{geo.grid_a}-U1"
    features[7]["properties"]["parent_code"] = f"{geo.grid_a}-U1"
    features[7]["properties"]["code"] = f"{geo.grid_a}-U1-H101"
    problems = problems_of(geo, features)
    assert {(p.feature, p.field) for p in problems} == {(5, "parent_code"), (6, "parent_code")}
    reasons = {p.feature: p.reason for p in problems}
    assert "unknown parent code 370102001001009" in reasons[5]
    assert "a unit's parent must be a building" in reasons[6] and "is a grid" in reasons[6]


def test_codes_off_the_scheme_are_named(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[3]["properties"]["code"] = "37010200100100"  # 14 digits
    features[5]["properties"]["parent_code"] = "37010200100100"
    features[5]["properties"]["code"] = f"{geo.grid_b}-B1"  # does not extend its parent
    problems = problems_of(geo, features)
    # (6: the unit's building now has another code, so its parent is unknown.)
    assert {(p.feature, p.field) for p in problems} == {
        (3, "code"),
        (5, "code"),
        (6, "parent_code"),
    }
    reasons = {p.feature: p.reason for p in problems if p.field == "code"}
    assert "15 digits" in reasons[3] and "must be its parent's code" in reasons[5]


def test_a_self_intersecting_grid_quotes_shapely_and_says_where(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    bowtie = shapely.Polygon([(100, 0), (200, 100), (200, 0), (100, 100), (100, 0)])
    features[4] = geo.feature("grid", geo.grid_b, geo.community, bowtie, name="网格")
    problems = problems_of(geo, features)
    invalid = [p for p in problems if p.feature == 4]
    assert len(invalid) == 1 and invalid[0].field == "geometry"
    assert "invalid Polygon: Self-intersection" in invalid[0].reason


def test_a_grid_outside_its_community_is_named_with_how_far(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[4] = geo.feature(
        "grid", geo.grid_b, geo.community, shapely.box(100, 0, 200, 112), name="网格"
    )
    problems = problems_of(geo, features)
    outside = [p for p in problems if p.feature == 4]
    assert len(outside) == 1
    assert f"grid {geo.grid_b} is not inside its community {geo.community}" in outside[0].reason
    assert figure(outside[0].reason, "m outside") == pytest.approx(12, abs=0.05)


def test_poking_out_within_the_tolerance_is_fine(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[4] = geo.feature(
        "grid", geo.grid_b, geo.community, shapely.box(100, 0, 200.3, 100), name="网格"
    )
    assert problems_of(geo, features, tolerance_m=0.5) == []
    assert [p.feature for p in problems_of(geo, features, tolerance_m=0.1)] == [4]


def test_overlapping_grids_are_named_with_area_and_place(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[4] = geo.feature(
        "grid", geo.grid_b, geo.community, shapely.box(90, 0, 200, 100), name="网格"
    )
    problem = only(problems_of(geo, features))
    assert problem.feature == 4 and problem.field == "geometry"
    assert f"grid {geo.grid_b} overlaps grid {geo.grid_a} (feature 3) by" in problem.reason
    assert figure(problem.reason, "m²") == pytest.approx(1000, abs=0.5)
    x, y = place(geo, problem.reason)
    assert 90 < x < 100 and 0 < y < 100


def test_a_hairline_overlap_is_not_an_overlap(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[4] = geo.feature(
        "grid", geo.grid_b, geo.community, shapely.box(99.8, 0, 200, 100), name="网格"
    )
    assert problems_of(geo, features) == []


def test_a_gap_in_the_community_is_reported_where_it_is(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[4] = geo.feature(
        "grid", geo.grid_b, geo.community, shapely.box(120, 0, 200, 100), name="网格"
    )
    problem = only(problems_of(geo, features))
    assert problem.feature == 2 and problem.code == geo.community
    assert "is not covered by its grids: a gap of" in problem.reason
    assert figure(problem.reason, "m²") == pytest.approx(2000, abs=0.5)
    x, y = place(geo, problem.reason)
    assert 100 < x < 120 and 0 < y < 100


def test_a_building_outside_its_grid_is_named(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[5] = geo.feature(
        "building", f"{geo.grid_a}-B1", geo.grid_a, shapely.Point(150, 50), address="x"
    )
    problem = only(problems_of(geo, features))
    assert problem.feature == 5
    assert f"building {geo.grid_a}-B1 is not inside its grid {geo.grid_a}" in problem.reason
    assert figure(problem.reason, "m outside") == pytest.approx(50, abs=0.05)


def test_lat_lon_swapped_is_caught(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    lon, lat = features[5]["geometry"]["coordinates"]
    features[5]["geometry"]["coordinates"] = [lat, lon + 100]  # latitude 217: impossible
    problems = problems_of(geo, features)
    assert [p.feature for p in problems] == [5] and "WGS84" in problems[0].reason


def test_no_district_and_two_districts_are_named(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    problems = problems_of(geo, features[1:2])
    assert [(p.feature, p.reason) for p in problems] == [
        (None, "no feature of kind district: an import needs one"),
        (0, "unknown parent code 370102"),
    ]
    second = geo.feature("district", "370103", None, shapely.box(0, 0, 200, 100), name="市中区")
    problem = only(problems_of(geo, [*features, second]))
    assert problem.feature == 8 and "a second district" in problem.reason


def test_every_defect_of_every_kind_comes_back_at_once(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    features[1]["properties"]["kind"] = "borough"  # unreadable
    features[4] = geo.feature(  # overlaps A; its code is fine
        "grid", geo.grid_b, geo.community, shapely.box(50, 0, 200, 100), name="网格"
    )
    features[5]["properties"]["parent_code"] = "370102001001009"  # unknown parent
    features.append(geo.feature("grid", geo.grid_a, geo.community, None, name="重复"))
    with pytest.raises(ImportRejected) as caught:
        import_district(geo.collection(features))
    found = {(p.feature, p.field) for p in caught.value.problems}
    assert {(1, "kind"), (4, "geometry"), (5, "parent_code"), (8, "code"), (8, "geometry")} <= found
    # The community's street was unreadable: its children are not blamed for that.
    assert not any(p.feature == 2 and p.field == "parent_code" for p in caught.value.problems)
    assert caught.value.detail.startswith("the district import was rejected: ")
    assert [p.feature for p in caught.value.problems] == sorted(
        p.feature for p in caught.value.problems if p.feature is not None
    )


def test_export_reads_back_to_equal_units(geo: SimpleNamespace) -> None:
    features = geo.small_district()
    holed = shapely.Polygon(
        [(100, 0), (200, 0), (200, 100), (100, 100)], [[(140, 40), (160, 40), (160, 60)]]
    )
    features[4] = geo.feature("grid", geo.grid_b, geo.community, holed, name="网格")
    features[5]["properties"]["attributes"] = {"floors": 6, "tags": ["old", "walk-up"]}
    specs = parse_feature_collection(geo.collection(features))
    again = parse_feature_collection(to_feature_collection(specs))
    assert again == specs
    assert again[4].geometry.equals_exact(specs[4].geometry, 0)
