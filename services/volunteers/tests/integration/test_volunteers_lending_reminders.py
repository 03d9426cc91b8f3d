"""Lending with due-soon and overdue reminders: the timers fire as the clock moves, announce
loan.due_soon once and loan.overdue every two days while the loan stays out, and stop at the
return."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform import timers
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import (
    MONDAY_9,
    ORIGIN_LAT,
    ORIGIN_LON,
    District,
    SettableClock,
    outbox,
    settle,
)

pytestmark = pytest.mark.integration


async def _loan(
    api: httpx.AsyncClient, district: District, borrower: uuid.UUID, **extra: Any
) -> dict[str, Any]:
    staff = district.staff()
    station = await api.post(
        "/v1/stations",
        json={"name": "Shed", "lat": ORIGIN_LAT, "lon": ORIGIN_LON, "loan_days": 7},
        headers=staff,
    )
    item = await api.post(
        f"/v1/stations/{station.json()['id']}/items",
        json={"kind": "ladder", "name": "Ladder", "count": 1},
        headers=staff,
    )
    lent = await api.post(
        f"/v1/stations/{station.json()['id']}/loans",
        json={"item_id": item.json()["id"], "borrower_person_id": str(borrower), **extra},
        headers=staff,
    )
    assert lent.status_code == 201, lent.text
    body: dict[str, Any] = lent.json()
    return body


async def _reminders(ctx: VolunteersContext, district: District) -> list[tuple[str, Any]]:
    """The district's loan reminders in the outbox, decoded, oldest first."""
    decode = {"loan.due_soon": events_pb2.LoanDueSoon, "loan.overdue": events_pb2.LoanOverdue}
    found = await outbox(ctx.uow, district.tenant_id)
    return [(t, decode[t].FromString(p)) for t, p in found if t in decode]


async def _run_timers(timed: VolunteersContext, clock: SettableClock, **delta: float) -> None:
    clock.advance(**delta)
    await settle(timed)


async def test_lending_with_due_soon_and_repeated_overdue_reminders_until_the_return(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    borrower = uuid.uuid4()
    loan = await _loan(api, district, borrower)
    due = MONDAY_9 + timedelta(days=7)

    await _run_timers(timed, clock, days=5, hours=23)
    assert await _reminders(timed, district) == []

    await _run_timers(timed, clock, hours=1)  # a day before the due date
    sent = await _reminders(timed, district)
    assert [t for t, _ in sent] == ["loan.due_soon"]
    assert sent[0][1].loan_id == loan["id"] and sent[0][1].borrower_person_id == str(borrower)
    assert sent[0][1].due_at.ToDatetime(tzinfo=due.tzinfo) == due
    seen = (await api.get(f"/v1/loans/{loan['id']}", headers=district.person(borrower))).json()
    assert seen["state"] == "open" and seen["due_soon_sent_at"] is not None

    await _run_timers(timed, clock, hours=23, minutes=59)
    assert len(await _reminders(timed, district)) == 1  # not overdue yet
    await _run_timers(timed, clock, minutes=1)  # the due date
    sent = await _reminders(timed, district)
    assert [t for t, _ in sent] == ["loan.due_soon", "loan.overdue"]
    assert sent[1][1].loan_id == loan["id"] and sent[1][1].borrower_person_id == str(borrower)
    seen = (await api.get(f"/v1/loans/{loan['id']}", headers=district.person(borrower))).json()
    assert seen["state"] == "overdue"
    assert seen["overdue_sent_at"] == due.isoformat().replace("+00:00", "Z")
    overdue = await api.get(
        f"/v1/stations/{loan['station_id']}/loans?state=overdue", headers=district.staff()
    )
    assert [x["id"] for x in overdue.json()["items"]] == [loan["id"]]
    mine = await api.get("/v1/loans?state=overdue", headers=district.person(borrower))
    assert [x["id"] for x in mine.json()["items"]] == [loan["id"]]

    await _run_timers(timed, clock, days=1)
    assert len(await _reminders(timed, district)) == 2  # once every two days, not daily
    await _run_timers(timed, clock, days=1)
    assert [t for t, _ in await _reminders(timed, district)] == [
        "loan.due_soon",
        "loan.overdue",
        "loan.overdue",
    ]

    returned = await api.post(
        f"/v1/loans/{loan['id']}/return", json={"condition": "worn"}, headers=district.staff()
    )
    assert returned.status_code == 200
    await _run_timers(timed, clock, days=10)
    assert len(await _reminders(timed, district)) == 3  # the return stopped the reminders
    async with timed.uow(tenant_id=district.tenant_id) as uow:
        for kind in ("loan_due_soon", "loan_overdue"):
            assert await timers.due_at(uow.session, kind, uuid.UUID(loan["id"])) is None
    still_open = await api.get(
        f"/v1/stations/{loan['station_id']}/loans?state=open", headers=district.staff()
    )
    assert still_open.json()["items"] == []


async def test_a_loan_returned_on_time_is_never_reminded(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    loan = await _loan(api, district, uuid.uuid4())
    await _run_timers(timed, clock, days=2)
    await api.post(
        f"/v1/loans/{loan['id']}/return", json={"condition": "good"}, headers=district.staff()
    )
    await _run_timers(timed, clock, days=30)
    assert await _reminders(timed, district) == []


async def test_a_short_loan_is_reminded_at_once_and_then_when_overdue(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    due = MONDAY_9 + timedelta(hours=6)
    loan = await _loan(api, district, uuid.uuid4(), due_at=due.isoformat())
    assert loan["due_at"] == due.isoformat().replace("+00:00", "Z")
    await _run_timers(timed, clock, seconds=0)
    assert [t for t, _ in await _reminders(timed, district)] == ["loan.due_soon"]
    await _run_timers(timed, clock, hours=6)
    assert [t for t, _ in await _reminders(timed, district)] == ["loan.due_soon", "loan.overdue"]


async def test_a_late_timer_run_sends_only_the_overdue_reminder(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext, clock: SettableClock
) -> None:
    """Timers down for a week: the due-soon reminder is stale by then and stays unsent."""
    await _loan(api, district, uuid.uuid4())
    await _run_timers(timed, clock, days=8)
    assert [t for t, _ in await _reminders(timed, district)] == ["loan.overdue"]
