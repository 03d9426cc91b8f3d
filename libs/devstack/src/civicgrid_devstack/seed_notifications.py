"""The demo district's alert chain: the elderly resident's care profile (her grid, address and
home point), so a press of her button reaches the grid leader and her first family contact."""

from __future__ import annotations

from typing import Any

import httpx


async def seed_notifications(
    client: httpx.AsyncClient,
    admin: dict[str, str],
    elder: dict[str, Any],
    device_id: str,
    point: tuple[float, float],
    units: dict[str, str],
) -> dict[str, Any]:
    """Idempotent (a PUT). Returns what demo.json lists under `notifications`."""
    lat, lon = point
    answer = await client.put(
        f"/api/notifications/v1/care-profiles/{elder['id']}",
        json={
            "display_name": elder.get("display_name") or "Demo elder",
            "phone": elder.get("phone") or "",
            "grid_id": units["grid"],
            "address": "示范社区 3 号楼 2 单元 401",
            "lat": lat,
            "lon": lon,
            "device_id": device_id,
            "heartbeat_seconds": 3600,
        },
        headers=admin,
    )
    if answer.status_code != 200:
        raise RuntimeError(f"care profile: {answer.text}")
    return {
        "care_profile": elder["id"],
        "press": "uv run python -m civicgrid_devstack.press",
        "outbox": ".run/outbox/mail.jsonl and .run/outbox/phone.jsonl",
    }
