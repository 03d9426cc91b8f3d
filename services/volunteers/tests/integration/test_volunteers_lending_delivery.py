"""A delivery for a borrower who cannot come: a tool_delivery task for one volunteer at their
place, announced as task.created and handed to the offers by an offer_round timer."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from civicgrid.volunteers.v1 import events_pb2
from civicgrid.volunteers.v1 import volunteers_service_pb2 as volunteers_pb
from civicgrid_platform import timers
from civicgrid_platform.db.outbox_table import OUTBOX
from civicgrid_volunteers.db.tables import tasks
from civicgrid_volunteers.usecases.context import VolunteersContext
from services.volunteers.tests.volunteers_support import (
    MONDAY_9,
    ORIGIN_LAT,
    ORIGIN_LON,
    District,
)

pytestmark = pytest.mark.integration
HOME = {"lat": ORIGIN_LAT + 0.01, "lon": ORIGIN_LON + 0.01}
WINDOW = {
    "starts_at": (MONDAY_9 + timedelta(hours=5)).isoformat(),
    "ends_at": (MONDAY_9 + timedelta(hours=8)).isoformat(),
}


async def _loan(api: httpx.AsyncClient, district: District, borrower: uuid.UUID) -> dict[str, Any]:
    staff = district.staff()
    station = await api.post(
        "/v1/stations",
        json={
            "name": "Quancheng shed",
            "lat": ORIGIN_LAT,
            "lon": ORIGIN_LON,
            "community_id": str(district.community),
        },
        headers=staff,
    )
    item = await api.post(
        f"/v1/stations/{station.json()['id']}/items",
        json={"kind": "wheelchair", "name": "Folding wheelchair"},
        headers=staff,
    )
    lent = await api.post(
        f"/v1/stations/{station.json()['id']}/loans",
        json={"item_id": item.json()["id"], "borrower_person_id": str(borrower)},
        headers=staff,
    )
    assert lent.status_code == 201, lent.text
    body: dict[str, Any] = lent.json()
    return body


async def test_a_borrower_asks_for_delivery_and_a_task_goes_to_the_volunteers(
    api: httpx.AsyncClient, district: District, timed: VolunteersContext
) -> None:
    borrower = uuid.uuid4()
    loan = await _loan(api, district, borrower)
    body = {**HOME, **WINDOW, "note": "3rd floor, ring twice"}
    # Only the borrower (or staff) may ask; others do not even see the loan.
    stranger = await api.post(
        f"/v1/loans/{loan['id']}/delivery", json=body, headers=district.person()
    )
    assert stranger.status_code == 404
    asked = await api.post(
        f"/v1/loans/{loan['id']}/delivery", json=body, headers=district.person(borrower)
    )
    assert asked.status_code == 201, asked.text
    task_id = uuid.UUID(asked.json()["task_id"])
    assert asked.json()["loan"]["delivery_task_id"] == str(task_id)

    async with timed.uow(tenant_id=district.tenant_id) as uow:
        row = (await uow.session.execute(select(tasks).where(tasks.c.id == task_id))).one()
        assert await timers.due_at(uow.session, "offer_round", task_id) == MONDAY_9
        # The offers code handles that timer; this test only checks the hand-over.
        await timers.cancel(uow.session, "offer_round", task_id)
        await uow.commit()
    assert (row.kind, row.source, row.source_ref) == ("tool_delivery", "loan", loan["id"])
    assert (row.lat, row.lon) == (HOME["lat"], HOME["lon"])
    assert (row.volunteers_needed, row.urgency, row.status) == (1, "normal", "open")
    assert row.starts_at == MONDAY_9 + timedelta(hours=5)
    assert row.ends_at == MONDAY_9 + timedelta(hours=8)
    assert row.client_person_id == borrower and row.community_id == district.community
    assert "Folding wheelchair" in row.title and "ring twice" in row.description

    async with timed.uow(tenant_id=None) as uow:
        found = (
            await uow.session.execute(
                select(OUTBOX.c.headers, OUTBOX.c.payload).where(OUTBOX.c.key == str(task_id))
            )
        ).one()
    assert found.headers["ce_type"] == "civicgrid.volunteers.v1.task.created"
    task = events_pb2.TaskCreated.FromString(found.payload).task
    assert (task.task_id, task.kind, task.source, task.source_ref) == (
        str(task_id),
        "tool_delivery",
        "loan",
        loan["id"],
    )
    assert (task.location.lat, task.location.lon) == (HOME["lat"], HOME["lon"])
    assert task.volunteers_needed == 1 and task.urgency == volunteers_pb.URGENCY_NORMAL
    assert task.client_person_id == str(borrower)

    # One delivery per loan.
    again = await api.post(f"/v1/loans/{loan['id']}/delivery", json=body, headers=district.staff())
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "loan_id"


async def test_a_returned_loan_needs_no_delivery_and_a_bad_window_is_refused(
    api: httpx.AsyncClient, district: District
) -> None:
    loan = await _loan(api, district, uuid.uuid4())
    staff = district.staff()
    backwards = {**HOME, "starts_at": WINDOW["ends_at"], "ends_at": WINDOW["starts_at"]}
    refused = await api.post(f"/v1/loans/{loan['id']}/delivery", json=backwards, headers=staff)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "ends_at"
    await api.post(f"/v1/loans/{loan['id']}/return", json={"condition": "good"}, headers=staff)
    late = await api.post(
        f"/v1/loans/{loan['id']}/delivery", json={**HOME, **WINDOW}, headers=staff
    )
    assert late.status_code == 409
