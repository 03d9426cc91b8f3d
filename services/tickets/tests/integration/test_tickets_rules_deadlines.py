"""A district's own SLA policy and calendar: a published policy governs the tickets that start
after it, a ticket keeps the version it started with whenever its clocks restart (escalation by
hand or by the sweep, reopening), and a published calendar moves the deadlines counted from then
on. The clock is the test's; PostgreSQL is real. Monday 2026-11-30 09:00 Beijing time is
01:00Z; the built-in P2 budgets are 4 and 24 working hours, weekdays 09-12 and 13-18."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from civicgrid_tickets.db.tables import tickets
from civicgrid_tickets.domain.calendar import DEFAULT_CALENDAR_BODY
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.sla_sweep import sweep
from services.tickets.tests.tickets_support import MONDAY_9, District, SettableClock, bearer

pytestmark = pytest.mark.integration


def _everything_within(acknowledge: int, resolve: int) -> dict[str, Any]:
    return {
        "targets": [
            {
                "category": "*",
                "priority": "*",
                "acknowledge_within_minutes": acknowledge,
                "resolve_within_minutes": resolve,
            }
        ]
    }


HALF_HOUR = _everything_within(30, 60)
TWO_DAYS = _everything_within(16 * 60, 32 * 60)
# Tuesday 1 December 2026 off.
TUESDAY_OFF = {**DEFAULT_CALENDAR_BODY, "holidays": ["2026-12-01"]}


async def _publish(api: httpx.AsyncClient, district: District, kind: str, body: object) -> int:
    made = await api.post(
        f"/v1/rules/{kind}", json=body, headers=bearer(district.tenant, "tenant_admin")
    )
    assert made.status_code == 201, made.text
    return int(made.json()["version"])


async def _report(
    api: httpx.AsyncClient, district: District, reporter: str | None = None
) -> dict[str, Any]:
    lat, lon = district.inside(0)
    made = await api.post(
        "/v1/tickets",
        json={"category": "roads", "description": "路面坑洼", "lat": lat, "lon": lon},
        headers=bearer(district.tenant, "resident", subject=reporter),
    )
    assert made.status_code == 201, made.text
    return made.json()  # type: ignore[no-any-return]


def _leader(district: District) -> dict[str, str]:
    return bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )


async def _step(
    api: httpx.AsyncClient, ticket: dict[str, Any], who: dict[str, str], action: str, **extra: Any
) -> dict[str, Any]:
    done = await api.post(
        f"/v1/tickets/{ticket['id']}/actions", json={"action": action, **extra}, headers=who
    )
    assert done.status_code == 200, (action, done.text)
    return done.json()  # type: ignore[no-any-return]


async def _sweep_all(ctx: TicketsContext) -> None:
    while (await sweep(ctx, limit=500)).handled == 500:
        pass


async def test_an_existing_ticket_keeps_its_policy_when_it_climbs(
    timed: TicketsContext, timed_api: httpx.AsyncClient, district: District, clock: SettableClock
) -> None:
    ticket = await _report(timed_api, district)
    assert ticket["sla_policy_version"] == 1
    assert await _publish(timed_api, district, "sla_policy", HALF_HOUR) == 2

    clock.at = MONDAY_9 + timedelta(hours=1)
    climbed = await _step(
        timed_api, ticket, _leader(district), "escalate", reason_code="needs_budget"
    )
    # Version 1's budgets from 10:00, not version 2's half hour: 15:00, and Thursday 10:00.
    assert climbed["sla_policy_version"] == 1
    assert climbed["acknowledge_due_at"] == "2026-11-30T07:00:00Z"
    assert climbed["resolve_due_at"] == "2026-12-03T02:00:00Z"

    # Nobody acknowledges at the community either: the sweep moves it up, still by version 1.
    clock.at = MONDAY_9 + timedelta(hours=6, seconds=1)
    await _sweep_all(timed)
    admin = bearer(district.tenant, "tenant_admin")
    swept = (await timed_api.get(f"/v1/tickets/{ticket['id']}", headers=admin)).json()
    assert (swept["level"], swept["sla_policy_version"]) == ("street", 1)
    assert swept["acknowledge_due_at"] == "2026-12-01T02:00:01Z"  # Tuesday 10:00:01


async def test_a_reopened_ticket_starts_again_by_its_own_policy(
    timed_api: httpx.AsyncClient, district: District, clock: SettableClock
) -> None:
    resident = str(uuid.uuid4())
    ticket = await _report(timed_api, district, reporter=resident)
    leader = _leader(district)
    for action, extra in (("acknowledge", {}), ("start", {}), ("resolve", {"note": "已修复"})):
        await _step(timed_api, ticket, leader, action, **extra)
    await _publish(timed_api, district, "sla_policy", HALF_HOUR)

    clock.at = MONDAY_9 + timedelta(hours=2)
    reporter = bearer(district.tenant, "resident", subject=resident)
    reopened = await _step(timed_api, ticket, reporter, "reopen", note="还是坏的")
    # Four working hours from 11:00 (lunch excluded): 16:00; version 2 would say 11:30.
    assert reopened["status"] == "reopened" and reopened["sla_policy_version"] == 1
    assert reopened["acknowledge_due_at"] == "2026-11-30T08:00:00Z"


async def test_a_ticket_started_under_a_published_policy_climbs_by_it(
    timed: TicketsContext, timed_api: httpx.AsyncClient, district: District, clock: SettableClock
) -> None:
    ticket = await _report(timed_api, district)
    started_under = await _publish(timed_api, district, "sla_policy", HALF_HOUR)
    # Recorded here as intake records it for a ticket reported while version 2 is in force.
    async with timed.uow(tenant_id=uuid.UUID(district.tenant)) as uow:
        await uow.session.execute(
            tickets.update()
            .where(tickets.c.id == uuid.UUID(ticket["id"]))
            .values(sla_policy_version=started_under)
        )
        await uow.commit()
    await _publish(timed_api, district, "sla_policy", TWO_DAYS)  # version 3, now in force

    clock.at = MONDAY_9 + timedelta(hours=5, seconds=1)  # past its acknowledge deadline, 14:00
    await _sweep_all(timed)
    admin = bearer(district.tenant, "tenant_admin")
    swept = (await timed_api.get(f"/v1/tickets/{ticket['id']}", headers=admin)).json()
    # Version 2's half hour from 14:00:01, not version 3's two days.
    assert (swept["level"], swept["sla_policy_version"]) == ("community", 2)
    assert swept["acknowledge_due_at"] == "2026-11-30T06:30:01Z"
    assert swept["resolve_due_at"] == "2026-11-30T07:00:01Z"


async def test_a_published_calendar_moves_deadlines_counted_from_then_on(
    timed_api: httpx.AsyncClient, district: District, clock: SettableClock
) -> None:
    first, second = await _report(timed_api, district), await _report(timed_api, district)
    assert await _publish(timed_api, district, "calendar", TUESDAY_OFF) == 2

    clock.at = MONDAY_9 + timedelta(hours=1)
    climbed = await _step(timed_api, first, _leader(district), "escalate", reason_code="big")
    # 24 working hours from Monday 10:00 without Tuesday: Friday 10:00, not Thursday.
    assert climbed["resolve_due_at"] == "2026-12-04T02:00:00Z"
    admin = bearer(district.tenant, "tenant_admin")
    untouched = (await timed_api.get(f"/v1/tickets/{second['id']}", headers=admin)).json()
    assert untouched["resolve_due_at"] == "2026-12-02T10:00:00Z"  # set before; it stands


async def test_a_published_policy_governs_new_tickets_only(
    timed_api: httpx.AsyncClient, district: District, clock: SettableClock
) -> None:
    before = await _report(timed_api, district)
    assert await _publish(timed_api, district, "sla_policy", HALF_HOUR) == 2
    after = await _report(timed_api, district)
    assert (after["sla_policy_version"], after["acknowledge_due_at"]) == (2, "2026-11-30T01:30:00Z")
    assert after["resolve_due_at"] == "2026-11-30T02:00:00Z"
    admin = bearer(district.tenant, "tenant_admin")
    earlier = (await timed_api.get(f"/v1/tickets/{before['id']}", headers=admin)).json()
    assert (earlier["sla_policy_version"], earlier["acknowledge_due_at"]) == (
        1,
        "2026-11-30T06:00:00Z",
    )
    await _publish(timed_api, district, "sla_policy", TWO_DAYS)
    clock.at = MONDAY_9 + timedelta(minutes=10)
    climbed = await _step(timed_api, after, _leader(district), "escalate", reason_code="big")
    assert (climbed["sla_policy_version"], climbed["acknowledge_due_at"]) == (
        2,
        "2026-11-30T01:40:00Z",
    )


async def test_a_published_holiday_moves_the_deadlines_of_new_tickets(
    timed_api: httpx.AsyncClient, district: District
) -> None:
    await _publish(timed_api, district, "calendar", TUESDAY_OFF)
    ticket = await _report(timed_api, district)
    # Three working days from Monday 09:00 without Tuesday: Thursday 18:00, not Wednesday.
    assert ticket["resolve_due_at"] == "2026-12-03T10:00:00Z"
