"""Bad input at the lending station gets a 4xx problem document naming the field, never a 500;
people act only within their role."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.volunteers.tests.volunteers_support import ORIGIN_LAT, ORIGIN_LON, District

pytestmark = pytest.mark.integration


async def _stock(api: httpx.AsyncClient, district: District) -> tuple[str, str]:
    station = await api.post(
        "/v1/stations",
        json={"name": "Shed", "lat": ORIGIN_LAT, "lon": ORIGIN_LON},
        headers=district.staff(),
    )
    item = await api.post(
        f"/v1/stations/{station.json()['id']}/items",
        json={"kind": "ladder", "name": "Ladder"},
        headers=district.staff(),
    )
    return station.json()["id"], item.json()["id"]


def _fields(answer: httpx.Response) -> list[str]:
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return [e["field"] for e in answer.json().get("errors", [])]


async def test_bad_input_is_a_problem_naming_the_field(
    api: httpx.AsyncClient, district: District
) -> None:
    station_id, item_id = await _stock(api, district)
    staff = district.staff()
    person = str(uuid.uuid4())
    cases: list[tuple[str, str, Any, int, str]] = [
        ("POST", "/v1/stations", {"name": "x", "lat": 91, "lon": 0}, 422, "body.lat"),
        ("POST", "/v1/stations", {"name": "  ", "lat": 0, "lon": 0}, 422, "body.name"),
        (
            "POST",
            "/v1/stations",
            {"name": "x", "lat": 0, "lon": 0, "loan_days": 0},
            422,
            "body.loan_days",
        ),
        (
            "POST",
            "/v1/stations",
            {"name": "x", "lat": 0, "lon": 0, "colour": "red"},
            422,
            "body.colour",
        ),
        ("PATCH", f"/v1/stations/{station_id}", {"loan_days": 1000}, 422, "body.loan_days"),
        (
            "POST",
            f"/v1/stations/{station_id}/items",
            {"kind": "Big Ladder!", "name": "x"},
            422,
            "body.kind",
        ),
        (
            "POST",
            f"/v1/stations/{station_id}/items",
            {"kind": "saw", "name": "x", "count": -1},
            422,
            "body.count",
        ),
        (
            "POST",
            f"/v1/stations/{station_id}/items",
            {"kind": "saw", "name": "x", "condition": "broken"},
            422,
            "body.condition",
        ),
        (
            "PATCH",
            f"/v1/stations/{station_id}/items/{item_id}",
            {"count": 10**9},
            422,
            "body.count",
        ),
        (
            "POST",
            f"/v1/stations/{station_id}/loans",
            {"item_id": item_id, "borrower_person_id": "someone"},
            422,
            "body.borrower_person_id",
        ),
        (
            "POST",
            f"/v1/stations/{station_id}/loans",
            {"item_id": item_id, "borrower_person_id": person, "quantity": 0},
            422,
            "body.quantity",
        ),
        (
            "POST",
            f"/v1/stations/{station_id}/loans",
            {"item_id": item_id, "borrower_person_id": person, "due_at": "2026-12-24T10:00:00"},
            422,
            "body.due_at",
        ),
        (
            "POST",
            f"/v1/stations/{station_id}/loans",
            {"item_id": item_id, "borrower_person_id": person, "due_at": "2020-01-01T00:00:00Z"},
            422,
            "due_at",
        ),
        (
            "POST",
            f"/v1/stations/{station_id}/loans",
            {"item_id": str(uuid.uuid4()), "borrower_person_id": person},
            404,
            "item_id",
        ),
        (
            "POST",
            "/v1/stations/not-a-uuid/loans",
            {"item_id": item_id, "borrower_person_id": person},
            422,
            "path.station_id",
        ),
        ("GET", f"/v1/stations/{station_id}/loans?state=late", None, 422, "query.state"),
        ("GET", f"/v1/stations/{uuid.uuid4()}/items", None, 404, "station_id"),
        ("POST", "/v1/holds", {"item_id": 5}, 422, "body.item_id"),
        ("GET", "/v1/holds?status=gone", None, 422, "query.status.0"),
    ]
    for method, path, body, status, field in cases:
        answer = await api.request(method, path, json=body, headers=staff)
        assert answer.status_code == status, (method, path, body, answer.text)
        assert field in _fields(answer), (method, path, body, answer.text)

    lent = await api.post(
        f"/v1/stations/{station_id}/loans",
        json={"item_id": item_id, "borrower_person_id": person},
        headers=staff,
    )
    loan_id = lent.json()["id"]
    bad_return = await api.post(
        f"/v1/loans/{loan_id}/return", json={"condition": "meh"}, headers=staff
    )
    assert bad_return.status_code == 422 and _fields(bad_return) == ["body.condition"]
    naive = await api.post(
        f"/v1/loans/{loan_id}/delivery",
        json={"lat": 0, "lon": 0, "starts_at": "2026-12-01T10:00", "ends_at": "2026-12-01T12:00"},
        headers=staff,
    )
    assert naive.status_code == 422 and "body.starts_at" in _fields(naive)
    # A value the database cannot hold is the caller's fault too.
    nul = await api.post(
        "/v1/stations", json={"name": "bad\u0000name", "lat": 0, "lon": 0}, headers=staff
    )
    assert 400 <= nul.status_code < 500, nul.text


async def test_residents_read_the_inventory_but_do_not_run_the_station(
    api: httpx.AsyncClient, district: District
) -> None:
    station_id, item_id = await _stock(api, district)
    resident_id = uuid.uuid4()
    resident = district.person(resident_id)
    assert (await api.get(f"/v1/stations/{station_id}/items", headers=resident)).status_code == 200
    lend = await api.post(
        f"/v1/stations/{station_id}/loans",
        json={"item_id": item_id, "borrower_person_id": str(resident_id)},
        headers=resident,
    )
    assert lend.status_code == 403
    change = await api.patch(
        f"/v1/stations/{station_id}/items/{item_id}", json={"count": 5}, headers=resident
    )
    assert change.status_code == 403
    station_loans = await api.get(f"/v1/stations/{station_id}/loans", headers=resident)
    assert station_loans.status_code == 403
    others = await api.get(f"/v1/loans?borrower_person_id={uuid.uuid4()}", headers=resident)
    assert others.status_code == 403
    assert (await api.get("/v1/stations")).status_code == 401


async def test_lists_page_by_cursor_and_refuse_another_list_s_cursor(
    api: httpx.AsyncClient, district: District
) -> None:
    station_id, _ = await _stock(api, district)
    staff = district.staff()
    for kind in ("saw", "drill", "wheelbarrow"):
        made = await api.post(
            f"/v1/stations/{station_id}/items", json={"kind": kind, "name": kind}, headers=staff
        )
        assert made.status_code == 201
    first = await api.get(f"/v1/stations/{station_id}/items?limit=3", headers=staff)
    assert [i["kind"] for i in first.json()["items"]] == ["drill", "ladder", "saw"]
    cursor = first.json()["next_cursor"]
    rest = await api.get(f"/v1/stations/{station_id}/items?limit=3&cursor={cursor}", headers=staff)
    assert [i["kind"] for i in rest.json()["items"]] == ["wheelbarrow"]
    assert rest.json()["next_cursor"] is None
    # An inventory cursor handed to the stations list is refused, not a 500.
    wrong = await api.get(f"/v1/stations?cursor={cursor}", headers=staff)
    assert wrong.status_code == 422 and _fields(wrong) == ["cursor"]


async def test_a_retried_loan_with_the_same_idempotency_key_lends_once(
    api: httpx.AsyncClient, district: District
) -> None:
    station_id, item_id = await _stock(api, district)
    body = {"item_id": item_id, "borrower_person_id": str(uuid.uuid4())}
    headers = {**district.staff(), "Idempotency-Key": f"loan-{uuid.uuid4()}"}
    first = await api.post(f"/v1/stations/{station_id}/loans", json=body, headers=headers)
    again = await api.post(f"/v1/stations/{station_id}/loans", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    loans = await api.get(f"/v1/stations/{station_id}/loans", headers=district.staff())
    assert len(loans.json()["items"]) == 1
