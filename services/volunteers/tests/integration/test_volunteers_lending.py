"""The tool-lending station over HTTP: inventory, loans, returns, holds in line, and the last
unit lent exactly once under concurrent requests."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest

from civicgrid.volunteers.v1 import events_pb2
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


async def _stock(
    api: httpx.AsyncClient, district: District, *, count: int = 1, kind: str = "ladder"
) -> tuple[str, str]:
    station = await api.post(
        "/v1/stations",
        json={"name": "Lixia tool shed", "lat": ORIGIN_LAT, "lon": ORIGIN_LON, "loan_days": 7},
        headers=district.staff(),
    )
    assert station.status_code == 201, station.text
    station_id = station.json()["id"]
    item = await api.post(
        f"/v1/stations/{station_id}/items",
        json={"kind": kind, "name": f"{kind} no. 1", "count": count},
        headers=district.staff(),
    )
    assert item.status_code == 201, item.text
    return station_id, item.json()["id"]


async def _lend(
    api: httpx.AsyncClient, district: District, station_id: str, item_id: str, person: uuid.UUID
) -> httpx.Response:
    return await api.post(
        f"/v1/stations/{station_id}/loans",
        json={"item_id": item_id, "borrower_person_id": str(person)},
        headers=district.staff(),
    )


async def _item(
    api: httpx.AsyncClient, district: District, station_id: str, item_id: str
) -> dict[str, Any]:
    found = await api.get(f"/v1/stations/{station_id}/items/{item_id}", headers=district.staff())
    assert found.status_code == 200, found.text
    body: dict[str, Any] = found.json()
    return body


async def _events(ctx: VolunteersContext, district: District) -> list[tuple[str, bytes]]:
    return await outbox(ctx.uow, district.tenant_id)


async def test_staff_stock_a_station_and_anyone_in_the_district_reads_its_inventory(
    api: httpx.AsyncClient, district: District
) -> None:
    station_id, ladder_id = await _stock(api, district, count=2)
    drill = await api.post(
        f"/v1/stations/{station_id}/items",
        json={"kind": "drill", "name": "Cordless drill", "count": 1, "condition": "worn"},
        headers=district.staff(),
    )
    assert drill.status_code == 201
    resident = district.person()
    listed = await api.get(f"/v1/stations/{station_id}/items", headers=resident)
    assert listed.status_code == 200
    assert [
        (i["kind"], i["count_total"], i["count_available"], i["condition"])
        for i in listed.json()["items"]
    ] == [("drill", 1, 1, "worn"), ("ladder", 2, 2, "good")]
    only = await api.get(f"/v1/stations/{station_id}/items?kind=drill", headers=resident)
    assert [i["name"] for i in only.json()["items"]] == ["Cordless drill"]
    stations = await api.get("/v1/stations", headers=resident)
    assert [s["id"] for s in stations.json()["items"]] == [station_id]

    # Residents read; only staff stock and change.
    refused = await api.post(
        f"/v1/stations/{station_id}/items", json={"kind": "saw", "name": "Saw"}, headers=resident
    )
    assert refused.status_code == 403
    assert (
        await api.post("/v1/stations", json={"name": "x", "lat": 0, "lon": 0}, headers=resident)
    ).status_code == 403
    changed = await api.patch(
        f"/v1/stations/{station_id}/items/{ladder_id}",
        json={"count": 3, "condition": "worn"},
        headers=district.staff(),
    )
    assert changed.status_code == 200
    assert (changed.json()["count_total"], changed.json()["count_available"]) == (3, 3)
    assert changed.json()["condition"] == "worn"
    longer = await api.patch(
        f"/v1/stations/{station_id}", json={"loan_days": 14}, headers=district.staff()
    )
    assert longer.json()["loan_days"] == 14 and longer.json()["name"] == "Lixia tool shed"


async def test_lending_takes_units_off_the_shelf_and_a_return_puts_them_back(
    api: httpx.AsyncClient, district: District, volunteers_ctx: VolunteersContext
) -> None:
    station_id, item_id = await _stock(api, district, count=2)
    borrower = uuid.uuid4()
    lent = await _lend(api, district, station_id, item_id, borrower)
    assert lent.status_code == 201, lent.text
    loan = lent.json()
    assert loan["state"] == "open" and loan["quantity"] == 1
    assert loan["due_at"] == (MONDAY_9 + timedelta(days=7)).isoformat().replace("+00:00", "Z")
    item = await _item(api, district, station_id, item_id)
    assert (item["count_available"], item["on_loan"]) == (1, 1)

    # The borrower sees their loan; another resident does not.
    mine = await api.get("/v1/loans", headers=district.person(borrower))
    assert [x["id"] for x in mine.json()["items"]] == [loan["id"]]
    assert (await api.get("/v1/loans", headers=district.person())).json()["items"] == []
    other = await api.get(f"/v1/loans/{loan['id']}", headers=district.person())
    assert other.status_code == 404
    assert (await api.get(f"/v1/loans/{loan['id']}", headers=district.person(borrower))).is_success

    # Two asked for, one on the shelf: refused, nothing taken.
    greedy = await api.post(
        f"/v1/stations/{station_id}/loans",
        json={"item_id": item_id, "borrower_person_id": str(uuid.uuid4()), "quantity": 2},
        headers=district.staff(),
    )
    assert greedy.status_code == 409
    assert greedy.headers["content-type"].startswith("application/problem+json")
    assert greedy.json()["errors"][0]["field"] == "quantity"
    assert (await _item(api, district, station_id, item_id))["count_available"] == 1

    back = await api.post(
        f"/v1/loans/{loan['id']}/return", json={"condition": "damaged"}, headers=district.staff()
    )
    assert back.status_code == 200
    assert back.json()["state"] == "returned" and back.json()["return_condition"] == "damaged"
    item = await _item(api, district, station_id, item_id)
    assert (item["count_available"], item["on_loan"], item["condition"]) == (2, 0, "damaged")
    again = await api.post(
        f"/v1/loans/{loan['id']}/return", json={"condition": "good"}, headers=district.staff()
    )
    assert again.status_code == 409

    announced = await _events(volunteers_ctx, district)
    assert [t for t, _ in announced] == ["loan.created", "loan.returned"]
    created = events_pb2.LoanCreated.FromString(announced[0][1])
    assert (created.loan_id, created.item_id, created.borrower_person_id, created.quantity) == (
        loan["id"],
        item_id,
        str(borrower),
        1,
    )
    assert created.due_at.ToDatetime(tzinfo=MONDAY_9.tzinfo) == MONDAY_9 + timedelta(days=7)
    returned = events_pb2.LoanReturned.FromString(announced[1][1])
    assert (returned.loan_id, returned.condition) == (loan["id"], "damaged")


async def test_a_lost_item_leaves_the_station_s_count(
    api: httpx.AsyncClient, district: District
) -> None:
    station_id, item_id = await _stock(api, district, count=3)
    lent = await api.post(
        f"/v1/stations/{station_id}/loans",
        json={"item_id": item_id, "borrower_person_id": str(uuid.uuid4()), "quantity": 2},
        headers=district.staff(),
    )
    assert lent.status_code == 201
    # Staff cannot count fewer than are out.
    too_few = await api.patch(
        f"/v1/stations/{station_id}/items/{item_id}", json={"count": 1}, headers=district.staff()
    )
    assert too_few.status_code == 409 and too_few.json()["errors"][0]["field"] == "count"
    lost = await api.post(
        f"/v1/loans/{lent.json()['id']}/return",
        json={"condition": "lost"},
        headers=district.staff(),
    )
    assert lost.status_code == 200
    item = await _item(api, district, station_id, item_id)
    assert (item["count_total"], item["count_available"], item["condition"]) == (1, 1, "good")


async def test_two_concurrent_loans_of_the_last_unit_exactly_one_succeeds(
    api: httpx.AsyncClient, district: District, volunteers_ctx: VolunteersContext
) -> None:
    station_id, item_id = await _stock(api, district, count=1)
    answers = await asyncio.gather(
        *(_lend(api, district, station_id, item_id, uuid.uuid4()) for _ in range(2))
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    station_id2, item_id2 = await _stock(api, district, count=3, kind="drill")
    answers = await asyncio.gather(
        *(_lend(api, district, station_id2, item_id2, uuid.uuid4()) for _ in range(8))
    )
    assert sorted(a.status_code for a in answers) == [201] * 3 + [409] * 5
    assert (await _item(api, district, station_id, item_id))["count_available"] == 0
    assert (await _item(api, district, station_id2, item_id2))["count_available"] == 0
    loans = await api.get(f"/v1/stations/{station_id2}/loans", headers=district.staff())
    assert len(loans.json()["items"]) == 3
    created = [t for t, _ in await _events(volunteers_ctx, district) if t == "loan.created"]
    assert len(created) == 4


async def test_a_returned_unit_is_kept_for_the_oldest_hold_and_passed_on_when_it_lapses(
    api: httpx.AsyncClient,
    district: District,
    clock: SettableClock,
    timed: VolunteersContext,
) -> None:
    station_id, item_id = await _stock(api, district, count=1)
    first_borrower, waiting_1, waiting_2 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    early = await api.post(
        "/v1/holds", json={"item_id": item_id}, headers=district.person(waiting_1)
    )
    assert early.status_code == 409  # on the shelf: borrow it
    loan = (await _lend(api, district, station_id, item_id, first_borrower)).json()

    hold_1 = await api.post(
        "/v1/holds", json={"item_id": item_id}, headers=district.person(waiting_1)
    )
    assert hold_1.status_code == 201, hold_1.text
    assert (hold_1.json()["status"], hold_1.json()["position"]) == ("waiting", 1)
    twice = await api.post(
        "/v1/holds", json={"item_id": item_id}, headers=district.person(waiting_1)
    )
    assert twice.status_code == 409
    clock.advance(minutes=5)
    # Staff hold for a resident who phoned.
    hold_2 = await api.post(
        "/v1/holds",
        json={"item_id": item_id, "person_id": str(waiting_2)},
        headers=district.staff(),
    )
    assert hold_2.json()["position"] == 2 and hold_2.json()["person_id"] == str(waiting_2)
    line = await api.get(f"/v1/holds?item_id={item_id}", headers=district.staff())
    assert [h["person_id"] for h in line.json()["items"]] == [str(waiting_1), str(waiting_2)]
    # A resident does not act for someone else.
    for_other = await api.post(
        "/v1/holds",
        json={"item_id": item_id, "person_id": str(waiting_2)},
        headers=district.person(waiting_1),
    )
    assert for_other.status_code == 403

    clock.advance(hours=1)
    await api.post(
        f"/v1/loans/{loan['id']}/return", json={"condition": "good"}, headers=district.staff()
    )
    ready = await api.get(f"/v1/holds/{hold_1.json()['id']}", headers=district.person(waiting_1))
    assert ready.json()["status"] == "ready"
    kept_until = clock.now + timedelta(days=2)
    assert ready.json()["kept_until"] == kept_until.isoformat().replace("+00:00", "Z")
    item = await _item(api, district, station_id, item_id)
    assert (item["count_available"], item["reserved"], item["waiting"]) == (0, 1, 1)
    # The kept unit is not for anyone else.
    assert (await _lend(api, district, station_id, item_id, uuid.uuid4())).status_code == 409
    second = await api.get(f"/v1/holds/{hold_2.json()['id']}", headers=district.person(waiting_2))
    assert second.json()["position"] == 1

    # Nobody came for it: after two days it goes to the next in line.
    clock.advance(days=2)
    await settle(timed)
    lapsed = await api.get(f"/v1/holds/{hold_1.json()['id']}", headers=district.person(waiting_1))
    assert lapsed.json()["status"] == "lapsed"
    passed = await api.get(f"/v1/holds/{hold_2.json()['id']}", headers=district.person(waiting_2))
    assert passed.json()["status"] == "ready"

    # The next borrower collects it: the kept unit is theirs, the hold fulfilled.
    theirs = await _lend(api, district, station_id, item_id, waiting_2)
    assert theirs.status_code == 201, theirs.text
    done = await api.get(f"/v1/holds/{hold_2.json()['id']}", headers=district.person(waiting_2))
    assert done.json()["status"] == "fulfilled"
    item = await _item(api, district, station_id, item_id)
    assert (item["count_available"], item["reserved"], item["on_loan"]) == (0, 0, 1)

    announced = await _events(timed, district)
    ready_for = [
        events_pb2.HoldReady.FromString(p).person_id for t, p in announced if t == "hold.ready"
    ]
    assert ready_for == [str(waiting_1), str(waiting_2)]
    # The fulfilled hold's lapse timer was cancelled: nothing happens when it would have been due.
    clock.advance(days=3)
    await settle(timed)
    assert (await _item(api, district, station_id, item_id))["on_loan"] == 1
    assert [t for t, _ in await _events(timed, district)].count("hold.ready") == 2


async def test_cancelling_a_ready_hold_puts_the_unit_back_on_the_shelf(
    api: httpx.AsyncClient, district: District
) -> None:
    station_id, item_id = await _stock(api, district, count=1)
    loan = (await _lend(api, district, station_id, item_id, uuid.uuid4())).json()
    resident = uuid.uuid4()
    hold = (
        await api.post("/v1/holds", json={"item_id": item_id}, headers=district.person(resident))
    ).json()
    # Someone else cannot see or cancel it.
    stranger = district.person()
    assert (await api.post(f"/v1/holds/{hold['id']}/cancel", headers=stranger)).status_code == 404
    await api.post(
        f"/v1/loans/{loan['id']}/return", json={"condition": "good"}, headers=district.staff()
    )
    cancelled = await api.post(f"/v1/holds/{hold['id']}/cancel", headers=district.person(resident))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    item = await _item(api, district, station_id, item_id)
    assert (item["count_available"], item["reserved"]) == (1, 0)
    again = await api.post(f"/v1/holds/{hold['id']}/cancel", headers=district.person(resident))
    assert again.status_code == 409
    mine = await api.get("/v1/holds?status=cancelled", headers=district.person(resident))
    assert [h["id"] for h in mine.json()["items"]] == [hold["id"]]


async def test_new_stock_goes_to_the_residents_waiting_first(
    api: httpx.AsyncClient, district: District
) -> None:
    station_id, item_id = await _stock(api, district, count=1)
    await _lend(api, district, station_id, item_id, uuid.uuid4())
    resident = uuid.uuid4()
    hold = (
        await api.post("/v1/holds", json={"item_id": item_id}, headers=district.person(resident))
    ).json()
    more = await api.patch(
        f"/v1/stations/{station_id}/items/{item_id}", json={"count": 3}, headers=district.staff()
    )
    assert more.status_code == 200
    assert (more.json()["count_available"], more.json()["reserved"]) == (1, 1)
    found = await api.get(f"/v1/holds/{hold['id']}", headers=district.person(resident))
    assert found.json()["status"] == "ready"
