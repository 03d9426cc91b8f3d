"""Deadlines in working time and the chain of responsibility: a stalled ticket climbs grid →
community → street → district → city on its own, one breach at a time, and pauses while it
waits on the resident. The clock is the test's; PostgreSQL and the timers table are real."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from civicgrid_platform.db.outbox_table import OUTBOX
from civicgrid_tickets.db.tables import sla_timers
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.sla_sweep import sweep
from services.tickets.tests.tickets_support import MONDAY_9, District, SettableClock, bearer

pytestmark = pytest.mark.integration


async def _sweep_all(ctx: TicketsContext) -> tuple[int, int, int]:
    total = [0, 0, 0]
    while True:
        done = await sweep(ctx, limit=500)
        total = [total[0] + done.warnings, total[1] + done.breaches, total[2] + done.escalations]
        if done.handled < 500:
            return total[0], total[1], total[2]


async def _report(api: httpx.AsyncClient, district: District, **extra: object) -> dict[str, object]:
    lat, lon = district.inside(0)
    answer = await api.post(
        "/v1/tickets",
        json={"category": "roads", "description": "路面坑洼", "lat": lat, "lon": lon, **extra},
        headers=bearer(district.tenant, "resident"),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_deadlines_count_working_time(
    timed_api: httpx.AsyncClient, district: District
) -> None:
    ticket = await _report(timed_api, district)
    # P2: acknowledge within 4 working hours (09:00 + 3 h, lunch, + 1 h = 14:00 Beijing time),
    # resolve within 24 working hours (three working days: Wednesday 18:00).
    assert ticket["acknowledge_due_at"] == "2026-11-30T06:00:00Z"
    assert ticket["resolve_due_at"] == "2026-12-02T10:00:00Z"


async def test_a_stalled_ticket_climbs_every_level_to_the_city(
    timed: TicketsContext, timed_api: httpx.AsyncClient, district: District, clock: SettableClock
) -> None:
    ticket = await _report(timed_api, district)
    staff = bearer(district.tenant, "tenant_admin")
    url = f"/v1/tickets/{ticket['id']}"
    levels = []
    for _ in range(6):
        current = (await timed_api.get(url, headers=staff)).json()
        levels.append((current["level"], current["owner_unit_id"]))
        if current["level"] == "city":
            break
        due = datetime.fromisoformat(current["acknowledge_due_at"].replace("Z", "+00:00"))
        clock.at = due + timedelta(seconds=1)
        await _sweep_all(timed)
    assert levels == [
        ("grid", str(district.grids[0])),
        ("community", str(district.communities[0])),
        ("street", str(district.street)),
        ("district", str(district.district)),
        ("city", None),
    ]
    history = (await timed_api.get(f"{url}/history", headers=staff)).json()
    climbs = [h for h in history if h["action"] == "escalate"]
    assert [h["details"]["level"] for h in climbs] == ["community", "street", "district", "city"]
    assert all(h["actor_id"] == "system" and h["details"]["trigger"] == "automatic" for h in climbs)
    assert [h["action"] for h in history].count("sla_warning") >= 4
    async with timed.uow(tenant_id=None) as uow:
        types = [
            r.headers["ce_type"].rsplit(".", 1)[-1]
            for r in await uow.session.execute(
                select(OUTBOX.c.headers).where(OUTBOX.c.key == ticket["id"]).order_by(OUTBOX.c.id)
            )
        ]
    assert types.count("escalated") == 4 and types.count("sla_breached") == 4


async def test_waiting_on_the_resident_stops_the_clock_and_answering_restarts_it(
    timed: TicketsContext, timed_api: httpx.AsyncClient, district: District, clock: SettableClock
) -> None:
    ticket = await _report(timed_api, district)
    leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )
    url = f"/v1/tickets/{ticket['id']}"
    for action in ("acknowledge", "start"):
        assert (
            await timed_api.post(f"{url}/actions", json={"action": action}, headers=leader)
        ).status_code == 200
    asked = await timed_api.post(
        f"{url}/actions", json={"action": "request_info", "note": "几号楼?"}, headers=leader
    )
    assert asked.json()["resolve_due_at"] is None
    # A whole week passes with the question unanswered: nothing of this ticket falls due.
    clock.at = MONDAY_9 + timedelta(days=7)
    await _sweep_all(timed)
    history = (await timed_api.get(f"{url}/history", headers=leader)).json()
    assert not [h for h in history if h["action"].startswith("sla_")]
    answered = await timed_api.post(
        f"{url}/actions", json={"action": "provide_info", "note": "5号楼"}, headers=leader
    )
    # 24 working hours, none of them used before the pause: Wednesday 18:00 of the next week.
    assert answered.json()["resolve_due_at"] == "2026-12-09T10:00:00Z"


async def test_two_sweepers_share_a_backlog_without_handling_a_timer_twice(
    timed: TicketsContext, timed_api: httpx.AsyncClient, district: District, clock: SettableClock
) -> None:
    made = [await _report(timed_api, district, description=f"问题 {n}") for n in range(30)]
    async with timed.uow(tenant_id=None) as uow:
        due = await uow.session.scalar(
            select(func.count())
            .select_from(sla_timers)
            .where(
                sla_timers.c.ticket_id.in_([uuid.UUID(str(t["id"])) for t in made]),
                sla_timers.c.clock == "acknowledge",
            )
        )
    assert due == 60  # a warning and a breach each
    clock.at = MONDAY_9 + timedelta(hours=5, minutes=1)  # past 14:00 Beijing time
    # Twelve sweepers at once, small batches: every timer handled exactly once.
    await asyncio.gather(*(sweep(timed, limit=7) for _ in range(12)))
    await _sweep_all(timed)
    admin = bearer(district.tenant, "tenant_admin")
    for ticket in made:
        history = (await timed_api.get(f"/v1/tickets/{ticket['id']}/history", headers=admin)).json()
        actions = [h["action"] for h in history]
        assert (actions.count("sla_warning"), actions.count("sla_breach")) == (1, 1), actions
