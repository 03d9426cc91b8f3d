"""A place on a task from acceptance to check-out: a reminder before, confirm or cancel (late
cancellations counted, the place offered again), check-in and check-out with location putting
the minutes into the hours ledger, and no-shows recorded, pausing offers when they repeat."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import (
    MONDAY_9,
    District,
    SettableClock,
    enrol,
    near,
    outbox,
    settle,
    task_body,
)

pytestmark = pytest.mark.integration

WEDNESDAY_10 = MONDAY_9 + timedelta(days=2, hours=1)


async def _seated(
    api: httpx.AsyncClient, district: District, ctx: VolunteersContext, **task: Any
) -> tuple[uuid.UUID, dict[str, Any], dict[str, Any]]:
    """(person, task, place): one volunteer, one task, offered and accepted."""
    person, _ = await enrol(api, district, north=100)
    made = await api.post(
        "/v1/tasks", json=task_body(WEDNESDAY_10, **task), headers=district.staff()
    )
    assert made.status_code == 201, made.text
    await settle(ctx)
    [offer] = (await api.get("/v1/me/offers", headers=district.person(person))).json()
    accepted = await api.post(f"/v1/offers/{offer['id']}/accept", headers=district.person(person))
    assert accepted.status_code == 200, accepted.text
    [place] = (await api.get("/v1/me/assignments", headers=district.person(person))).json()
    return person, made.json(), place


async def test_volunteers_a_reminder_goes_out_before_the_task_and_the_volunteer_confirms(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    person, task, place = await _seated(api, district, timed)
    clock.now = WEDNESDAY_10 - timedelta(hours=24, minutes=1)
    await settle(timed)
    assert await outbox(timed.uow, district.tenant_id, "task.reminder") == []
    clock.advance(minutes=2)
    await settle(timed)
    [reminder] = await outbox(timed.uow, district.tenant_id, "task.reminder")
    message = events_pb2.TaskReminder.FromString(reminder[1])
    assert (message.task_id, message.person_id) == (task["id"], str(person))
    confirmed = await api.post(
        f"/v1/assignments/{place['id']}/confirm", headers=district.person(person)
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"


async def test_volunteers_check_in_and_out_log_the_minutes_served_and_complete_the_task(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    person, task, place = await _seated(api, district, timed)
    lat, lon = near(5, 5)
    headers = district.person(person)
    clock.now = WEDNESDAY_10 - timedelta(minutes=45)
    early = await api.post(
        f"/v1/assignments/{place['id']}/check-in", json={"lat": lat, "lon": lon}, headers=headers
    )
    assert early.status_code == 409
    clock.now = WEDNESDAY_10 - timedelta(minutes=10)
    checked_in = await api.post(
        f"/v1/assignments/{place['id']}/check-in", json={"lat": lat, "lon": lon}, headers=headers
    )
    assert checked_in.status_code == 200 and checked_in.json()["status"] == "checked_in"
    clock.now = WEDNESDAY_10 + timedelta(minutes=95)
    out = await api.post(
        f"/v1/assignments/{place['id']}/check-out", json={"lat": lat, "lon": lon}, headers=headers
    )
    assert out.status_code == 200 and out.json()["status"] == "completed"

    [logged] = await outbox(timed.uow, district.tenant_id, "hours.logged")
    assert events_pb2.HoursLogged.FromString(logged[1]).minutes == 95  # from the start, not arrival
    done = await api.get(f"/v1/tasks/{task['id']}", headers=district.staff())
    assert done.json()["status"] == "completed"
    assert len(await outbox(timed.uow, district.tenant_id, "task.completed")) == 1
    async with timed.uow(tenant_id=district.tenant_id) as uow:
        entries = (
            await uow.session.execute(
                text("SELECT account, minutes FROM ledger_entries WHERE task_id = :t"),
                {"t": uuid.UUID(task["id"])},
            )
        ).all()
        where = (
            await uow.session.execute(
                text("SELECT check_in_lat, check_out_lon FROM assignments WHERE id = :a"),
                {"a": uuid.UUID(place["id"])},
            )
        ).one()
    assert sorted(m for _, m in entries) == [-95, 95] and sum(m for _, m in entries) == 0
    assert where == pytest.approx((lat, lon))


async def test_volunteers_a_late_cancellation_is_counted_and_the_place_offered_again(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    person, task, place = await _seated(api, district, timed)
    _, stand_in = await enrol(api, district, north=700)
    clock.now = WEDNESDAY_10 - timedelta(hours=3)
    cancelled = await api.post(
        f"/v1/assignments/{place['id']}/cancel", headers=district.person(person)
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["late_cancellation"] is True
    me = await api.get("/v1/volunteers/me", headers=district.person(person))
    assert me.json()["reliability"]["late_cancellations"] == 1
    await settle(timed)
    offers = (await api.get(f"/v1/tasks/{task['id']}/offers", headers=district.staff())).json()
    assert offers[-1]["volunteer_id"] == stand_in["id"] and offers[-1]["status"] == "pending"
    reopened = await api.get(f"/v1/tasks/{task['id']}", headers=district.staff())
    assert reopened.json()["status"] == "open" and reopened.json()["volunteers_accepted"] == 0


async def test_volunteers_repeated_no_shows_pause_new_offers(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    person, profile = await enrol(api, district, north=100, weekly_task_cap=10)
    for day in (0, 1):
        starts = WEDNESDAY_10 + timedelta(days=day)
        clock.now = starts - timedelta(days=1)
        made = await api.post("/v1/tasks", json=task_body(starts), headers=district.staff())
        await settle(timed)
        [offer] = [
            o
            for o in (await api.get("/v1/me/offers", headers=district.person(person))).json()
            if o["task_id"] == made.json()["id"]
        ]
        accepted = await api.post(
            f"/v1/offers/{offer['id']}/accept", headers=district.person(person)
        )
        assert accepted.status_code == 200
        clock.now = starts + timedelta(minutes=31)
        await settle(timed)

    recorded = await outbox(timed.uow, district.tenant_id, "no_show.recorded")
    counts = [events_pb2.NoShowRecorded.FromString(p).recent_no_shows for _, p in recorded]
    assert counts == [1, 2]
    me = (await api.get("/v1/volunteers/me", headers=district.person(person))).json()
    assert me["reliability"]["no_shows"] == 2 and me["paused_until"] is not None

    later = await api.post(
        "/v1/tasks", json=task_body(clock.now + timedelta(days=1)), headers=district.staff()
    )
    await settle(timed)
    offers = (
        await api.get(f"/v1/tasks/{later.json()['id']}/offers", headers=district.staff())
    ).json()
    assert offers == []
    del profile
