"""Weekly visits to elderly people living alone: staff plan a weekly visit, and each week's task
is made three days ahead for the client, once, so the volunteer who visited last week is asked
first this week. Changing the day moves the next task; stopping the plan stops the tasks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from civicgrid_volunteers.db.plans_repo import VisitPlansRepository
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import (
    MONDAY_9,
    District,
    SettableClock,
    enrol,
    near,
    settle,
)

pytestmark = pytest.mark.integration

# Thursday 2026-12-03, 10:00 in Shanghai (the clock starts on Monday at 09:00), a week later.
THURSDAY_10 = MONDAY_9 + timedelta(days=3, hours=1)
NEXT_THURSDAY_10 = THURSDAY_10 + timedelta(days=7)
CLEARED = "2027-12-31"  # safeguarding clearance: home visits need it


def _plan_body(client: uuid.UUID, **fields: Any) -> dict[str, Any]:
    lat, lon = near()
    return {
        "client_person_id": str(client),
        "lat": lat,
        "lon": lon,
        "weekday": 3,
        "start": "10:00",
        "minutes": 60,
        **fields,
    }


async def _plan(api: httpx.AsyncClient, district: District, **fields: Any) -> dict[str, Any]:
    answer = await api.post(
        "/v1/visit-plans", json=_plan_body(uuid.uuid4(), **fields), headers=district.staff()
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def _visits(api: httpx.AsyncClient, district: District) -> list[dict[str, Any]]:
    found = await api.get("/v1/tasks?limit=100", headers=district.staff())
    assert found.status_code == 200, found.text
    return [t for t in found.json()["items"] if t["source"] == "visit_plan"]


def _at(task: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(task["starts_at"])


async def test_a_plan_makes_each_week_s_task_three_days_ahead_until_it_is_stopped(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    plan = await _plan(api, district)
    assert plan["active"] is True and plan["needs_safeguarding"] is True
    assert (plan["weekday"], plan["start"], plan["volunteers_needed"]) == (3, "10:00", 1)
    assert datetime.fromisoformat(plan["next_visit_at"]) == THURSDAY_10
    await settle(timed)
    assert await _visits(api, district) == []  # Monday 09:00: too early

    clock.now = THURSDAY_10 - timedelta(days=3)  # Monday 10:00
    await settle(timed)
    await settle(timed)
    [first] = await _visits(api, district)
    assert first["kind"] == "elderly_visit" and first["status"] == "open"
    assert first["client_person_id"] == plan["client_person_id"]
    assert _at(first) == THURSDAY_10
    assert datetime.fromisoformat(first["ends_at"]) == THURSDAY_10 + timedelta(minutes=60)
    assert first["source_ref"] == f"{plan['id']}/2026-12-03"
    assert first["needs_safeguarding"] is True
    assert (first["lat"], first["lon"]) == pytest.approx(near())

    clock.now = NEXT_THURSDAY_10 - timedelta(days=3, minutes=1)
    await settle(timed)
    assert len(await _visits(api, district)) == 1
    clock.advance(minutes=1)
    await settle(timed)
    assert sorted(_at(t) for t in await _visits(api, district)) == [THURSDAY_10, NEXT_THURSDAY_10]

    stopped = await api.post(f"/v1/visit-plans/{plan['id']}/stop", headers=district.staff())
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["active"] is False and stopped.json()["next_visit_at"] is None
    assert stopped.json()["stopped_at"] is not None
    again = await api.post(f"/v1/visit-plans/{plan['id']}/stop", headers=district.staff())
    assert again.json()["stopped_at"] == stopped.json()["stopped_at"]
    clock.now = NEXT_THURSDAY_10 + timedelta(days=14)
    await settle(timed)
    made = await _visits(api, district)
    assert len(made) == 2 and {t["status"] for t in made} == {"open"}  # those made stay


async def test_a_new_day_and_time_move_the_next_task_and_a_paused_plan_resumes(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    plan = await _plan(api, district)
    path = f"/v1/visit-plans/{plan['id']}"
    moved = await api.patch(
        path, json={"weekday": 4, "start": "09:30", "minutes": 45}, headers=district.staff()
    )
    assert moved.status_code == 200, moved.text
    friday = datetime(2026, 12, 4, 1, 30, tzinfo=UTC)  # Friday 09:30 in Shanghai
    assert datetime.fromisoformat(moved.json()["next_visit_at"]) == friday
    clock.now = THURSDAY_10 - timedelta(days=3)
    await settle(timed)
    assert await _visits(api, district) == []  # no longer Thursday's time
    clock.now = friday - timedelta(days=3)
    await settle(timed)
    [task] = await _visits(api, district)
    assert _at(task) == friday
    assert datetime.fromisoformat(task["ends_at"]) == friday + timedelta(minutes=45)

    paused = await api.patch(path, json={"active": False}, headers=district.staff())
    assert paused.json()["active"] is False
    clock.now = friday + timedelta(days=4)
    await settle(timed)
    assert len(await _visits(api, district)) == 1
    resumed = await api.patch(path, json={"active": True}, headers=district.staff())
    assert resumed.json()["active"] is True and resumed.json()["stopped_at"] is None
    await settle(timed)  # Tuesday: the next Friday is three days off, its task is due now
    assert sorted(_at(t) for t in await _visits(api, district)) == [
        friday,
        friday + timedelta(days=7),
    ]
    listed = await api.get(
        f"/v1/visit-plans?client_person_id={plan['client_person_id']}", headers=district.staff()
    )
    assert [p["id"] for p in listed.json()["items"]] == [plan["id"]]


async def _offers(api: httpx.AsyncClient, district: District, task_id: str) -> list[Any]:
    found = await api.get(f"/v1/tasks/{task_id}/offers", headers=district.staff())
    assert found.status_code == 200, found.text
    return list(found.json())


async def test_the_volunteer_who_visited_last_week_is_asked_first_this_week(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    regular, regular_profile = await enrol(api, district, north=600, safeguarding_until=CLEARED)
    plan = await _plan(api, district)
    clock.now = THURSDAY_10 - timedelta(days=3)
    await settle(timed)
    [first] = await _visits(api, district)
    [offer] = await _offers(api, district, first["id"])
    assert offer["volunteer_id"] == regular_profile["id"]
    me = district.person(regular)
    assert (await api.post(f"/v1/offers/{offer['id']}/accept", headers=me)).status_code == 200
    [place] = (await api.get("/v1/me/assignments", headers=me)).json()
    home = {"lat": plan["lat"], "lon": plan["lon"]}
    clock.now = THURSDAY_10 - timedelta(minutes=5)
    checked_in = await api.post(f"/v1/assignments/{place['id']}/check-in", json=home, headers=me)
    assert checked_in.status_code == 200, checked_in.text
    clock.now = THURSDAY_10 + timedelta(minutes=60)
    checked_out = await api.post(f"/v1/assignments/{place['id']}/check-out", json=home, headers=me)
    assert checked_out.json()["status"] == "completed", checked_out.text

    # A newcomer living much nearer the client, who would be asked first for anyone else.
    _, newcomer = await enrol(api, district, north=100, safeguarding_until=CLEARED)
    clock.now = NEXT_THURSDAY_10 - timedelta(days=3)
    await settle(timed)
    second = next(t for t in await _visits(api, district) if _at(t) == NEXT_THURSDAY_10)
    assert second["client_person_id"] == plan["client_person_id"]
    [asked] = await _offers(api, district, second["id"])
    assert asked["volunteer_id"] == regular_profile["id"]
    continuity = next(p for p in asked["breakdown"] if p["factor"] == "continuity")
    assert continuity["value"] == pytest.approx(1 / 3, abs=1e-4) and continuity["points"] > 0
    found = await api.get(f"/v1/tasks/{second['id']}/candidates", headers=district.staff())
    scores = {c["volunteer_id"]: c["score"] for c in found.json()}
    # Continuity is what puts the regular ahead: without it the newcomer would lead.
    assert scores[regular_profile["id"]] > scores[newcomer["id"]]
    assert scores[regular_profile["id"]] - continuity["points"] < scores[newcomer["id"]]


def _fields(answer: httpx.Response) -> list[str]:
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return [e["field"] for e in answer.json().get("errors", [])]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekday": 7}, "body.weekday"),
        ({"start": "25:00"}, "body.start"),
        ({"start": "9:30"}, "body.start"),
        ({"minutes": 0}, "body.minutes"),
        ({"lat": 91}, "body.lat"),
        ({"lat": -90}, "body.lat"),  # a pole has no place on the matching's map
        ({"volunteers_needed": 0}, "body.volunteers_needed"),
        ({"client_person_id": "someone"}, "body.client_person_id"),
        ({"skills": [{"code": "care"}, {"code": "care"}]}, "skills"),
        ({"colour": "red"}, "body.colour"),
    ],
)
async def test_a_bad_plan_is_a_problem_naming_the_field(
    api: httpx.AsyncClient, district: District, change: dict[str, Any], field: str
) -> None:
    body = _plan_body(uuid.uuid4(), **change)
    answer = await api.post("/v1/visit-plans", json=body, headers=district.staff())
    assert answer.status_code == 422, answer.text
    assert field in _fields(answer), answer.text


async def test_a_bad_change_is_a_problem_naming_the_field(
    api: httpx.AsyncClient, district: District
) -> None:
    plan = await _plan(api, district)
    path = f"/v1/visit-plans/{plan['id']}"
    for change, field in (
        ({"weekday": -1}, "body.weekday"),
        ({"start": "noon"}, "body.start"),
        ({"minutes": 24 * 60 + 1}, "body.minutes"),
        ({"skills": [{"code": "x"}, {"code": "x"}]}, "skills"),
    ):
        answer = await api.patch(path, json=change, headers=district.staff())
        assert answer.status_code == 422 and field in _fields(answer), answer.text
    bad_cursor = await api.get("/v1/visit-plans?cursor=nonsense", headers=district.staff())
    assert bad_cursor.status_code == 422
    unchanged = await api.get(path, headers=district.staff())
    assert (unchanged.json()["weekday"], unchanged.json()["start"]) == (3, "10:00")


async def test_only_staff_plan_visits(api: httpx.AsyncClient, district: District) -> None:
    plan = await _plan(api, district)
    volunteer, _ = await enrol(api, district)
    path = f"/v1/visit-plans/{plan['id']}"
    for who in (district.person(), district.person(volunteer, "resident", "volunteer")):
        body = _plan_body(uuid.uuid4())
        assert (await api.post("/v1/visit-plans", json=body, headers=who)).status_code == 403
        assert (await api.get("/v1/visit-plans", headers=who)).status_code == 403
        assert (await api.get(path, headers=who)).status_code == 403
        assert (await api.patch(path, json={"minutes": 5}, headers=who)).status_code == 403
        assert (await api.post(f"{path}/stop", headers=who)).status_code == 403
    assert (await api.get(path, headers=district.admin())).status_code == 200


async def test_another_district_sees_no_plan_and_the_database_refuses_its_rows(
    api: httpx.AsyncClient,
    district: District,
    volunteers_ctx: VolunteersContext,
    timed: VolunteersContext,
    clock: SettableClock,
) -> None:
    plan = await _plan(api, district)
    other = District()
    path = f"/v1/visit-plans/{plan['id']}"
    for who in (other.staff(), other.admin()):
        assert (await api.get(path, headers=who)).status_code == 404
        assert (await api.patch(path, json={"minutes": 5}, headers=who)).status_code == 404
        assert (await api.post(f"{path}/stop", headers=who)).status_code == 404
        assert (await api.get("/v1/visit-plans", headers=who)).json()["items"] == []
    mine = (await api.get(path, headers=district.staff())).json()
    assert mine["active"] is True and mine["minutes"] == 60

    plan_id = uuid.UUID(plan["id"])
    async with volunteers_ctx.uow(tenant_id=other.tenant_id) as uow:
        assert await VisitPlansRepository(uow.session, district.tenant_id).get(plan_id) is None
        touched = await uow.session.execute(
            text("UPDATE visit_plans SET active = false WHERE id = :id RETURNING id"),
            {"id": plan_id},
        )
        assert touched.first() is None
        await uow.commit()
    # The plan still makes its district's task, in its district only.
    clock.now = THURSDAY_10 - timedelta(days=3)
    await settle(timed)
    assert len(await _visits(api, district)) == 1
    assert await _visits(api, other) == []
