"""A joint meeting from its proposed agenda to an overdue commitment, over HTTP with the
sweep on a test clock."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from civicgrid.grid.v1 import grid_service_pb2 as grid_pb
from civicgrid_platform.db.outbox_table import OUTBOX
from civicgrid_tickets.usecases import map_model
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.sla_sweep import sweep
from services.tickets.tests.tickets_support import MONDAY_9, District, SettableClock, bearer

pytestmark = pytest.mark.integration


async def test_from_agenda_to_an_overdue_commitment(
    timed: TicketsContext, timed_api: httpx.AsyncClient, clock: SettableClock, district: District
) -> None:
    ctx, api = timed, timed_api
    tenant = uuid.UUID(district.tenant)
    department = uuid.uuid4()
    async with ctx.uow(tenant_id=tenant) as uow:
        await map_model.remember_department(
            uow,
            tenant,
            grid_pb.Department(id=str(department), name="历下区城市管理局", categories=["roads"]),
            False,
        )
        await uow.commit()

    resident = bearer(district.tenant, "resident")
    leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[0])),)
    )
    staff = bearer(
        district.tenant,
        "community_staff",
        bindings=(("community_staff", str(district.communities[0])),),
    )

    async def report(grid: int) -> str:
        lat, lon = district.inside(grid)
        answer = await api.post(
            "/v1/tickets",
            json={"category": "roads", "description": f"道路塌陷 {grid}", "lat": lat, "lon": lon},
            headers=resident,
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    stalled, fresh, elsewhere = await report(0), await report(1), await report(2)
    other_leader = bearer(
        district.tenant, "grid_leader", bindings=(("grid_leader", str(district.grids[2])),)
    )
    for ticket, who in ((stalled, leader), (elsewhere, other_leader)):  # both climb a level
        escalated = await api.post(
            f"/v1/tickets/{ticket}/actions",
            json={"action": "escalate", "reason_code": "needs_departments"},
            headers=who,
        )
        assert escalated.json()["level"] == "community", escalated.text

    meeting = await api.post(
        "/v1/meetings",
        json={
            "level": "community",
            "unit_id": str(district.communities[0]),
            "title": "十一月社区联席会议",
            "held_at": "2026-12-01T09:00:00+08:00",
            "department_ids": [str(department)],
        },
        headers=staff,
    )
    assert meeting.status_code == 201, meeting.text
    body = meeting.json()
    # Proposed: what climbed above its grid under this community; not the fresh one, nor the
    # other community's.
    assert [(i["ticket_id"], i["reason"]) for i in body["agenda"]] == [(stalled, "escalated")]
    url = f"/v1/meetings/{body['id']}"
    added = await api.post(f"{url}/agenda", json={"ticket_id": fresh}, headers=staff)
    assert sorted(i["ticket_id"] for i in added.json()["agenda"]) == sorted([stalled, fresh])
    removed = await api.delete(f"{url}/agenda/{fresh}", headers=staff)
    assert [i["ticket_id"] for i in removed.json()["agenda"]] == [stalled]
    assert (await api.delete(f"{url}/agenda/{fresh}", headers=staff)).status_code == 404
    assert (await api.post("/v1/meetings", json={}, headers=resident)).status_code == 422
    assert (
        await api.post(
            "/v1/meetings",
            json={
                "level": "community",
                "unit_id": str(district.communities[0]),
                "title": "x",
                "held_at": "2026-12-01T09:00:00+08:00",
            },
            headers=resident,
        )
    ).status_code == 403

    due = (MONDAY_9 + timedelta(days=2)).isoformat()
    promise = {
        "ticket_id": stalled,
        "department_id": str(department),
        "responsible": "王建国",
        "action": "三日内修复路面",
        "due_at": due,
    }
    for wrong, field in (
        ({"ticket_id": fresh}, "ticket_id"),
        ({"department_id": str(uuid.uuid4())}, "department_id"),
    ):
        refused = await api.post(f"{url}/commitments", json={**promise, **wrong}, headers=staff)
        assert refused.status_code == 422 and field in refused.text
    made = await api.post(f"{url}/commitments", json=promise, headers=staff)
    assert made.status_code == 201, made.text
    minutes = await api.put(
        f"{url}/minutes", json={"minutes": "城管局承诺三日内修复。"}, headers=staff
    )
    assert minutes.json()["minutes"] == "城管局承诺三日内修复。"

    clock.at = MONDAY_9 + timedelta(days=2, seconds=1)
    while (await sweep(ctx, limit=500)).handled == 500:
        pass
    view = (await api.get(url, headers=staff)).json()
    assert view["commitments"][0]["overdue_at"] is not None
    history = (await api.get(f"/v1/tickets/{stalled}/history", headers=staff)).json()
    assert [h["action"] for h in history if "commitment" in h["action"]] == [
        "commitment",
        "commitment_overdue",
    ]
    async with ctx.uow(tenant_id=None) as uow:
        types = [
            r.headers["ce_type"].rsplit(".", 2)[-2:]
            for r in await uow.session.execute(
                select(OUTBOX.c.headers).where(OUTBOX.c.key.in_([stalled, body["id"]]))
            )
        ]
    assert ["meeting", "scheduled"] in types
    assert ["commitment", "made"] in types and ["commitment", "overdue"] in types

    done = await api.post(f"/v1/commitments/{made.json()['id']}/done", headers=staff)
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert (
        await api.post(f"/v1/commitments/{made.json()['id']}/done", headers=staff)
    ).status_code == 409
