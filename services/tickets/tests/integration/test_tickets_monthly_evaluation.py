"""Closing a month: counts rolled up the tree, checked against a hand-worked October; the
snapshot, its CSV, the city-level view, and the refusals."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from civicgrid_tickets.usecases import map_model
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.evaluation import close_last_month_everywhere
from services.tickets.tests.tickets_support import District, SettableClock, bearer

pytestmark = pytest.mark.integration


def beijing(day: int, hour: int) -> datetime:
    """October 2026 in Beijing time (UTC+8) as UTC."""
    return datetime(2026, 10, day, hour - 8, 0, tzinfo=UTC)


async def test_october_closes_into_figures_worked_out_by_hand(
    timed_api: httpx.AsyncClient, clock: SettableClock, district: District
) -> None:
    api = timed_api
    clock.at = beijing(5, 9)  # Monday 5 October 2026, 09:00
    resident_id = str(uuid.uuid4())
    resident = bearer(district.tenant, "resident", subject=resident_id)
    admin = bearer(district.tenant, "tenant_admin")

    def leader(n: int) -> dict[str, str]:
        return bearer(
            district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[n])),)
        )

    community = bearer(
        district.tenant,
        "community_staff",
        bindings=(("community_staff", str(district.communities[0])),),
    )

    async def report(grid: int) -> str:
        lat, lon = district.inside(grid)
        made = await api.post(
            "/v1/tickets",
            json={"category": "roads", "description": f"路面 {grid}", "lat": lat, "lon": lon},
            headers=resident,
        )
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    async def step(
        ticket: str, who: dict[str, str], action: str, at: datetime, **extra: object
    ) -> None:
        clock.at = at
        done = await api.post(
            f"/v1/tickets/{ticket}/actions", json={"action": action, **extra}, headers=who
        )
        assert done.status_code == 200, (action, done.text)

    t1, t2, t3, t4 = await report(0), await report(0), await report(1), await report(2)
    # T1 (grid 0): acknowledged at 10:00 (due 14:00), resolved 11:00, confirmed, rated 5.
    await step(t1, leader(0), "acknowledge", beijing(5, 10))
    await step(t1, leader(0), "start", beijing(5, 10))
    await step(t1, leader(0), "resolve", beijing(5, 11), note="已修复")
    await step(t1, resident, "confirm", beijing(5, 11))
    await step(t1, resident, "rate", beijing(5, 11), rating=5)
    # T2 (grid 0): acknowledged at 15:00, an hour late; never resolved.
    await step(t2, leader(0), "acknowledge", beijing(5, 15))
    # T3 (grid 1): climbs to the community, whose staff acknowledge and resolve it; rated 3.
    await step(t3, leader(1), "escalate", beijing(5, 10), reason_code="needs_budget")
    await step(t3, community, "acknowledge", beijing(5, 11))
    await step(t3, community, "start", beijing(5, 11))
    await step(t3, community, "resolve", beijing(5, 12), note="已修复")
    await step(t3, resident, "rate", beijing(5, 12), rating=3)
    del t4  # T4 (grid 2): received, nothing else.

    clock.at = beijing(20, 9)
    assert (
        await api.post("/v1/evaluations/2026-10/close", headers=admin)
    ).status_code == 409  # not over
    clock.at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    assert (await api.post("/v1/evaluations/2026-10/close", headers=resident)).status_code == 403
    closed = await api.post("/v1/evaluations/2026-10/close", headers=admin)
    assert closed.status_code == 201, closed.text
    assert closed.json() == {"month": "2026-10", "formula_version": 1, "units": 8}
    assert (await api.post("/v1/evaluations/2026-10/close", headers=admin)).status_code == 409

    rows = {
        r["unit_id"]: r for r in (await api.get("/v1/evaluations/2026-10", headers=admin)).json()
    }
    counts = {
        unit: {
            k: rows[str(unit)]["counts"][k]
            for k in (
                "received",
                "acknowledged",
                "acknowledged_in_time",
                "resolved",
                "resolved_on_time",
                "rated",
                "satisfied",
                "resolved_in_grid",
                "resolved_in_community",
                "reopened",
            )
        }
        for unit in (
            district.grids[0],
            district.grids[1],
            district.communities[0],
            district.district,
        )
    }
    assert counts[district.grids[0]] == {
        "received": 2,
        "acknowledged": 2,
        "acknowledged_in_time": 1,
        "resolved": 1,
        "resolved_on_time": 1,
        "rated": 1,
        "satisfied": 1,
        "resolved_in_grid": 1,
        "resolved_in_community": 1,
        "reopened": 0,
    }
    assert counts[district.grids[1]] == {
        "received": 1,
        "acknowledged": 1,
        "acknowledged_in_time": 1,
        "resolved": 1,
        "resolved_on_time": 1,
        "rated": 1,
        "satisfied": 0,
        "resolved_in_grid": 0,
        "resolved_in_community": 1,
        "reopened": 0,
    }
    assert counts[district.communities[0]] == {
        "received": 3,
        "acknowledged": 3,
        "acknowledged_in_time": 2,
        "resolved": 2,
        "resolved_on_time": 2,
        "rated": 2,
        "satisfied": 1,
        "resolved_in_grid": 1,
        "resolved_in_community": 2,
        "reopened": 0,
    }
    assert counts[district.district]["received"] == 4
    # Medians: T1 took 2 h, T3 3 h; the community's median of the two is 150 minutes.
    assert rows[str(district.grids[0])]["counts"]["resolve_minutes_median"] == 120
    assert rows[str(district.communities[0])]["counts"]["resolve_minutes_median"] == 150
    # Community 0: response 2/3, resolution 2/3, satisfaction 1/2, in-grid share 1/2.
    figures = rows[str(district.communities[0])]["figures"]
    assert figures["response_rate"] == pytest.approx(2 / 3)
    assert figures["satisfaction_rate"] == pytest.approx(0.5)
    assert figures["in_grid_share"] == pytest.approx(0.5)
    # Ten tickets make a sample; none of these units has one, so none is ranked.
    assert {r["rank"] for r in rows.values()} == {None}
    assert {r["unranked_reason"] for r in rows.values()} == {"below minimum sample"}

    csv = await api.get("/v1/evaluations/2026-10/csv", headers=admin)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("month,unit_id,name,") and len(lines) == 9

    city = await api.get(
        "/v1/evaluations/2026-10/districts", headers=bearer(district.tenant, "platform_admin")
    )
    mine = [d for d in city.json() if d["tenant_id"] == district.tenant]
    assert mine[0]["received"] == 4 and mine[0]["district_unit_id"] == str(district.district)
    assert (await api.get("/v1/evaluations/2026-10/districts", headers=admin)).status_code == 403
    other = bearer(str(uuid.uuid4()), "tenant_admin")
    assert (await api.get("/v1/evaluations/2026-10", headers=other)).status_code == 404


async def test_a_month_over_is_closed_for_every_district_once(
    timed: TicketsContext, timed_api: httpx.AsyncClient, clock: SettableClock, district: District
) -> None:
    slug = f"auto-{uuid.uuid4().hex[:8]}"
    async with timed.uow(tenant_id=None) as uow:
        await map_model.remember_district(uow, uuid.UUID(district.tenant), slug, "历下区")
        await uow.commit()
    clock.at = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 08:30 on 1 December in Beijing
    assert slug in await close_last_month_everywhere(timed)
    assert slug not in await close_last_month_everywhere(timed)  # once
    stored = await timed_api.get(
        "/v1/evaluations/2026-11", headers=bearer(district.tenant, "tenant_admin")
    )
    assert stored.status_code == 200 and len(stored.json()) == 8
