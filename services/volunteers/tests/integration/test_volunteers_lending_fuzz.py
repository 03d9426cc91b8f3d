"""Bad input never becomes a server error at the lending station: every lending operation of
volunteers' OpenAPI document, fuzzed by Schemathesis through the test kit, as staff and as a
borrower, with a real station, item, loan and hold in half the paths."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from civicgrid_testkit.fuzz import fuzz_api
from services.volunteers.tests.volunteers_support import ORIGIN_LAT, ORIGIN_LON, District

pytestmark = pytest.mark.integration
LENDING = ("/v1/stations", "/v1/loans", "/v1/holds")


def _lending_only(openapi: dict[str, Any]) -> dict[str, Any]:
    paths = {p: ops for p, ops in openapi["paths"].items() if p.startswith(LENDING)}
    return {**openapi, "paths": paths}


async def test_no_generated_lending_request_gets_a_server_error(
    volunteers_app: FastAPI, api: httpx.AsyncClient, district: District
) -> None:
    staff = district.staff()
    borrower = uuid.uuid4()
    station = await api.post(
        "/v1/stations", json={"name": "Shed", "lat": ORIGIN_LAT, "lon": ORIGIN_LON}, headers=staff
    )
    station_id = station.json()["id"]
    ladder = await api.post(
        f"/v1/stations/{station_id}/items", json={"kind": "ladder", "name": "L"}, headers=staff
    )
    item_id = ladder.json()["id"]
    loan = await api.post(
        f"/v1/stations/{station_id}/loans",
        json={"item_id": item_id, "borrower_person_id": str(borrower)},
        headers=staff,
    )
    hold = await api.post(
        "/v1/holds", json={"item_id": item_id}, headers=district.person(uuid.uuid4())
    )
    assert hold.status_code == 201, hold.text
    ids = {
        "station_id": station_id,
        "item_id": item_id,
        "loan_id": loan.json()["id"],
        "hold_id": hold.json()["id"],
    }
    resident = district.person(borrower)

    report = await fuzz_api(
        _lending_only(volunteers_app.openapi()),
        api,
        "http://volunteers",
        lambda n: staff if n % 4 < 2 else resident,
        ids,
        examples=15,
        negative_examples=8,
    )
    assert not report.failures, "\n".join(report.failures)
    assert report.operations == 18
    assert any(code < 300 for codes in report.statuses.values() for code in codes)
