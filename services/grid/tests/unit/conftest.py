"""Builders for small, hand-made districts whose geometry is known to the metre.

Shapes are drawn in metres around a fixed origin and converted to lon/lat with the registry's
own LocalProjection, so a test can say "31 m from the edge" and mean it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from civicgrid_grid.domain.geojson_geometry import to_geojson_geometry
from civicgrid_grid.domain.projection import LocalProjection

ORIGIN = LocalProjection.around(117.0, 36.65)

DISTRICT, STREET, COMMUNITY = "370102", "370102001", "370102001001"
GRID_A, GRID_B = "370102001001001", "370102001001002"

Feature = dict[str, Any]


def lonlat(geom: BaseGeometry) -> BaseGeometry:
    return ORIGIN.to_lonlat(geom)


def feature(
    kind: str,
    code: str | None,
    parent: str | None,
    geom: BaseGeometry | None,
    *,
    name: str | None = "名称",
    **props: Any,
) -> Feature:
    """A Feature; geom is in metres around ORIGIN."""
    properties: dict[str, Any] = {"kind": kind, "code": code, "parent_code": parent, "name": name}
    properties.update(props)
    geometry = None if geom is None else to_geojson_geometry(lonlat(geom))
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def small_district() -> list[Feature]:
    """A 200 m x 100 m district: one street, one community, two 100 m grids side by side, a
    building in grid A with a unit and a household. Valid as it stands."""
    whole = shapely.box(0, 0, 200, 100)
    return [
        feature("district", DISTRICT, None, whole, name="历下区"),
        feature("street", STREET, DISTRICT, whole, name="解放路街道"),
        feature("community", COMMUNITY, STREET, whole, name="燕山社区"),
        feature("grid", GRID_A, COMMUNITY, shapely.box(0, 0, 100, 100), name="燕山第1网格"),
        feature("grid", GRID_B, COMMUNITY, shapely.box(100, 0, 200, 100), name="燕山第2网格"),
        feature(
            "building", f"{GRID_A}-B1", GRID_A, shapely.Point(50, 50), address="燕山路1号1号楼"
        ),
        feature("unit", f"{GRID_A}-B1-U1", f"{GRID_A}-B1", None, address="燕山路1号1号楼1单元"),
        feature("household", f"{GRID_A}-B1-U1-H101", f"{GRID_A}-B1-U1", None, address="101室"),
    ]


def collection(features: list[Feature]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


@pytest.fixture
def geo() -> SimpleNamespace:
    """The builders above, for test modules (which cannot import conftest by name)."""
    return SimpleNamespace(
        origin=ORIGIN,
        lonlat=lonlat,
        feature=feature,
        small_district=small_district,
        collection=collection,
        district=DISTRICT,
        street=STREET,
        community=COMMUNITY,
        grid_a=GRID_A,
        grid_b=GRID_B,
    )
