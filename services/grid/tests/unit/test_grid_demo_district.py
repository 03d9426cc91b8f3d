"""The demo district: a believable, valid district whose grids tile its communities exactly."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pytest
import shapely

from civicgrid_grid.demo_data import DEMO_CATEGORIES, demo_departments, generate_district
from civicgrid_grid.domain.geojson_import import (
    parse_feature_collection,
    to_feature_collection,
    validate_district,
)
from civicgrid_grid.domain.projection import LocalProjection
from civicgrid_grid.domain.units import UnitKind, UnitSpec


@cache
def district_doc() -> dict[str, Any]:
    return generate_district(grids=200, seed=11)


@cache
def district_specs() -> tuple[UnitSpec, ...]:
    return tuple(parse_feature_collection(district_doc()))


def of_kind(kind: UnitKind) -> list[UnitSpec]:
    return [s for s in district_specs() if s.kind is kind]


def test_the_demo_district_validates_clean() -> None:
    assert validate_district(district_specs()) == []


def test_it_has_the_shape_of_a_real_district() -> None:
    counts = Counter(s.kind for s in district_specs())
    assert counts[UnitKind.DISTRICT] == 1
    assert counts[UnitKind.GRID] == 200
    assert 1 <= counts[UnitKind.STREET] <= counts[UnitKind.COMMUNITY] <= 10
    assert counts[UnitKind.BUILDING] >= 2 * 200 and counts[UnitKind.UNIT] > 0
    assert counts[UnitKind.HOUSEHOLD] > 0 and counts[UnitKind.COMPOUND] > 0
    assert all(re.fullmatch(r"370102\d{9}", g.code) for g in of_kind(UnitKind.GRID))
    assert all(s.name.endswith("街道") for s in of_kind(UnitKind.STREET))
    assert all(s.name.endswith("社区") for s in of_kind(UnitKind.COMMUNITY))
    assert len({s.name for s in of_kind(UnitKind.COMMUNITY)}) == counts[UnitKind.COMMUNITY]
    assert all(s.address for s in of_kind(UnitKind.BUILDING) + of_kind(UnitKind.UNIT))
    assert all("party_branch" in s.attributes for s in of_kind(UnitKind.COMPOUND))
    assert any("party_member_centre_household" in s.attributes for s in of_kind(UnitKind.UNIT))


def test_the_default_size_matches_the_seed_city() -> None:
    doc = generate_district()
    counts = Counter(f["properties"]["kind"] for f in doc["features"])
    assert counts["grid"] == 2000
    assert 8 <= counts["street"] <= 15 and 50 <= counts["community"] <= 100
    assert 10_000 <= len(doc["features"]) <= 20_000


def test_grids_tile_each_community_exactly() -> None:
    proj = LocalProjection.around(117.0, 36.65)
    grids = of_kind(UnitKind.GRID)
    for community in of_kind(UnitKind.COMMUNITY):
        mine = [proj.to_metres(g.geometry) for g in grids if g.parent_code == community.code]
        area = proj.to_metres(community.geometry).area
        assert sum(g.area for g in mine) == pytest.approx(area, rel=1e-9)
        union = shapely.union_all(mine)
        assert union.symmetric_difference(proj.to_metres(community.geometry)).area < 1e-3


def test_the_whole_district_is_covered_by_its_grids() -> None:
    proj = LocalProjection.around(117.0, 36.65)
    district = proj.to_metres(of_kind(UnitKind.DISTRICT)[0].geometry)
    grids = proj.to_metres(np.array([g.geometry for g in of_kind(UnitKind.GRID)]))
    assert float(shapely.area(grids).sum()) == pytest.approx(district.area, rel=1e-9)
    assert district.difference(shapely.union_all(grids)).area < 1e-3


def test_it_is_deterministic_for_a_seed_and_varies_with_it() -> None:
    assert generate_district(grids=50, seed=3) == generate_district(grids=50, seed=3)
    assert generate_district(grids=50, seed=3) != generate_district(grids=50, seed=4)


def test_it_exports_and_reads_back_unchanged() -> None:
    specs = list(district_specs())
    assert parse_feature_collection(to_feature_collection(specs)) == specs


def test_departments_cover_the_categories_the_seed_city_escalates() -> None:
    departments = demo_departments()
    handled = {c for d in departments for c in d["categories"]}
    assert handled == set(DEMO_CATEGORIES)
    names = " ".join(d["name"] for d in departments)
    for word in ("交警", "热力", "水务", "城市管理", "物业"):
        assert word in names
    assert all(re.fullmatch(r"[0-9]{6,15}", d["phone"]) for d in departments)
    assert len({d["code"] for d in departments}) == len(departments)


def test_the_map_layer_alone_has_every_grid_and_nothing_below_them() -> None:
    areas = generate_district(grids=200, seed=11, areas_only=True)
    kinds = Counter(f["properties"]["kind"] for f in areas["features"])
    assert set(kinds) == {"district", "street", "community", "grid"}
    assert kinds["grid"] == 200
    assert validate_district(parse_feature_collection(areas)) == []
