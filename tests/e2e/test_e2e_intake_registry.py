"""Intake while tickets' copy of a district's map is still empty (its grid events not yet
consumed): tickets asks the grid registry over gRPC, on the reporter's behalf, where the report
lies; with the registry stopped, the report is still taken and waits at city level."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import shapely

from civicgrid_devstack.services import ServiceProcess
from tests.e2e.e2e_support import district_admin, running

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def _demo_district(out: Path) -> dict[str, Any]:
    """Four grids from the registry's own generator (what `make demo-data` writes)."""
    generate = [sys.executable, "-m", "civicgrid_grid", "demo-data", "--grids", "4"]
    subprocess.run([*generate, "--areas-only", "--out", str(out)], check=True)
    document: dict[str, Any] = json.loads(out.read_text())
    return document["district"]


def _report(lat: float, lon: float) -> dict[str, object]:
    return {"category": "roads", "description": "路面塌陷", "lat": lat, "lon": lon}


async def test_a_cold_map_asks_the_registry_and_without_it_the_report_waits_at_city_level(
    identity_process: ServiceProcess,
    postgres: object,
    kafka: object,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    async with httpx.AsyncClient(base_url=identity_process.base_url, timeout=30) as identity:
        _, admin = await district_admin(identity, "cold")
    as_admin = {"Authorization": f"Bearer {admin}"}
    district = _demo_district(tmp_path_factory.mktemp("demo") / "district.json")
    first = next(f for f in district["features"] if f["properties"]["kind"] == "grid")
    inside = shapely.geometry.shape(first["geometry"]).representative_point()
    jwks = f"{identity_process.base_url}/.well-known/jwks.json"
    logs = tmp_path_factory.mktemp("logs")

    with running("grid", postgres, kafka, logs, jwks_url=jwks, components="http,grpc") as grid:
        async with httpx.AsyncClient(base_url=grid.base_url, timeout=60) as http:
            imported = await http.post("/v1/districts/import", json=district, headers=as_admin)
            assert imported.status_code == 200, imported.text
            found = await http.get(
                "/v1/units",
                params={"query": first["properties"]["code"], "kind": "grid"},
                headers=as_admin,
            )
        expected = next(u for u in found.json() if u["code"] == first["properties"]["code"])
        # No consumers: tickets never hears the registry's events, so its copy stays cold.
        with running(
            "tickets",
            postgres,
            kafka,
            logs,
            jwks_url=jwks,
            env={
                "CIVICGRID_GRID_GRPC_TARGET": grid.grpc_target,
                "CIVICGRID_BLOB_DIR": str(tmp_path_factory.mktemp("blobs")),
            },
            components="http",
        ) as tickets:
            async with httpx.AsyncClient(base_url=tickets.base_url, timeout=30) as http:
                placed = await http.post(
                    "/v1/tickets", json=_report(inside.y, inside.x), headers=as_admin
                )
                assert placed.status_code == 201, placed.text
                ticket = placed.json()
                assert ticket["grid_id"] == expected["id"]
                assert (ticket["level"], ticket["owner_unit_id"]) == ("grid", expected["id"])
                assert len(ticket["ancestor_ids"]) == 3  # community, street, district

                grid.stop()  # the registry goes away
                waiting = await http.post(
                    "/v1/tickets", json=_report(inside.y, inside.x), headers=as_admin
                )
                assert waiting.status_code == 201, waiting.text
                assert waiting.json()["grid_id"] is None
                assert waiting.json()["level"] == "city"
