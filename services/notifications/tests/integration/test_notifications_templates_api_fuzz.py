"""Bad input never becomes a server error in the templates' HTTP API: every operation fuzzed
by Schemathesis through the test kit, as a tenant admin, community staff and a resident, with
a real key (one the district saved a template for) in half the paths."""

# Chinese text is written with full-width punctuation, as Chinese readers expect.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from civicgrid_testkit.fuzz import fuzz_api
from services.notifications.tests.notifications_support import District

pytestmark = pytest.mark.integration

KEY = {"event_type": "ticket.created", "channel": "sms", "locale": "zh-CN"}


def _templates_only(openapi: dict[str, Any]) -> dict[str, Any]:
    paths = {p: ops for p, ops in openapi["paths"].items() if p.startswith("/v1/templates")}
    return {**openapi, "paths": paths}


async def test_notifications_templates_no_generated_request_gets_a_server_error(
    app: FastAPI, api: httpx.AsyncClient, district: District
) -> None:
    saved = await api.put(
        "/v1/templates/ticket.created/sms/zh-CN",
        json={"body": "收到：{{ ticket_number }}"},
        headers=district.admin(),
    )
    assert saved.status_code == 200, saved.text
    askers = [district.admin(), district.staff(), district.person()]

    fuzzed = _templates_only(app.openapi())
    report = await fuzz_api(
        fuzzed, api, "http://notifications", lambda n: askers[n % 3], KEY, examples=30
    )

    assert not report.failures, "\n".join(report.failures)
    assert report.operations == 5
    assert len(report.statuses) == report.operations  # every operation answered something
    succeeded = {op for op, codes in report.statuses.items() if any(c < 300 for c in codes)}
    assert len(succeeded) >= 4, sorted(report.statuses.items())
