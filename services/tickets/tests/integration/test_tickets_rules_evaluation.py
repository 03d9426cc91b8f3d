"""A district's own evaluation formula: the next month to close is scored by the formula in
force, and a closed month reads back (its CSV rebuilt from the stored counts) by the version it
was scored with, whatever was published since."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import pytest

from civicgrid_tickets.domain.calendar import DEFAULT_CALENDAR_BODY
from services.tickets.tests.tickets_support import District, SettableClock, bearer

pytestmark = pytest.mark.integration

# Only the share of tickets acknowledged counts; one ticket is a sample.
RESPONSE_ONLY = {"weights": {"response_rate": 1}, "min_sample": 1}
# Only the share resolved counts.
RESOLUTION_ONLY = {"weights": {"resolution_rate": 1}, "min_sample": 1}


def _rows(text: str) -> dict[str, dict[str, str]]:
    return {r["unit_id"]: r for r in csv.DictReader(io.StringIO(text))}


async def test_a_published_formula_scores_the_next_close_and_a_snapshot_keeps_its_own(
    timed_api: httpx.AsyncClient, clock: SettableClock, district: District
) -> None:
    api, admin = timed_api, bearer(district.tenant, "tenant_admin")
    clock.at = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)  # Monday 5 October, 09:00 in Beijing
    lat, lon = district.inside(0)
    made = await api.post(
        "/v1/tickets",
        json={"category": "roads", "description": "路面", "lat": lat, "lon": lon},
        headers=bearer(district.tenant, "resident"),
    )
    assert made.status_code == 201, made.text
    leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )
    acknowledged = await api.post(
        f"/v1/tickets/{made.json()['id']}/actions", json={"action": "acknowledge"}, headers=leader
    )
    assert acknowledged.status_code == 200, acknowledged.text
    published = await api.post("/v1/rules/evaluation_formula", json=RESPONSE_ONLY, headers=admin)
    assert published.json()["version"] == 2

    clock.at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    closed = await api.post("/v1/evaluations/2026-10/close", headers=admin)
    assert closed.status_code == 201, closed.text
    assert closed.json()["formula_version"] == 2
    grid = str(district.grids[0])
    stored = {
        r["unit_id"]: r for r in (await api.get("/v1/evaluations/2026-10", headers=admin)).json()
    }
    assert (stored[grid]["score"], stored[grid]["rank"]) == (100.0, 1)  # all acknowledged

    # Version 3 would score the same grid 0 (nothing resolved); October stands as scored.
    await api.post("/v1/rules/evaluation_formula", json=RESOLUTION_ONLY, headers=admin)
    october = _rows((await api.get("/v1/evaluations/2026-10/csv", headers=admin)).text)
    assert (october[grid]["score"], october[grid]["formula_version"]) == ("100.00", "2")

    clock.at = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    november = await api.post("/v1/evaluations/2026-11/close", headers=admin)
    assert november.json()["formula_version"] == 3
    csv_rows = _rows((await api.get("/v1/evaluations/2026-11/csv", headers=admin)).text)
    assert {r["formula_version"] for r in csv_rows.values()} == {"3"}


async def test_a_month_closes_by_the_districts_own_calendar_clock(
    timed_api: httpx.AsyncClient, clock: SettableClock, district: District
) -> None:
    """A district in New York: a report at 23:30 on 31 October there (04:30 UTC on 1 November)
    counts in its October, and October is not over there until 04:00 UTC on 1 November."""
    api, admin = timed_api, bearer(district.tenant, "tenant_admin")
    new_york = {**DEFAULT_CALENDAR_BODY, "timezone": "America/New_York"}
    published = await api.post("/v1/rules/calendar", json=new_york, headers=admin)
    assert published.status_code == 201, published.text
    clock.at = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)  # 23:30 on 31 October in New York
    lat, lon = district.inside(0)
    made = await api.post(
        "/v1/tickets",
        json={"category": "roads", "description": "路面", "lat": lat, "lon": lon},
        headers=bearer(district.tenant, "resident"),
    )
    assert made.status_code == 201, made.text
    early = await api.post("/v1/evaluations/2026-10/close", headers=admin)
    assert early.status_code == 409  # still October in New York

    clock.at = datetime(2026, 11, 1, 5, 0, tzinfo=UTC)
    closed = await api.post("/v1/evaluations/2026-10/close", headers=admin)
    assert closed.status_code == 201, closed.text
    october = {
        r["unit_id"]: r for r in (await api.get("/v1/evaluations/2026-10", headers=admin)).json()
    }
    assert october[str(district.grids[0])]["received"] == 1
