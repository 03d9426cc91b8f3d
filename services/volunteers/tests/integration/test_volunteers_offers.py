"""Offers end to end against the real database: a task's rounds go to the best volunteers,
the last place goes to exactly one of many who accept at once, unanswered offers expire and
the task is offered on, urgent tasks go to the top k at once, a cancelled task withdraws."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import (
    MONDAY_9,
    District,
    SettableClock,
    enrol,
    outbox,
    settle,
    task_body,
)

pytestmark = pytest.mark.integration

TOMORROW_10 = MONDAY_9 + timedelta(days=1, hours=1)


async def _task(api: httpx.AsyncClient, district: District, **fields: Any) -> dict[str, Any]:
    answer = await api.post(
        "/v1/tasks", json=task_body(TOMORROW_10, **fields), headers=district.staff()
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def _offers(api: httpx.AsyncClient, district: District, task_id: str) -> list[dict[str, Any]]:
    answer = await api.get(f"/v1/tasks/{task_id}/offers", headers=district.staff())
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_volunteers_a_task_is_offered_to_the_best_volunteer_with_the_reasons_kept(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    far, _ = await enrol(api, district, north=2500, skills={"care": 3})
    close, close_profile = await enrol(api, district, north=200, skills={"care": 3})
    unskilled, _ = await enrol(api, district, north=50, skills={"cooking": 5})
    task = await _task(api, district, skills=[{"code": "care", "min_level": 2}])

    await settle(timed)

    [offer] = await _offers(api, district, task["id"])
    assert offer["volunteer_id"] == close_profile["id"]
    assert offer["status"] == "pending" and offer["round"] == 1
    parts = {p["factor"]: p for p in offer["breakdown"]}
    assert set(parts) == {"proximity", "skill", "reliability", "continuity", "fairness", "fatigue"}
    assert offer["score"] == pytest.approx(sum(p["points"] for p in parts.values()), abs=1e-3)
    mine = await api.get("/v1/me/offers", headers=district.person(close))
    assert [o["id"] for o in mine.json()] == [offer["id"]]
    made = await outbox(timed.uow, district.tenant_id, "offer.made")
    message = events_pb2.OfferMade.FromString(made[-1][1])
    assert message.person_id == str(close) and len(message.breakdown) == 6
    del far, unskilled


async def test_volunteers_an_offer_left_unanswered_expires_and_the_next_volunteer_is_asked(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    _, first = await enrol(api, district, north=100)
    _, second = await enrol(api, district, north=900)
    task = await _task(api, district, urgency="high")  # offers wait 60 minutes

    await settle(timed)
    [offer] = await _offers(api, district, task["id"])
    assert offer["volunteer_id"] == first["id"]

    clock.advance(minutes=59)
    await settle(timed)
    assert [o["status"] for o in await _offers(api, district, task["id"])] == ["pending"]

    clock.advance(minutes=2)
    await settle(timed)
    offers = await _offers(api, district, task["id"])
    assert [(o["volunteer_id"], o["status"], o["round"]) for o in offers] == [
        (first["id"], "expired", 1),
        (second["id"], "pending", 2),
    ]
    assert len(await outbox(timed.uow, district.tenant_id, "offer.expired")) == 1
    profile = await api.get(f"/v1/volunteers/{first['id']}", headers=district.staff())
    assert profile.json()["reliability"]["offers_expired"] == 1


async def test_volunteers_a_declined_offer_goes_to_the_next_volunteer_at_once(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    first_person, first = await enrol(api, district, north=100)
    _, second = await enrol(api, district, north=900)
    task = await _task(api, district)
    await settle(timed)
    [offer] = await _offers(api, district, task["id"])

    declined = await api.post(
        f"/v1/offers/{offer['id']}/decline", headers=district.person(first_person)
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = await api.post(
        f"/v1/offers/{offer['id']}/accept", headers=district.person(first_person)
    )
    assert again.status_code == 409
    await settle(timed)
    offers = await _offers(api, district, task["id"])
    assert [o["volunteer_id"] for o in offers] == [first["id"], second["id"]]


async def test_volunteers_only_the_owner_of_an_offer_may_answer_it(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    await enrol(api, district, north=100)
    other, _ = await enrol(api, district, north=50_000)  # too far to be offered
    task = await _task(api, district)
    await settle(timed)
    [offer] = await _offers(api, district, task["id"])
    answer = await api.post(f"/v1/offers/{offer['id']}/accept", headers=district.person(other))
    assert answer.status_code == 404


async def test_volunteers_the_last_place_goes_to_exactly_one_of_many_accepting_at_once(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    people = [await enrol(api, district, north=100 * n, on_duty=True) for n in range(1, 9)]
    task = await _task(api, district, urgency="urgent", volunteers_needed=2)
    policy = await api.get("/v1/matching-policy", headers=district.staff())
    changed = policy.json() | {"urgent_parallel": 8}
    assert (
        await api.put("/v1/matching-policy", json=changed, headers=district.admin())
    ).status_code == 200

    await settle(timed)
    offers = await _offers(api, district, task["id"])
    assert len(offers) == 8  # urgent: the top k at once
    person_of = {p["id"]: person for person, p in people}

    answers = await asyncio.gather(
        *(
            api.post(
                f"/v1/offers/{o['id']}/accept",
                headers=district.person(person_of[o["volunteer_id"]]),
            )
            for o in offers
        )
    )

    assert sorted(a.status_code for a in answers) == [200, 200] + [409] * 6
    final = await api.get(f"/v1/tasks/{task['id']}", headers=district.staff())
    assert final.json()["status"] == "filled" and final.json()["volunteers_accepted"] == 2
    statuses = sorted(o["status"] for o in await _offers(api, district, task["id"]))
    assert statuses == ["accepted", "accepted"] + ["withdrawn"] * 6
    [filled] = await outbox(timed.uow, district.tenant_id, "task.filled")
    assert len(events_pb2.TaskFilled.FromString(filled[1]).volunteer_ids) == 2


async def test_volunteers_a_cancelled_task_withdraws_its_offers_and_makes_no_more(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    await enrol(api, district, north=100)
    await enrol(api, district, north=300)
    task = await _task(api, district)
    await settle(timed)
    cancelled = await api.post(
        f"/v1/tasks/{task['id']}/cancel",
        json={"reason": "resident moved"},
        headers=district.staff(),
    )
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    clock.advance(hours=5)
    await settle(timed)
    assert [o["status"] for o in await _offers(api, district, task["id"])] == ["withdrawn"]
    declined = await outbox(timed.uow, district.tenant_id, "offer.declined")
    assert events_pb2.OfferDeclined.FromString(declined[-1][1]).reason == "withdrawn"
    assert len(await outbox(timed.uow, district.tenant_id, "task.cancelled")) == 1


async def test_volunteers_a_task_is_visible_to_the_volunteers_offered_it_not_to_everyone(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    offered, _ = await enrol(api, district, north=100)
    stranger, _ = await enrol(api, district, north=90_000)  # too far to be offered
    task = await _task(api, district)
    await settle(timed)
    seen = await api.get(f"/v1/tasks/{task['id']}", headers=district.person(offered))
    assert seen.status_code == 200 and seen.json()["id"] == task["id"]
    for outsider in (district.person(stranger), district.person()):
        hidden = await api.get(f"/v1/tasks/{task['id']}", headers=outsider)
        assert hidden.status_code == 404
