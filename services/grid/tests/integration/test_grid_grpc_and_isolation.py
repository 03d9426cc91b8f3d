"""GridService over real gRPC; tenant isolation by row-level security as the runtime role."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import grpc
import pytest
from google.rpc import error_details_pb2
from grpc import aio
from grpc_status import rpc_status
from shapely.geometry import shape

from civicgrid.grid.v1 import grid_service_pb2 as pb
from civicgrid.grid.v1 import grid_service_pb2_grpc as pb_grpc
from civicgrid_grid.db.tables import PLATFORM_TABLES, metadata
from civicgrid_grid.demo_data import generate_district
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.import_district import import_district
from civicgrid_testkit import ServiceDatabase
from civicgrid_testkit.rls import assert_tenant_tables_protected
from services.grid.tests.grid_support import admin_principal, bearer

pytestmark = pytest.mark.integration


@pytest.fixture
async def imported(grid_ctx: GridContext, tenant: str) -> dict[str, Any]:
    doc = generate_district(grids=40, seed=5)
    await import_district(grid_ctx, admin_principal(tenant), doc)
    return doc


def _md(tenant: str, *roles: str) -> list[tuple[str, str]]:
    return [("authorization", bearer(tenant, *roles)["Authorization"])]


async def test_resolve_point_over_grpc_inside_outside_and_across_tenants(
    stub: pb_grpc.GridServiceStub, imported: dict[str, Any], tenant: str
) -> None:
    grid = next(f for f in imported["features"] if f["properties"]["kind"] == "grid")
    point = shape(grid["geometry"]).representative_point()
    answer = await stub.ResolvePoint(
        pb.ResolvePointRequest(lat=point.y, lon=point.x), metadata=_md(tenant, "resident")
    )
    assert answer.grid.code == grid["properties"]["code"]
    assert [a.kind for a in answer.ancestors] == [
        pb.UNIT_KIND_COMMUNITY,
        pb.UNIT_KIND_STREET,
        pb.UNIT_KIND_DISTRICT,
    ]

    with pytest.raises(aio.AioRpcError) as outside:
        await stub.ResolvePoint(
            pb.ResolvePointRequest(lat=1.0, lon=1.0), metadata=_md(tenant, "resident")
        )
    assert outside.value.code() == grpc.StatusCode.NOT_FOUND
    status = rpc_status.from_call(outside.value)
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert info.reason == "POINT_OUTSIDE_GRIDS" and float(info.metadata["distance_m"]) > 1000
    assert info.metadata["nearest_grid_code"]

    with pytest.raises(aio.AioRpcError) as other:
        await stub.ResolvePoint(
            pb.ResolvePointRequest(lat=point.y, lon=point.x),
            metadata=_md(str(uuid.uuid4()), "resident"),
        )
    assert other.value.code() == grpc.StatusCode.NOT_FOUND


async def test_unit_reads_and_bad_input_over_grpc(
    stub: pb_grpc.GridServiceStub, imported: dict[str, Any], tenant: str
) -> None:
    code = next(f for f in imported["features"] if f["properties"]["kind"] == "grid")["properties"][
        "code"
    ]
    found = await stub.SearchUnits(
        pb.SearchUnitsRequest(query=code), metadata=_md(tenant, "resident")
    )
    unit = found.units[0]
    chain = await stub.GetAncestors(
        pb.GetAncestorsRequest(unit_id=unit.id), metadata=_md(tenant, "resident")
    )
    assert len(chain.ancestors) == 3
    with pytest.raises(aio.AioRpcError) as bad:
        await stub.GetUnit(
            pb.GetUnitRequest(unit_id="not-a-uuid"), metadata=_md(tenant, "resident")
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(aio.AioRpcError) as anonymous:
        await stub.GetUnit(pb.GetUnitRequest(unit_id=unit.id))
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(aio.AioRpcError) as foreign:
        await stub.GetUnit(
            pb.GetUnitRequest(unit_id=unit.id), metadata=_md(str(uuid.uuid4()), "resident")
        )
    assert foreign.value.code() == grpc.StatusCode.NOT_FOUND


async def test_the_runtime_role_sees_only_the_bound_tenant(
    grid_db: ServiceDatabase, imported: dict[str, Any], tenant: str
) -> None:
    connection = await asyncpg.connect(grid_db.runtime_dsn)
    try:
        async with connection.transaction():
            await connection.execute("SELECT set_config('app.tenant_id', $1, true)", tenant)
            mine = await connection.fetchval("SELECT count(*) FROM units")
            assert mine == len(imported["features"])
            assert (
                await connection.fetchval(
                    "SELECT count(*) FROM units WHERE tenant_id <> $1", uuid.UUID(tenant)
                )
                == 0
            )
        async with connection.transaction():
            await connection.execute(
                "SELECT set_config('app.tenant_id', $1, true)", str(uuid.uuid4())
            )
            assert await connection.fetchval("SELECT count(*) FROM units") == 0
            assert await connection.fetchval("SELECT count(*) FROM unit_versions") == 0
        assert (
            await connection.fetchval("SELECT count(*) FROM units") == 0
        )  # no tenant bound: nothing
    finally:
        await connection.close()


async def test_every_tenant_table_has_forced_row_level_security(grid_db: ServiceDatabase) -> None:
    await assert_tenant_tables_protected(grid_db.owner_dsn, metadata.tables, PLATFORM_TABLES)
