"""At start a replica builds the index of every known district before it says it is ready."""

from __future__ import annotations

import uuid

import httpx
import pytest
from shapely.geometry import shape

from civicgrid_grid.demo_data import generate_district
from civicgrid_grid.usecases.context import GridContext
from civicgrid_grid.usecases.import_district import import_district
from civicgrid_grid.usecases.resolve import DistrictIndexes
from services.grid.tests.grid_support import admin_principal, bearer

pytestmark = pytest.mark.integration


async def test_every_known_district_is_indexed_before_the_replica_is_ready(
    grid_ctx: GridContext, indexes: DistrictIndexes, api: httpx.AsyncClient
) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    docs = {first: generate_district(grids=9, seed=1), second: generate_district(grids=15, seed=2)}
    for tenant, doc in docs.items():
        await import_district(grid_ctx, admin_principal(tenant), doc)

    assert (await api.get("/readyz")).status_code == 503
    assert indexes.loaded(uuid.UUID(first)) is None

    assert await indexes.warm_all() >= 2
    assert (await api.get("/readyz")).status_code == 200
    for tenant, doc in docs.items():
        district = indexes.loaded(uuid.UUID(tenant))
        assert district is not None
        grids = [f for f in doc["features"] if f["properties"]["kind"] == "grid"]
        assert len(district.index) == len(grids)
        # Answered from the warm index: a point inside the last grid resolves to it.
        inside = shape(grids[-1]["geometry"]).representative_point()
        found = await api.get(
            "/v1/resolve/point",
            params={"lat": inside.y, "lon": inside.x},
            headers=bearer(tenant, "resident"),
        )
        assert found.json()["grid"]["code"] == grids[-1]["properties"]["code"]
