"""Departments belong to one district: invisible to others over HTTP, over gRPC and in SQL."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from grpc import aio

from civicgrid.grid.v1 import grid_service_pb2 as pb
from civicgrid.grid.v1 import grid_service_pb2_grpc as pb_grpc
from civicgrid_grid.demo_data import generate_district
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.import_district import import_district
from civicgrid_testkit import ServiceDatabase
from services.grid.tests.grid_support import admin_principal, bearer

pytestmark = pytest.mark.integration


def _md(tenant: str, *roles: str) -> list[tuple[str, str]]:
    return [("authorization", bearer(tenant, *roles)["Authorization"])]


@pytest.fixture
async def district(grid_ctx: GridContext, api: httpx.AsyncClient, tenant: str) -> dict[str, Any]:
    """A small district with one tenant-wide department for sanitation; its grid's id."""
    doc = generate_district(grids=12, seed=3)
    await import_district(grid_ctx, admin_principal(tenant), doc)
    admin = bearer(tenant, "tenant_admin")
    code = next(f for f in doc["features"] if f["properties"]["kind"] == "grid")["properties"][
        "code"
    ]
    grid = (await api.get("/v1/units", params={"query": code}, headers=admin)).json()[0]
    created = await api.post(
        "/v1/departments",
        headers=admin,
        json={"name": "区城管局", "contact": "12319", "categories": ["sanitation"]},
    )
    assert created.status_code == 201, created.text
    return {"grid_id": grid["id"], "department": created.json()}


async def test_over_http_another_district_can_neither_see_nor_change_a_department(
    api: httpx.AsyncClient, district: dict[str, Any], tenant: str
) -> None:
    department_id = district["department"]["id"]
    other = bearer(str(uuid.uuid4()), "tenant_admin")
    assert (await api.get("/v1/departments", headers=other)).json()["items"] == []
    assert (await api.get(f"/v1/departments/{department_id}", headers=other)).status_code == 404
    body = {"name": "taken over", "contact": "1", "categories": ["roads"]}
    changed = await api.put(f"/v1/departments/{department_id}", headers=other, json=body)
    assert changed.status_code == 404
    assert (await api.delete(f"/v1/departments/{department_id}", headers=other)).status_code == 404
    routed = await api.get(
        "/v1/route",
        params={"category": "sanitation", "unit_id": district["grid_id"]},
        headers=other,
    )
    assert routed.status_code == 404  # the unit itself is not theirs

    mine = bearer(tenant, "tenant_admin")
    still = await api.get(f"/v1/departments/{department_id}", headers=mine)
    assert still.status_code == 200 and still.json()["name"] == "区城管局"


async def test_over_grpc_route_category_answers_only_within_the_district(
    stub: pb_grpc.GridServiceStub, district: dict[str, Any], tenant: str
) -> None:
    request = pb.RouteCategoryRequest(category="sanitation", unit_id=district["grid_id"])
    mine = await stub.RouteCategory(request, metadata=_md(tenant, "grid_staff"))
    assert [d.name for d in mine.departments] == ["区城管局"]
    with pytest.raises(aio.AioRpcError) as foreign:
        await stub.RouteCategory(request, metadata=_md(str(uuid.uuid4()), "grid_staff"))
    assert foreign.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(aio.AioRpcError) as bad:
        await stub.RouteCategory(
            pb.RouteCategoryRequest(category="sanitation", unit_id="nope"),
            metadata=_md(tenant, "grid_staff"),
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_in_sql_the_runtime_role_sees_and_writes_departments_of_the_bound_tenant_only(
    grid_db: ServiceDatabase, district: dict[str, Any], tenant: str
) -> None:
    connection = await asyncpg.connect(grid_db.runtime_dsn)
    try:
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            assert await connection.fetchval("SELECT count(*) FROM departments") == 1
        async with connection.transaction():
            stranger = str(uuid.uuid4())
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", stranger)
            assert await connection.fetchval("SELECT count(*) FROM departments") == 0
            touched = await connection.execute(
                "UPDATE departments SET name = 'x' WHERE id = $1",
                uuid.UUID(district["department"]["id"]),
            )
            assert touched == "UPDATE 0"
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(
                    "INSERT INTO departments (tenant_id, name, contact, categories,"
                    " jurisdiction_unit_ids) VALUES ($1, 'x', '1', '{}', '{}')",
                    uuid.UUID(tenant),
                )
    finally:
        await connection.close()
