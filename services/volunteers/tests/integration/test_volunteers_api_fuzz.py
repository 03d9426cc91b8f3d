"""Bad input never becomes a server error anywhere in volunteers' HTTP API: every operation but
the lending station's (test_volunteers_lending_fuzz.py has those), fuzzed by Schemathesis
through the test kit, as branch staff, a tenant admin and a volunteer, with a real volunteer,
task, offer, assignment, party member, month, ticket task rule and visit plan in half the
paths."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from civicgrid.identity.v1 import identity_service_pb2 as identity_pb
from civicgrid_testkit.fuzz import fuzz_api
from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.people import remember_person
from services.volunteers.tests.volunteers_support import (
    MONDAY_9,
    TOKENS,
    District,
    enrol,
    near,
    settle,
    task_body,
)

pytestmark = pytest.mark.integration

LENDING = ("/v1/stations", "/v1/loans", "/v1/holds")
MONTH = "2026-11"  # the month of the test clock (MONDAY_9), so it has begun


def _without_lending(openapi: dict[str, Any]) -> dict[str, Any]:
    paths = {p: ops for p, ops in openapi["paths"].items() if not p.startswith(LENDING)}
    return {**openapi, "paths": paths}


async def _pending_offer(
    api: httpx.AsyncClient, district: District, ctx: VolunteersContext, days: int
) -> tuple[str, str]:
    """(task id, offer id): a task `days` after the test's Monday and the matcher's offer."""
    task = await api.post(
        "/v1/tasks",
        json=task_body(MONDAY_9 + timedelta(days=days, hours=1)),
        headers=district.staff(),
    )
    assert task.status_code == 201, task.text
    await settle(ctx)
    offers = await api.get(f"/v1/tasks/{task.json()['id']}/offers", headers=district.staff())
    [offer] = offers.json()
    return task.json()["id"], offer["id"]


async def _seed(
    api: httpx.AsyncClient, district: District, ctx: VolunteersContext
) -> tuple[uuid.UUID, uuid.UUID, dict[str, str]]:
    """(the volunteer's person, branch staff's person, the real path ids)."""
    person, profile = await enrol(api, district, display_name="Wang Fang", skills={"care": 3})
    staff_person = uuid.uuid4()
    tenant, member = district.tenant_id, identity_pb.PARTY_CATEGORY_DIRECT
    async with ctx.uow(tenant_id=tenant) as uow:  # as identity's events fill it
        await remember_person(uow, tenant, str(person), "Wang Fang", member, "east", False)
        await remember_person(uow, tenant, str(staff_person), "Li Wei", 0, "east", False)
        await uow.commit()
    _, placed_offer = await _pending_offer(api, district, ctx, days=1)
    accepted = await api.post(f"/v1/offers/{placed_offer}/accept", headers=district.person(person))
    assert accepted.status_code == 200, accepted.text
    [assignment] = (await api.get("/v1/me/assignments", headers=district.person(person))).json()
    task_id, _ = await _pending_offer(api, district, ctx, days=2)  # cancelled as it is fuzzed
    _, offer_id = await _pending_offer(api, district, ctx, days=3)
    corrected = await api.post(
        "/v1/hours/corrections",
        json={
            "volunteer_id": profile["id"],
            "minutes": 90,
            "note": "visit before the app",
            "worked_on": "2026-11-27",
        },
        headers=district.staff(),
    )
    assert corrected.status_code == 201, corrected.text
    rule = await api.put(
        "/v1/ticket-task-rules/street_lights",
        json={"kind": "escort", "title": "Ticket {number}", "hours": 1.5},
        headers=district.admin(),
    )
    assert rule.status_code == 200, rule.text
    lat, lon = near(300)
    plan = await api.post(
        "/v1/visit-plans",
        json={
            "client_person_id": str(uuid.uuid4()),
            "lat": lat,
            "lon": lon,
            "weekday": 2,
            "start": "10:00",
        },
        headers=district.staff(),
    )
    assert plan.status_code == 201, plan.text
    ids = {
        "category": "street_lights",
        "plan_id": plan.json()["id"],
        "volunteer_id": profile["id"],
        "task_id": task_id,
        "offer_id": offer_id,
        "assignment_id": assignment["id"],
        "person_id": str(person),
        "month": MONTH,
    }
    return person, staff_person, ids


async def test_volunteers_no_generated_request_gets_a_server_error(
    volunteers_app: FastAPI,
    api: httpx.AsyncClient,
    district: District,
    timed: VolunteersContext,
) -> None:
    person, staff_person, ids = await _seed(api, district, timed)
    # Path ids are real for even n: each of the three asks with real ids and with made-up ones.
    askers = [
        TOKENS.bearer(district.tenant, "community_staff", subject=str(staff_person)),
        district.admin(),
        district.person(person),
    ]

    fuzzed = _without_lending(volunteers_app.openapi())
    report = await fuzz_api(
        fuzzed,
        api,
        "http://volunteers",
        lambda n: askers[n % 3],
        ids,
        examples=12,
        negative_examples=6,
    )
    assert not report.failures, "\n".join(report.failures)
    assert report.operations == sum(len(ops) for ops in fuzzed["paths"].values()) >= 40
    assert len(report.statuses) == report.operations  # every operation answered something
    succeeded = {op for op, codes in report.statuses.items() if any(c < 300 for c in codes)}
    assert len(succeeded) >= report.operations // 2, sorted(report.statuses.items())


def _problem_fields(answer: httpx.Response) -> list[str]:
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return [e["field"] for e in answer.json().get("errors", [])]


# Found by the fuzz above: an explicit null for a field every profile has reached the database
# (a NOT NULL violation) or the schedule checks (a TypeError), both a 500.
@pytest.mark.parametrize(
    "field",
    ["home_lat", "home_lon", "weekly_availability", "unavailable", "display_name", "timezone"],
)
async def test_volunteers_a_profile_field_cannot_be_cleared_with_null(
    api: httpx.AsyncClient, district: District, field: str
) -> None:
    person, profile = await enrol(api, district)

    by_staff = await api.patch(
        f"/v1/volunteers/{profile['id']}", json={field: None}, headers=district.staff()
    )
    by_self = await api.patch(
        "/v1/volunteers/me", json={field: None}, headers=district.person(person)
    )

    for answer in (by_staff, by_self):
        assert answer.status_code == 422, answer.text
        assert _problem_fields(answer) == [field]
    unchanged = await api.get("/v1/volunteers/me", headers=district.person(person))
    assert unchanged.json() == profile


async def test_volunteers_a_registration_with_null_schedules_is_one_without_them(
    api: httpx.AsyncClient, district: District
) -> None:
    lat, lon = near()
    body = {"home_lat": lat, "home_lon": lon, "weekly_availability": None, "unavailable": None}

    answer = await api.post("/v1/volunteers", json=body, headers=district.person())

    assert answer.status_code == 201, answer.text
    assert (answer.json()["weekly_availability"], answer.json()["unavailable"]) == ([], [])


async def test_volunteers_text_with_a_nul_character_is_refused_not_a_server_error(
    api: httpx.AsyncClient, district: District
) -> None:
    """The fuzz draws no U+0000; PostgreSQL text cannot hold it."""
    person, profile = await enrol(api, district)
    lat, lon = near()
    requests: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
        (
            "POST",
            "/v1/volunteers",
            {"home_lat": lat, "home_lon": lon, "display_name": "Wang\x00"},
            district.person(),
        ),
        ("PATCH", "/v1/volunteers/me", {"display_name": "Wang\x00"}, district.person(person)),
        (
            "POST",
            "/v1/tasks",
            task_body(MONDAY_9 + timedelta(days=1), title="Visit\x00"),
            district.staff(),
        ),
        (
            "POST",
            "/v1/tasks",
            task_body(MONDAY_9 + timedelta(days=1), description="\x00"),
            district.staff(),
        ),
    ]
    for method, url, body, headers in requests:
        answer = await api.request(method, url, json=body, headers=headers)
        assert answer.status_code == 422, f"{method} {url}: {answer.text}"
        assert answer.headers["content-type"].startswith("application/problem+json")
    again = await api.get(f"/v1/volunteers/{profile['id']}", headers=district.staff())
    assert again.json()["display_name"] == profile["display_name"]
