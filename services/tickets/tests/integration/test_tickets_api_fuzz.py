"""Bad input never becomes a server error: every operation of tickets' OpenAPI document,
fuzzed by Schemathesis through the test kit, as a tenant admin and as a resident, with a real
ticket and category in half the paths."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from civicgrid_testkit.fuzz import fuzz_api
from services.tickets.tests.tickets_support import District, bearer

pytestmark = pytest.mark.integration


async def test_no_generated_request_gets_a_server_error(
    tickets_app: FastAPI, api: httpx.AsyncClient, district: District
) -> None:
    resident = str(uuid.uuid4())
    lat, lon = district.inside(0)
    made = await api.post(
        "/v1/tickets",
        json={"category": "roads", "description": "坑", "lat": lat, "lon": lon},
        headers=bearer(district.tenant, "resident", subject=resident),
    )
    assert made.status_code == 201, made.text
    admin = bearer(district.tenant, "tenant_admin")
    who = bearer(district.tenant, "resident", subject=resident)

    report = await fuzz_api(
        tickets_app.openapi(),
        api,
        "http://tickets",
        lambda n: admin if n % 4 < 2 else who,
        {"ticket_id": made.json()["id"], "code": "roads"},
    )
    assert not report.failures, "\n".join(report.failures)
    assert len(report.statuses) == report.operations
    assert any(code < 300 for codes in report.statuses.values() for code in codes)
