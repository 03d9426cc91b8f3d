"""Volunteers across processes: a resident of a district made in identity volunteers near home;
a report of a category the district maps to a task reaches tickets, whose ticket.created event
(through Kafka) becomes a task in volunteers, whose timers offer it to that volunteer."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from civicgrid_devstack.services import ServiceProcess
from tests.e2e.e2e_support import district_admin

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

HOME = {"lat": 36.651, "lon": 117.001}
EVERY_HOUR = [{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)]


async def _until(ask: Callable[[], Awaitable[Any]], what: str, seconds: float = 60) -> Any:
    for _ in range(int(seconds / 0.5)):
        found = await ask()
        if found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"never saw {what}")


async def _resident(identity: httpx.AsyncClient, slug: str) -> dict[str, str]:
    registered = await identity.post(
        "/v1/residents",
        json={
            "tenant": slug,
            "display_name": "李明",
            "phone": "13800000077",
            "password": "correct-horse-1",
        },
    )
    assert registered.status_code == 201, registered.text
    login = await identity.post(
        "/v1/auth/login",
        json={"tenant": slug, "username": "13800000077", "password": "correct-horse-1"},
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_a_report_of_a_mapped_category_is_offered_to_a_volunteer_nearby(
    identity_process: ServiceProcess,
    tickets_process: ServiceProcess,
    volunteers_process: ServiceProcess,
) -> None:
    async with httpx.AsyncClient(base_url=identity_process.base_url, timeout=30) as identity:
        slug, admin_token = await district_admin(identity, "volunteers")
        as_resident = await _resident(identity, slug)
    as_admin = {"Authorization": f"Bearer {admin_token}"}
    async with (
        httpx.AsyncClient(base_url=volunteers_process.base_url, timeout=30) as volunteers,
        httpx.AsyncClient(base_url=tickets_process.base_url, timeout=30) as tickets,
    ):
        rule = await volunteers.put(
            "/v1/ticket-task-rules/dispute",
            json={
                "kind": "dispute_mediation",
                "title": "Mediate {number}",
                "skills": [{"code": "mediation", "min_level": 2}],
                "hours": 2,
                "starts_after_hours": 1,
            },
            headers=as_admin,
        )
        assert rule.status_code == 200, rule.text
        enrolled = await volunteers.post(
            "/v1/volunteers",
            json={
                "home_lat": HOME["lat"],
                "home_lon": HOME["lon"],
                "skills": {"mediation": 3},
                "weekly_availability": EVERY_HOUR,
            },
            headers=as_resident,
        )
        assert enrolled.status_code == 201, enrolled.text

        report = {
            "category": "dispute",
            "description": "楼上漏水纠纷",
            "lat": 36.6505,
            "lon": 117.0,
        }

        async def reported() -> Any:
            # Tickets learns the district from identity's tenant.created, through Kafka.
            answer = await tickets.post("/v1/tickets", json=report, headers=as_resident)
            return answer.json() if answer.status_code == 201 else None

        ticket = await _until(reported, "tickets accept a report in the new district")

        async def task() -> Any:
            listed = await volunteers.get("/v1/tasks", headers=as_admin)
            assert listed.status_code == 200, listed.text
            made = [t for t in listed.json()["items"] if t["source_ref"] == ticket["id"]]
            return made[0] if made else None

        # From the earliest offset: a broker that served many runs first replays their reports.
        made = await _until(task, "the ticket's task in volunteers", seconds=240)
        assert made["kind"] == "dispute_mediation" and made["source"] == "ticket"
        assert made["title"] == f"Mediate {ticket['number']}"

        async def offered() -> Any:
            mine = await volunteers.get("/v1/me/offers", headers=as_resident)
            assert mine.status_code == 200, mine.text
            return [o for o in mine.json() if o["task_id"] == made["id"]]

        [offer] = await _until(offered, "an offer to the volunteer nearby")
        accepted = await volunteers.post(f"/v1/offers/{offer['id']}/accept", headers=as_resident)
        assert accepted.status_code == 200, accepted.text
        filled = await volunteers.get(f"/v1/tasks/{made['id']}", headers=as_admin)
        assert filled.json()["status"] == "filled"
