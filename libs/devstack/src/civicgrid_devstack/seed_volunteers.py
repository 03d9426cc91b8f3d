"""The demo district's volunteers side: the demo resident volunteers near the first grid, and
the first community runs a tool-lending station with a few things to borrow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

STATION = "社区工具站"
ITEMS = (
    ("ladder", "人字梯", 2),
    ("drill", "电钻", 3),
    ("wheelchair", "轮椅", 1),
    ("toolbox", "家用工具箱", 4),
)
EVERY_DAY = [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]


def first_grid_point(district_file: Path) -> tuple[float, float]:
    """(lat, lon) at the middle of the first grid's outline in the synthetic district."""
    features = json.loads(district_file.read_text())["district"]["features"]
    grid = min(
        (f for f in features if f["properties"]["kind"] == "grid"),
        key=lambda f: f["properties"]["code"],
    )
    ring = grid["geometry"]["coordinates"][0]
    return sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)


def _ok(response: httpx.Response, *allowed: int) -> Any:
    if response.status_code not in allowed:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json()


async def seed_volunteers(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    resident: dict[str, str],
    point: tuple[float, float],
    units: dict[str, str],
) -> dict[str, Any]:
    """Idempotent: a second `make run` finds what the first made. Headers in, ids out."""
    lat, lon = point
    registered = await client.post(
        "/api/volunteers/v1/volunteers",
        json={
            "home_lat": lat,
            "home_lon": lon,
            "grid_id": units["grid"],
            "community_id": units["community"],
            "skills": {"repairs": 3, "care": 2},
            "weekly_availability": EVERY_DAY,
            "on_duty": True,
        },
        headers=resident,
    )
    _ok(registered, 201, 409)
    volunteer = _ok(await client.get("/api/volunteers/v1/volunteers/me", headers=resident), 200)
    stations = _ok(await client.get("/api/volunteers/v1/stations", headers=admin), 200)
    found = [s for s in stations["items"] if s["name"] == STATION]
    if found:
        station = found[0]
    else:
        station = _ok(
            await client.post(
                "/api/volunteers/v1/stations",
                json={"name": STATION, "community_id": units["community"], "lat": lat, "lon": lon},
                headers=admin,
            ),
            201,
        )
        for kind, name, count in ITEMS:
            _ok(
                await client.post(
                    f"/api/volunteers/v1/stations/{station['id']}/items",
                    json={"kind": kind, "name": name, "count": count},
                    headers=admin,
                ),
                201,
            )
    return {"volunteer_id": volunteer["id"], "station_id": station["id"]}
