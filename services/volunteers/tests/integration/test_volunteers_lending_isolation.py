"""Districts are isolated twice over at the lending station: every query names the caller's
district, so another district's stations, items, loans and holds are 404 over HTTP; and
row-level security alone refuses the rows even to a query that names the right district from
a transaction bound to another."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from civicgrid_volunteers.db.lending_repo import LendingRepository
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import ORIGIN_LAT, ORIGIN_LON, District

pytestmark = pytest.mark.integration


async def _lending_station(api: httpx.AsyncClient, district: District) -> dict[str, Any]:
    """A station with a ladder lent out, a resident waiting for it, and a drill on the shelf."""
    staff = district.staff()
    station = await api.post(
        "/v1/stations",
        json={
            "name": "Shed",
            "lat": ORIGIN_LAT,
            "lon": ORIGIN_LON,
            "community_id": str(district.community),
        },
        headers=staff,
    )
    station_id = station.json()["id"]
    ladder = await api.post(
        f"/v1/stations/{station_id}/items",
        json={"kind": "ladder", "name": "Ladder", "count": 1},
        headers=staff,
    )
    drill = await api.post(
        f"/v1/stations/{station_id}/items",
        json={"kind": "drill", "name": "Drill", "count": 2},
        headers=staff,
    )
    borrower = uuid.uuid4()
    loan = await api.post(
        f"/v1/stations/{station_id}/loans",
        json={"item_id": ladder.json()["id"], "borrower_person_id": str(borrower)},
        headers=staff,
    )
    waiting = uuid.uuid4()
    hold = await api.post(
        "/v1/holds", json={"item_id": ladder.json()["id"]}, headers=district.person(waiting)
    )
    assert hold.status_code == 201, hold.text
    return {
        "station": station_id,
        "ladder": ladder.json()["id"],
        "drill": drill.json()["id"],
        "loan": loan.json()["id"],
        "borrower": borrower,
        "hold": hold.json()["id"],
    }


async def test_another_district_cannot_see_or_touch_a_station_over_http(
    api: httpx.AsyncClient, district: District
) -> None:
    mine = await _lending_station(api, district)
    other = District()
    staff, admin = other.staff(), other.admin()
    station, drill, loan = mine["station"], mine["drill"], mine["loan"]
    reads = [
        f"/v1/stations/{station}",
        f"/v1/stations/{station}/items",
        f"/v1/stations/{station}/items/{drill}",
        f"/v1/stations/{station}/loans",
        f"/v1/loans/{loan}",
        f"/v1/holds/{mine['hold']}",
    ]
    for path in reads:
        for who in (staff, admin):
            found = await api.get(path, headers=who)
            assert found.status_code == 404, path
            assert found.headers["content-type"].startswith("application/problem+json")
    writes = [
        ("patch", f"/v1/stations/{station}", {"name": "Mine now"}),
        ("post", f"/v1/stations/{station}/items", {"kind": "saw", "name": "Saw"}),
        ("patch", f"/v1/stations/{station}/items/{drill}", {"count": 0}),
        (
            "post",
            f"/v1/stations/{station}/loans",
            {"item_id": drill, "borrower_person_id": str(uuid.uuid4())},
        ),
        ("post", f"/v1/loans/{loan}/return", {"condition": "lost"}),
        (
            "post",
            f"/v1/loans/{loan}/delivery",
            {
                "lat": ORIGIN_LAT,
                "lon": ORIGIN_LON,
                "starts_at": "2026-12-01T01:00:00Z",
                "ends_at": "2026-12-01T03:00:00Z",
            },
        ),
        ("post", "/v1/holds", {"item_id": mine["ladder"]}),
        ("post", f"/v1/holds/{mine['hold']}/cancel", None),
    ]
    for method, path, body in writes:
        answer = await api.request(method.upper(), path, json=body, headers=staff)
        assert answer.status_code == 404, (method, path, answer.text)
    # Lists of the other district are simply its own (empty).
    assert (await api.get("/v1/stations", headers=staff)).json()["items"] == []
    someone = await api.get(
        f"/v1/loans?borrower_person_id={mine['borrower']}&state=all", headers=staff
    )
    assert someone.json()["items"] == []
    assert (await api.get(f"/v1/holds?item_id={mine['ladder']}", headers=staff)).json()[
        "items"
    ] == []

    # Nothing changed in the first district.
    own = district.staff()
    station_now = (await api.get(f"/v1/stations/{station}", headers=own)).json()
    assert station_now["name"] == "Shed"
    items = (await api.get(f"/v1/stations/{station}/items", headers=own)).json()["items"]
    assert [(i["kind"], i["count_total"], i["count_available"]) for i in items] == [
        ("drill", 2, 2),
        ("ladder", 1, 0),
    ]
    loan_now = (await api.get(f"/v1/loans/{loan}", headers=own)).json()
    assert loan_now["state"] == "open" and loan_now["delivery_task_id"] is None
    hold_now = (await api.get(f"/v1/holds/{mine['hold']}", headers=own)).json()
    assert hold_now["status"] == "waiting"


async def test_row_level_security_alone_hides_and_protects_another_district_s_rows(
    api: httpx.AsyncClient, district: District, volunteers_ctx: VolunteersContext
) -> None:
    mine = await _lending_station(api, district)
    station, drill, loan = (uuid.UUID(mine[k]) for k in ("station", "drill", "loan"))
    # The repository names the first district, as a bug passing the wrong tenant would; the
    # transaction is bound to another district, and the database refuses every row.
    async with volunteers_ctx.uow(tenant_id=uuid.uuid4()) as uow:
        repo = LendingRepository(uow.session, district.tenant_id)
        assert await repo.station(station) is None
        assert await repo.item(drill) is None
        assert await repo.loan(loan) is None
        assert await repo.items(station, None, None, 50) == []
        assert await repo.take(drill, 1) is False
        assert await repo.set_loan(loan, returned_at=None) is False
        touched = await uow.session.execute(
            text("UPDATE items SET count_available = 0 WHERE id = :id RETURNING id"), {"id": drill}
        )
        assert touched.first() is None
        await uow.commit()
    # With no district bound at all, nothing is visible either.
    async with volunteers_ctx.uow(tenant_id=None) as uow:
        count = await uow.session.scalar(
            text("SELECT count(*) FROM loans WHERE id = :id"), {"id": loan}
        )
        assert count == 0
    # Bound to the right district, the same repository finds them untouched.
    async with volunteers_ctx.uow(tenant_id=district.tenant_id) as uow:
        repo = LendingRepository(uow.session, district.tenant_id)
        found = await repo.item(drill)
        assert found is not None and found.count_available == 2
        assert (await repo.station(station)) is not None
        assert (await repo.loan(loan)) is not None
