"""Intake over HTTP on real PostgreSQL: routing from tickets' own copy of the map, owners,
numbers, validation, anonymity, idempotency and duplicate suggestion."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import select

from civicgrid_platform.db.outbox_table import OUTBOX
from civicgrid_tickets.usecases.context import TicketsContext
from services.tickets.tests.tickets_support import STEP, District, bearer

pytestmark = pytest.mark.integration


def _report(lat: float, lon: float, **extra: object) -> dict[str, object]:
    return {"category": "roads", "description": "路面塌陷一个大坑", "lat": lat, "lon": lon, **extra}


async def test_a_report_lands_in_its_grid_owned_at_grid_level_with_a_number(
    api: httpx.AsyncClient, district: District, tickets_ctx: TicketsContext
) -> None:
    lat, lon = district.inside(2)
    resident = str(uuid.uuid4())
    answer = await api.post(
        "/v1/tickets",
        json=_report(lat, lon),
        headers=bearer(district.tenant, "resident", subject=resident),
    )
    assert answer.status_code == 201, answer.text
    ticket = answer.json()
    assert ticket["grid_id"] == str(district.grids[2])
    assert ticket["ancestor_ids"] == [
        str(district.communities[1]),
        str(district.street),
        str(district.district),
    ]
    assert (ticket["level"], ticket["owner_unit_id"]) == ("grid", str(district.grids[2]))
    assert ticket["status"] == "submitted" and ticket["priority"] == "P2"
    assert ticket["number"].endswith("-000001") and ticket["boundary_warning"] is None

    second = await api.post(
        "/v1/tickets",
        json=_report(lat, lon, description="另一处问题"),
        headers=bearer(district.tenant, "resident", subject=resident),
    )
    assert second.json()["number"].endswith("-000002")

    history = await api.get(
        f"/v1/tickets/{ticket['id']}/history",
        headers=bearer(district.tenant, "resident", subject=resident),
    )
    assert [(h["action"], h["to_status"]) for h in history.json()] == [("submit", "submitted")]

    async with tickets_ctx.uow(tenant_id=None) as uow:
        rows = (
            await uow.session.execute(
                select(OUTBOX.c.headers).where(OUTBOX.c.key == ticket["id"]).order_by(OUTBOX.c.id)
            )
        ).all()
    assert [r.headers["ce_type"].rsplit(".", 2)[-2:] for r in rows] == [
        ["ticket", "created"],
        ["ticket", "routed"],
        ["ticket", "assigned"],
    ]


async def test_near_an_edge_the_neighbouring_grid_is_kept_as_a_boundary_warning(
    api: httpx.AsyncClient, district: District
) -> None:
    lat, _ = district.inside(0)
    lon = 117.0 + STEP - 0.0001  # ~9 m west of the edge shared with grid 1
    answer = await api.post(
        "/v1/tickets", json=_report(lat, lon), headers=bearer(district.tenant, "resident")
    )
    ticket = answer.json()
    assert ticket["grid_id"] == str(district.grids[0])
    warning = ticket["boundary_warning"]
    assert warning["neighbour_grid_id"] == str(district.grids[1])
    assert 5 < warning["distance_m"] < 15


async def test_outside_every_grid_the_ticket_waits_at_city_level(
    api: httpx.AsyncClient, district: District
) -> None:
    answer = await api.post(
        "/v1/tickets", json=_report(10.0, 10.0), headers=bearer(district.tenant, "resident")
    )
    ticket = answer.json()
    assert (ticket["grid_id"], ticket["level"], ticket["owner_unit_id"]) == (None, "city", None)


async def test_bad_reports_are_refused_naming_the_field(
    api: httpx.AsyncClient, district: District
) -> None:
    lat, lon = district.inside(0)
    headers = bearer(district.tenant, "resident")
    cases = [
        ({**_report(lat, lon), "category": "volcano"}, "category"),
        ({**_report(lat, lon), "description": ""}, "description"),
        ({"category": "roads", "description": "x"}, "location"),
        ({**_report(lat, lon), "category": "elevator"}, "attributes.people_trapped"),
        (
            {
                **_report(lat, lon),
                "category": "elevator",
                "attributes": {"people_trapped": "maybe"},
            },
            "attributes.people_trapped",
        ),
        ({**_report(lat, lon), "attributes": {"colour": "red"}}, "attributes.colour"),
        ({**_report(lat, lon), "anonymous": True}, "contact"),
        ({**_report(lat, lon), "lat": 91}, "lat"),
    ]
    for body, field in cases:
        answer = await api.post("/v1/tickets", json=body, headers=headers)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert field in answer.text, (field, answer.text)


async def test_an_anonymous_report_keeps_the_reporter_off_the_ticket(
    api: httpx.AsyncClient, district: District
) -> None:
    lat, lon = district.inside(1)
    resident = str(uuid.uuid4())
    answer = await api.post(
        "/v1/tickets",
        json=_report(lat, lon, anonymous=True, contact={"phone": "13800138000"}),
        headers=bearer(district.tenant, "resident", subject=resident),
    )
    assert answer.status_code == 201, answer.text
    # Not linked to the resident: it is not among their tickets.
    mine = await api.get(
        "/v1/tickets", headers=bearer(district.tenant, "resident", subject=resident)
    )
    assert mine.json()["items"] == []


async def test_a_retried_submission_never_makes_a_second_ticket(
    api: httpx.AsyncClient, district: District
) -> None:
    lat, lon = district.inside(3)
    headers = {**bearer(district.tenant, "resident"), "Idempotency-Key": str(uuid.uuid4())}
    first = await api.post("/v1/tickets", json=_report(lat, lon), headers=headers)
    again = await api.post("/v1/tickets", json=_report(lat, lon), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    listed = await api.get("/v1/tickets", headers=bearer(district.tenant, "tenant_admin"))
    assert len(listed.json()["items"]) == 1


async def test_a_similar_report_close_by_is_suggested_as_a_duplicate(
    api: httpx.AsyncClient, district: District
) -> None:
    lat, lon = district.inside(0)
    headers = bearer(district.tenant, "resident")
    first = await api.post(
        "/v1/tickets",
        json={**_report(lat, lon), "category": "lighting", "description": "3号楼前路灯不亮了"},
        headers=headers,
    )
    other_kind = await api.post("/v1/tickets", json=_report(lat + 0.0002, lon), headers=headers)
    second = await api.post(
        "/v1/tickets",
        json={
            **_report(lat + 0.0002, lon),
            "category": "lighting",
            "description": "3号楼门前的路灯不亮",
        },
        headers=headers,
    )
    assert other_kind.json()["possible_duplicates"] == []
    suggested = second.json()["possible_duplicates"]
    assert [s["ticket_id"] for s in suggested] == [first.json()["id"]]
    assert 15 < suggested[0]["distance_m"] < 30 and suggested[0]["similarity"] > 0.5


async def test_first_reports_of_a_new_district_racing_all_find_the_catalogue(
    api: httpx.AsyncClient, district: District
) -> None:
    lat, lon = district.inside(1)
    answers = await asyncio.gather(
        *(
            api.post(
                "/v1/tickets",
                json=_report(lat, lon, description=f"第{n}个"),
                headers=bearer(district.tenant, "resident"),
            )
            for n in range(6)
        )
    )
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
