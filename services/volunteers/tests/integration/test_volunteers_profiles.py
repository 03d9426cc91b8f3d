"""Profiles: a person registers and corrects their own data; staff verify skills, clear
safeguarding and see everyone; nobody sees another district's volunteers, by code or by RLS."""

from __future__ import annotations

import uuid

import httpx
import pytest

from civicgrid_volunteers.db.volunteers_repo import VolunteersRepository
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import ALWAYS, District, enrol, near, outbox

pytestmark = pytest.mark.integration


async def test_volunteers_a_person_registers_and_corrects_their_own_profile(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    person, profile = await enrol(api, district, skills={"care": 2}, languages=["zh", "en"])
    assert profile["person_id"] == str(person) and profile["timezone"] == "Asia/Shanghai"
    assert profile["skills"] == {"care": {"level": 2, "verified": False}}
    changed = await api.patch(
        "/v1/volunteers/me",
        json={"skills": {"care": 3, "driving": 2}, "on_duty": True, "weekly_task_cap": 5},
        headers=district.person(person),
    )
    assert changed.status_code == 200, changed.text
    mine = (await api.get("/v1/volunteers/me", headers=district.person(person))).json()
    assert mine["skills"]["care"]["level"] == 3 and mine["on_duty"] and mine["weekly_task_cap"] == 5
    [registered] = await outbox(timed.uow, district.tenant_id, "volunteer.registered")
    assert registered[0] == "volunteer.registered"
    twice = await api.post(
        "/v1/volunteers",
        json={"home_lat": 36.6, "home_lon": 117.0},
        headers=district.person(person),
    )
    assert twice.status_code == 409


async def test_volunteers_only_staff_verify_skills_and_clear_safeguarding(
    api: httpx.AsyncClient, district: District
) -> None:
    person, profile = await enrol(api, district, skills={"nursing": 2})
    own = district.person(person)
    for refused in ({"verified_skills": {"nursing": 5}}, {"safeguarding_until": "2027-12-31"}):
        answer = await api.patch("/v1/volunteers/me", json=refused, headers=own)
        assert answer.status_code == 403, answer.text
    verified = await api.patch(
        f"/v1/volunteers/{profile['id']}",
        json={"verified_skills": {"nursing": 4}, "safeguarding_until": "2027-12-31"},
        headers=district.staff(),
    )
    assert verified.json()["skills"]["nursing"] == {"level": 4, "verified": True}
    # The volunteer's own claims never change a verified level.
    await api.patch("/v1/volunteers/me", json={"skills": {"nursing": 1, "care": 3}}, headers=own)
    mine = (await api.get("/v1/volunteers/me", headers=own)).json()
    assert mine["skills"]["nursing"] == {"level": 4, "verified": True}
    assert mine["skills"]["care"] == {"level": 3, "verified": False}
    assert mine["safeguarding_until"] == "2027-12-31"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"home_lat": 91, "home_lon": 0}, "home_lat"),
        ({"home_lon": 117.0}, "home_lat"),
        ({"home_lat": 36.6, "home_lon": 117, "skills": {"care": 9}}, "care"),
        ({"home_lat": 36.6, "home_lon": 117, "timezone": "Mars/Olympus"}, "timezone"),
        (
            {
                "home_lat": 36.6,
                "home_lon": 117,
                "weekly_availability": [{"weekday": 7, "start": "08:00", "end": "09:00"}],
            },
            "weekday",
        ),
        (
            {
                "home_lat": 36.6,
                "home_lon": 117,
                "weekly_availability": [{"weekday": 1, "start": "10:00", "end": "09:00"}],
            },
            "end",
        ),
        ({"home_lat": 36.6, "home_lon": 117, "weekly_task_cap": -1}, "weekly_task_cap"),
    ],
)
async def test_volunteers_bad_profiles_are_refused_naming_the_field(
    api: httpx.AsyncClient, district: District, body: dict[str, object], field: str
) -> None:
    answer = await api.post("/v1/volunteers", json=body, headers=district.person())
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in answer.text


async def test_volunteers_a_volunteer_sees_only_their_own_profile_staff_see_all(
    api: httpx.AsyncClient, district: District
) -> None:
    first, first_profile = await enrol(api, district)
    second, _ = await enrol(api, district)
    peek = await api.get(f"/v1/volunteers/{first_profile['id']}", headers=district.person(second))
    assert peek.status_code == 404
    listing = await api.get("/v1/volunteers", headers=district.person(second))
    assert listing.status_code == 403
    staff = await api.get("/v1/volunteers?limit=1", headers=district.staff())
    page = staff.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = await api.get(f"/v1/volunteers?cursor={page['next_cursor']}", headers=district.staff())
    ids = {v["id"] for v in page["items"] + rest.json()["items"]}
    assert first_profile["id"] in ids and len(ids) == 2
    del first


async def test_volunteers_another_district_sees_nothing_by_code_or_by_row_level_security(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    _, profile = await enrol(api, district, weekly_availability=ALWAYS)
    other = District()
    assert (
        await api.get(f"/v1/volunteers/{profile['id']}", headers=other.staff())
    ).status_code == 404
    changed = await api.patch(
        f"/v1/volunteers/{profile['id']}", json={"on_duty": True}, headers=other.staff()
    )
    assert changed.status_code == 404
    listing = await api.get("/v1/volunteers", headers=other.staff())
    assert listing.json()["items"] == []
    # The database refuses too: the repository asked for the first district's row by its own
    # tenant, in a transaction bound to the other district, finds nothing.
    async with timed.uow(tenant_id=other.tenant_id) as uow:
        leaked = VolunteersRepository(uow.session, district.tenant_id)
        assert await leaked.get(uuid.UUID(profile["id"])) is None
    lat, lon = near(0, 0)
    task = {
        "kind": "escort",
        "title": "x",
        "lat": lat,
        "lon": lon,
        "starts_at": "2026-12-02T02:00:00+00:00",
        "ends_at": "2026-12-02T03:00:00+00:00",
    }
    made = await api.post("/v1/tasks", json=task, headers=district.staff())
    assert (
        await api.get(f"/v1/tasks/{made.json()['id']}", headers=other.staff())
    ).status_code == 404
    found = await api.get(f"/v1/tasks/{made.json()['id']}/candidates", headers=other.staff())
    assert found.status_code == 404
