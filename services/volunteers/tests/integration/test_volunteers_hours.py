"""The hours ledger against the real database: check-outs and corrections post balanced double
entries, announce hours.logged, never take a balance below zero, and a volunteer (or staff)
reads the balance and a statement newest first."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform.db.uow import UnitOfWorkFactory
from civicgrid_platform.errors import Conflict, InvalidInput
from civicgrid_volunteers.usecases.context import VolunteersContext
from civicgrid_volunteers.usecases.ledger import post_hours
from services.volunteers.tests.volunteers_support import MONDAY_9, TOKENS, District, outbox

pytestmark = pytest.mark.integration

NOV_10 = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)


async def add_volunteer(uows: UnitOfWorkFactory, tenant: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """A volunteer row written straight into the district; (volunteer id, person id)."""
    person = uuid.uuid4()
    async with uows(tenant_id=tenant) as uow:
        volunteer = (
            await uow.session.execute(
                text(
                    "INSERT INTO volunteers (tenant_id, person_id, display_name, home_lat,"
                    " home_lon, timezone) VALUES (:t, :p, 'Li Wei', 36.65, 117.0,"
                    " 'Asia/Shanghai') RETURNING id"
                ),
                {"t": tenant, "p": person},
            )
        ).scalar_one()
        await uow.commit()
    return volunteer, person


async def check_out(
    uows: UnitOfWorkFactory, tenant: uuid.UUID, volunteer: uuid.UUID, minutes: int, **kw: Any
) -> uuid.UUID:
    """What the check-out use case does: post in its own transaction, then commit."""
    async with uows(tenant_id=tenant) as uow:
        posting = await post_hours(
            uow, tenant, volunteer, minutes, reason="check_out", worked_on=NOV_10, **kw
        )
        await uow.commit()
    return posting


async def hours_events(uows: UnitOfWorkFactory, tenant: uuid.UUID) -> list[events_pb2.HoursLogged]:
    logged = await outbox(uows, tenant, "hours.logged")
    return [events_pb2.HoursLogged.FromString(payload) for _, payload in logged]


def correction(volunteer: uuid.UUID, minutes: int, **fields: Any) -> dict[str, Any]:
    return {
        "volunteer_id": str(volunteer),
        "minutes": minutes,
        "note": "check-out was missed; confirmed by the grid leader",
        "worked_on": "2026-11-12",
        **fields,
    }


async def test_volunteers_hours_ledger_balances_over_many_postings(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    tenant = district.tenant_id
    volunteers = [(await add_volunteer(timed.uow, tenant))[0] for _ in range(3)]
    expected = dict.fromkeys(volunteers, 0)
    for n in range(12):
        volunteer = volunteers[n % 3]
        await check_out(timed.uow, tenant, volunteer, 15 + 7 * n, task_id=uuid.uuid4())
        expected[volunteer] += 15 + 7 * n
    fix = await api.post(
        "/v1/hours/corrections", json=correction(volunteers[0], -20), headers=district.staff()
    )
    assert fix.status_code == 201, fix.text
    expected[volunteers[0]] -= 20

    async with timed.uow(tenant_id=tenant) as uow:
        total, entries, postings = (
            await uow.session.execute(
                text(
                    "SELECT sum(minutes), count(*), count(DISTINCT posting_id) FROM ledger_entries"
                )
            )
        ).one()
        unbalanced = await uow.session.execute(
            text(
                "SELECT posting_id FROM ledger_entries GROUP BY posting_id"
                " HAVING sum(minutes) <> 0 OR count(*) <> 2"
            )
        )
        assert unbalanced.all() == []
    assert (total, entries, postings) == (0, 26, 13)

    balances = {}
    for volunteer in volunteers:
        read = await api.get(f"/v1/volunteers/{volunteer}/hours", headers=district.staff())
        assert read.status_code == 200, read.text
        balances[volunteer] = read.json()["balance_minutes"]
    assert balances == expected
    bank = (await api.get("/v1/timebank", headers=district.staff())).json()
    assert bank == {
        "balance_minutes": -sum(expected.values()),
        "minutes_served": sum(expected.values()),
        "volunteers": 3,
        "postings": 13,
    }
    assert sum(balances.values()) + bank["balance_minutes"] == 0


async def test_volunteers_a_check_out_posting_is_announced_and_commits_with_the_caller(
    district: District, timed: VolunteersContext
) -> None:
    tenant = district.tenant_id
    volunteer, _ = await add_volunteer(timed.uow, tenant)
    task = uuid.uuid4()
    async with timed.uow(tenant_id=tenant) as uow:
        await post_hours(uow, tenant, volunteer, 90, reason="check_out", worked_on=NOV_10)
        # Leaving without the caller's commit: nothing was posted, nothing announced.
    assert await hours_events(timed.uow, tenant) == []

    posting = await check_out(timed.uow, tenant, volunteer, 90, task_id=task, actor_id="p-1")

    [logged] = await hours_events(timed.uow, tenant)
    assert logged == events_pb2.HoursLogged(
        entry_id=str(posting),
        volunteer_id=str(volunteer),
        task_id=str(task),
        minutes=90,
        reason="check_out",
        actor_id="p-1",
    )
    async with timed.uow(tenant_id=tenant) as uow:
        legs = await uow.session.execute(
            text(
                "SELECT account, minutes, volunteer_id, task_id FROM ledger_entries"
                " WHERE posting_id = :p ORDER BY minutes"
            ),
            {"p": posting},
        )
        assert legs.all() == [
            ("timebank", -90, volunteer, task),
            (f"volunteer:{volunteer}", 90, volunteer, task),
        ]


async def test_volunteers_staff_correct_hours_with_an_audited_entry_shown_newest_first(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    volunteer, person = await add_volunteer(timed.uow, district.tenant_id)
    await check_out(timed.uow, district.tenant_id, volunteer, 120)
    staff_person = str(uuid.uuid4())
    staff = TOKENS.bearer(district.tenant, "community_staff", subject=staff_person)
    headers = {**staff, "Idempotency-Key": "fix-1"}

    body = correction(volunteer, -45, note="  counted twice  ")
    made = await api.post("/v1/hours/corrections", json=body, headers=headers)
    again = await api.post("/v1/hours/corrections", json=body, headers=headers)

    assert made.status_code == 201, made.text
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == made.json()
    posted = made.json()
    assert posted["minutes"] == -45 and posted["balance_minutes"] == 75
    assert posted["actor_id"] == staff_person and posted["note"] == "counted twice"
    # The corrected day, at noon in the district's zone.
    assert posted["worked_on"] == "2026-11-12T04:00:00Z"
    mine = await api.get("/v1/volunteers/me/hours", headers=district.person(person))
    assert mine.status_code == 200, mine.text
    statement = mine.json()
    assert statement["volunteer_id"] == str(volunteer)
    assert statement["balance_minutes"] == 75
    assert [
        (e["reason"], e["minutes"], e["balance_after_minutes"]) for e in statement["items"]
    ] == [
        ("correction", -45, 75),
        ("check_out", 120, 120),
    ]
    assert statement["items"][0]["actor_id"] == staff_person
    assert statement["items"][0]["note"] == "counted twice"
    assert statement["next_cursor"] is None
    reasons = [
        (e.reason, e.minutes, e.actor_id) for e in await hours_events(timed.uow, district.tenant_id)
    ]
    assert reasons == [("check_out", 120, ""), ("correction", -45, staff_person)]


async def test_volunteers_a_correction_never_takes_a_balance_below_zero(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    volunteer, _ = await add_volunteer(timed.uow, district.tenant_id)
    await check_out(timed.uow, district.tenant_id, volunteer, 60)

    refused = await api.post(
        "/v1/hours/corrections", json=correction(volunteer, -61), headers=district.staff()
    )
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "minutes"

    # Five at once that each fit but no two together: exactly one is posted.
    all_at_once = await asyncio.gather(
        *(
            api.post(
                "/v1/hours/corrections", json=correction(volunteer, -40), headers=district.staff()
            )
            for _ in range(5)
        )
    )
    assert sorted(a.status_code for a in all_at_once) == [201, 409, 409, 409, 409]
    read = await api.get(f"/v1/volunteers/{volunteer}/hours", headers=district.staff())
    assert read.json()["balance_minutes"] == 20
    assert len(read.json()["items"]) == 2
    emptied = await api.post(
        "/v1/hours/corrections", json=correction(volunteer, -20), headers=district.staff()
    )
    assert emptied.status_code == 201 and emptied.json()["balance_minutes"] == 0


async def test_volunteers_minutes_taken_back_wait_for_the_other_taker_to_finish(
    district: District, timed: VolunteersContext
) -> None:
    tenant = district.tenant_id
    volunteer, _ = await add_volunteer(timed.uow, tenant)
    await check_out(timed.uow, tenant, volunteer, 60)

    async def take_back(uow: Any) -> uuid.UUID:
        return await post_hours(
            uow,
            tenant,
            volunteer,
            -40,
            reason="correction",
            worked_on=NOV_10,
            actor_id="staff",
            note="double count",
        )

    async with timed.uow(tenant_id=tenant) as first:
        await take_back(first)
        async with timed.uow(tenant_id=tenant) as second:
            waiting = asyncio.create_task(take_back(second))
            await asyncio.sleep(0.3)
            assert not waiting.done(), "the second taker read the balance the first is changing"
            await first.commit()
            with pytest.raises(Conflict) as refused:
                await waiting
    assert refused.value.field == "minutes"


async def test_volunteers_a_statement_pages_newest_first(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    volunteer, person = await add_volunteer(timed.uow, district.tenant_id)
    for minutes in (10, 20, 30, 40, 50):
        await check_out(timed.uow, district.tenant_id, volunteer, minutes)
    seen: list[int] = []
    balances: list[int] = []
    url: str | None = f"/v1/volunteers/{volunteer}/hours?limit=2"
    while url:
        page = await api.get(url, headers=district.person(person))
        assert page.status_code == 200, page.text
        seen += [e["minutes"] for e in page.json()["items"]]
        balances += [e["balance_after_minutes"] for e in page.json()["items"]]
        assert page.json()["balance_minutes"] == 150
        cursor = page.json()["next_cursor"]
        url = f"/v1/volunteers/{volunteer}/hours?limit=2&cursor={cursor}" if cursor else None
    assert seen == [50, 40, 30, 20, 10]
    assert balances == [150, 100, 60, 30, 10]


async def test_volunteers_only_the_volunteer_and_staff_read_hours(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    volunteer, person = await add_volunteer(timed.uow, district.tenant_id)
    await check_out(timed.uow, district.tenant_id, volunteer, 30)
    url = f"/v1/volunteers/{volunteer}/hours"
    assert (await api.get(url, headers=district.person(person))).status_code == 200
    assert (await api.get(url, headers=district.staff())).status_code == 200
    stranger = await api.get(url, headers=district.person())
    assert stranger.status_code == 404
    assert stranger.json()["errors"][0]["field"] == "volunteer_id"
    not_one = await api.get("/v1/volunteers/me/hours", headers=district.person())
    assert not_one.status_code == 404
    assert (await api.get("/v1/timebank", headers=district.person(person))).status_code == 403
    own_fix = await api.post(
        "/v1/hours/corrections", json=correction(volunteer, 600), headers=district.person(person)
    )
    assert own_fix.status_code == 403
    assert (await api.get(url)).status_code == 401


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"minutes": 0}, 422, "minutes"),
        ({"minutes": 24 * 60 + 1}, 422, "body.minutes"),
        ({"minutes": "sixty"}, 422, "body.minutes"),
        ({"minutes": 1.5}, 422, "body.minutes"),
        ({"note": "   "}, 422, "body.note"),
        ({"note": None}, 422, "body.note"),
        ({"note": "a\u0000b"}, 422, "body.note"),
        ({"worked_on": "2026-12-01"}, 422, "worked_on"),  # tomorrow in the district
        ({"worked_on": "2025-11-01"}, 422, "worked_on"),  # more than a year back
        ({"worked_on": "12/11/2026"}, 422, "body.worked_on"),
        ({"volunteer_id": "not-a-uuid"}, 422, "body.volunteer_id"),
        ({"volunteer_id": str(uuid.uuid4())}, 404, "volunteer_id"),
        ({"task_id": str(uuid.uuid4())}, 404, "task_id"),
        ({"extra": 1}, 422, "body.extra"),
    ],
)
async def test_volunteers_a_bad_correction_is_refused_naming_the_field(
    api: httpx.AsyncClient,
    district: District,
    timed: VolunteersContext,
    change: dict[str, Any],
    status: int,
    field: str,
) -> None:
    volunteer, _ = await add_volunteer(timed.uow, district.tenant_id)
    body = {**correction(volunteer, 30), **change}
    answer = await api.post("/v1/hours/corrections", json=body, headers=district.staff())
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == field
    statement = await api.get(f"/v1/volunteers/{volunteer}/hours", headers=district.staff())
    assert statement.json()["items"] == []


async def test_volunteers_a_bad_statement_request_is_a_4xx(
    api: httpx.AsyncClient, district: District
) -> None:
    staff = district.staff()
    for url, field in (
        ("/v1/volunteers/nope/hours", "path.volunteer_id"),
        (f"/v1/volunteers/{uuid.uuid4()}/hours?limit=0", "query.limit"),
        (f"/v1/volunteers/{uuid.uuid4()}/hours?cursor=forged", "query.cursor"),
    ):
        answer = await api.get(url, headers=staff)
        assert answer.status_code == 422, (url, answer.text)
        assert answer.json()["errors"][0]["field"] == field


async def test_volunteers_check_out_and_correction_values_are_checked_before_posting(
    district: District, timed: VolunteersContext
) -> None:
    tenant = district.tenant_id
    volunteer, _ = await add_volunteer(timed.uow, tenant)
    cases = [
        ({"minutes": -5, "reason": "check_out"}, "minutes"),
        ({"minutes": 5, "reason": "bonus"}, "reason"),
        ({"minutes": 5, "reason": "correction", "actor_id": "s"}, "note"),
        ({"minutes": 5, "reason": "check_out", "worked_on": datetime(2026, 11, 10)}, "worked_on"),
    ]
    for given, field in cases:
        async with timed.uow(tenant_id=tenant) as uow:
            with pytest.raises(InvalidInput) as refused:
                await post_hours(
                    uow,
                    tenant,
                    volunteer,
                    given.pop("minutes"),
                    reason=given.pop("reason"),
                    worked_on=given.pop("worked_on", MONDAY_9 - timedelta(hours=1)),
                    **given,
                )
        assert refused.value.field == field
