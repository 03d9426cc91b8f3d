"""The registry over HTTP on real PostgreSQL: import, versions, reads, resolution, departments."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest
from shapely.geometry import shape

from civicgrid_grid.demo_data import generate_district
from services.grid.tests.grid_support import bearer

pytestmark = pytest.mark.integration


def _district(grids: int = 60) -> dict[str, Any]:
    return generate_district(grids=grids, seed=11)


def _features(doc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in doc["features"] if f["properties"]["kind"] == kind]


async def _import(api: httpx.AsyncClient, tenant: str, doc: dict[str, Any]) -> dict[str, Any]:
    answer = await api.post(
        "/v1/districts/import", json=doc, headers=bearer(tenant, "tenant_admin")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_import_then_export_round_trips_and_a_second_import_changes_nothing(
    api: httpx.AsyncClient, tenant: str
) -> None:
    doc = _district()
    first = await _import(api, tenant, doc)
    assert first["created"] == len(doc["features"]) and first["updated"] == first["retired"] == 0
    exported = (await api.get("/v1/districts/export", headers=bearer(tenant, "resident"))).json()
    assert sorted(f["properties"]["code"] for f in exported["features"]) == sorted(
        f["properties"]["code"] for f in doc["features"]
    )
    again = await _import(api, tenant, exported)
    assert (again["created"], again["updated"], again["retired"]) == (0, 0, 0)
    assert again["unchanged"] == len(doc["features"])


async def test_a_rejected_import_names_every_defect_and_writes_nothing(
    api: httpx.AsyncClient, tenant: str
) -> None:
    doc = _district()
    grids = _features(doc, "grid")
    grids[0]["properties"]["parent_code"] = "999999999999"  # unknown parent
    grids[1]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
    }  # bow-tie
    answer = await api.post(
        "/v1/districts/import", json=doc, headers=bearer(tenant, "tenant_admin")
    )
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["type"].endswith("/district-rejected")
    codes = {p["code"] for p in body["problems"]}
    assert {grids[0]["properties"]["code"], grids[1]["properties"]["code"]} <= codes
    nothing = await api.get("/v1/units", params={"query": "3"}, headers=bearer(tenant, "resident"))
    assert nothing.json() == []


async def test_only_an_admin_imports(api: httpx.AsyncClient, tenant: str) -> None:
    answer = await api.post(
        "/v1/districts/import", json=_district(), headers=bearer(tenant, "grid_leader")
    )
    assert answer.status_code == 403


async def test_a_boundary_change_adds_a_version_and_keeps_history(
    api: httpx.AsyncClient, tenant: str
) -> None:
    doc = _district()
    await _import(api, tenant, doc)
    admin = bearer(tenant, "tenant_admin")
    grid = _features(doc, "grid")[0]
    code = grid["properties"]["code"]
    found = (
        await api.get("/v1/units", params={"query": code, "kind": "grid"}, headers=admin)
    ).json()
    unit_id = found[0]["id"]
    before = (await api.get(f"/v1/units/{unit_id}", headers=admin)).json()

    changed = copy.deepcopy(doc)
    for feature in _features(changed, "grid"):
        if feature["properties"]["code"] == code:
            feature["properties"]["name"] = "网格更名"
    summary = await _import(api, tenant, changed)
    assert (summary["updated"], summary["created"], summary["retired"]) == (1, 0, 0)

    now = (await api.get(f"/v1/units/{unit_id}", headers=admin)).json()
    assert (now["version"], now["name"]) == (2, "网格更名")
    then = (
        await api.get(f"/v1/units/{unit_id}", params={"as_of": before["valid_from"]}, headers=admin)
    ).json()
    assert (then["version"], then["name"]) == (1, before["name"])


async def test_hierarchy_reads(api: httpx.AsyncClient, tenant: str) -> None:
    doc = _district()
    await _import(api, tenant, doc)
    reader = bearer(tenant, "resident")
    district = (
        await api.get(
            "/v1/units",
            params={
                "query": _features(doc, "district")[0]["properties"]["code"],
                "kind": "district",
            },
            headers=reader,
        )
    ).json()[0]
    streets = (await api.get(f"/v1/units/{district['id']}/children", headers=reader)).json()
    assert {s["kind"] for s in streets} == {"street"}
    assert len(streets) == len(_features(doc, "street"))

    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"kind": "grid", "limit": 25}
        if cursor:
            params["cursor"] = cursor
        page = (
            await api.get(f"/v1/units/{district['id']}/descendants", params=params, headers=reader)
        ).json()
        seen += [u["code"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f["properties"]["code"] for f in _features(doc, "grid"))
    assert seen == sorted(seen)  # paged by code, no gaps or repeats

    grid = (await api.get("/v1/units", params={"query": seen[0]}, headers=reader)).json()[0]
    chain = (await api.get(f"/v1/units/{grid['id']}/ancestors", headers=reader)).json()
    assert [u["kind"] for u in chain] == ["community", "street", "district"]


async def test_resolve_point_inside_and_outside(api: httpx.AsyncClient, tenant: str) -> None:
    doc = _district()
    await _import(api, tenant, doc)
    reader = bearer(tenant, "resident")
    grid = _features(doc, "grid")[3]
    inside = shape(grid["geometry"]).representative_point()
    found = await api.get(
        "/v1/resolve/point", params={"lat": inside.y, "lon": inside.x}, headers=reader
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["grid"]["code"] == grid["properties"]["code"]
    assert [a["kind"] for a in body["ancestors"]] == ["community", "street", "district"]

    outside = await api.get("/v1/resolve/point", params={"lat": 0.5, "lon": 0.5}, headers=reader)
    assert outside.status_code == 404
    assert "nearest is" in outside.json()["detail"]


async def test_departments_route_nearest_jurisdiction_first(
    api: httpx.AsyncClient, tenant: str
) -> None:
    doc = _district()
    await _import(api, tenant, doc)
    admin = bearer(tenant, "tenant_admin")
    street_code = _features(doc, "street")[0]["properties"]["code"]
    street = (
        await api.get("/v1/units", params={"query": street_code, "kind": "street"}, headers=admin)
    ).json()[0]
    grid_code = next(
        f for f in _features(doc, "grid") if f["properties"]["code"].startswith(street_code)
    )
    grid = (
        await api.get("/v1/units", params={"query": grid_code["properties"]["code"]}, headers=admin)
    ).json()[0]

    city_wide = await api.post(
        "/v1/departments",
        headers=admin,
        json={"name": "区城管局", "contact": "12319", "categories": ["sanitation", "parking"]},
    )
    local = await api.post(
        "/v1/departments",
        headers=admin,
        json={
            "name": "街道环卫所",
            "contact": "0531-1234",
            "categories": ["sanitation"],
            "jurisdiction_unit_ids": [street["id"]],
        },
    )
    assert city_wide.status_code == local.status_code == 201, (city_wide.text, local.text)

    routed = await api.get(
        "/v1/route", params={"category": "sanitation", "unit_id": grid["id"]}, headers=admin
    )
    assert [d["name"] for d in routed.json()] == ["街道环卫所", "区城管局"]
    parking = await api.get(
        "/v1/route", params={"category": "parking", "unit_id": grid["id"]}, headers=admin
    )
    assert [d["name"] for d in parking.json()] == ["区城管局"]

    bad = await api.post(
        "/v1/departments",
        headers=admin,
        json={
            "name": "X",
            "contact": "1",
            "categories": ["roads"],
            "jurisdiction_unit_ids": [str(uuid.uuid4())],
        },
    )
    assert bad.status_code == 422 and "jurisdiction_unit_ids.0" in bad.text
    resident = await api.post(
        "/v1/departments",
        headers=bearer(tenant, "resident"),
        json={"name": "X", "contact": "1", "categories": ["roads"]},
    )
    assert resident.status_code == 403


async def test_another_district_sees_nothing_of_this_one(
    api: httpx.AsyncClient, tenant: str
) -> None:
    doc = _district()
    await _import(api, tenant, doc)
    mine = bearer(tenant, "tenant_admin")
    grid_code = _features(doc, "grid")[0]["properties"]["code"]
    grid = (await api.get("/v1/units", params={"query": grid_code}, headers=mine)).json()[0]
    other = bearer(str(uuid.uuid4()), "tenant_admin")
    assert (await api.get(f"/v1/units/{grid['id']}", headers=other)).status_code == 404
    assert (await api.get("/v1/units", params={"query": grid_code}, headers=other)).json() == []
    inside = shape(_features(doc, "grid")[0]["geometry"]).representative_point()
    assert (
        await api.get("/v1/resolve/point", params={"lat": inside.y, "lon": inside.x}, headers=other)
    ).status_code == 404


async def test_a_building_inside_a_compound_is_found_at_its_location(
    api: httpx.AsyncClient, tenant: str
) -> None:
    doc = _district()
    await _import(api, tenant, doc)
    kinds = {f["properties"]["code"]: f["properties"]["kind"] for f in doc["features"]}
    in_compound = next(
        f
        for f in _features(doc, "building")
        if kinds.get(f["properties"]["parent_code"]) == "compound"
    )
    point = shape(in_compound["geometry"]).representative_point()
    found = await api.get(
        "/v1/resolve/point",
        params={"lat": point.y, "lon": point.x},
        headers=bearer(tenant, "resident"),
    )
    assert found.status_code == 200, found.text
    assert found.json()["building"]["code"] == in_compound["properties"]["code"]
