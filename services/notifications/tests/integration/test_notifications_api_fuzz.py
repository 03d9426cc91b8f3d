"""Bad input never becomes a server error in the rest of notifications' HTTP API (templates and
webhooks have fuzz tests of their own): the inbox, preferences, deliveries, the alert chain
(alerts, policy, duty roster, care profiles, drills), the devices' signed calls and the
providers' callbacks, fuzzed by Schemathesis through the test kit with identity over the wire.
People's routes are asked by the district's admin and staff (one of them a responder of a real
alert), the providers' routes with the provider token; half the paths carry real ids."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_testkit import ServiceDatabase
from civicgrid_testkit.fuzz import fuzz_api
from services.notifications.tests.alert_support import (
    PROVIDER_TOKEN,
    Household,
    household,
    set_up,
    wired,
)
from services.notifications.tests.identity_contract import Directory
from services.notifications.tests.messages_support import rows
from services.notifications.tests.notifications_support import District
from services.notifications.tests.timers_support import stop_alert_timers

pytestmark = pytest.mark.integration

BASE = "http://notifications"
# Fuzzed elsewhere (templates, webhooks), or not a request/answer at all: the live stream
# never ends, and takes no input but the token (tested in test_notifications_inbox).
ELSEWHERE = ("/v1/templates", "/v1/webhooks", "/v1/districts/")
STREAM = "/v1/me/inbox/stream"
PROVIDERS = "/v1/providers/"


def _only(openapi: dict[str, Any], keep: Callable[[str], bool]) -> dict[str, Any]:
    return {**openapi, "paths": {p: ops for p, ops in openapi["paths"].items() if keep(p)}}


def _people_operations(openapi: dict[str, Any]) -> dict[str, Any]:
    return _only(
        openapi,
        lambda p: not p.startswith(ELSEWHERE) and p != STREAM and not p.startswith(PROVIDERS),
    )


def _provider_operations(openapi: dict[str, Any]) -> dict[str, Any]:
    return _only(openapi, lambda p: p.startswith(PROVIDERS))


@dataclass
class Fuzzed:
    """The district's API with identity over the wire, an elder set up with a raised alert,
    and the real ids for the paths."""

    api: httpx.AsyncClient
    home: Household
    ids: dict[str, str]


@pytest.fixture
async def fuzzed(
    timed: NotificationsContext,
    notifications_db: ServiceDatabase,
    notifications_engine: AsyncEngine,
    district: District,
) -> AsyncIterator[Fuzzed]:
    directory = Directory()
    home = household(directory, district)
    async with wired(timed, notifications_db, notifications_engine, directory) as (ctx, api):
        await set_up(api, home)
        raised = await api.post(
            "/v1/alerts", json={"person_id": str(home.elder)}, headers=district.staff()
        )
        assert raised.status_code == 201, raised.text
        alert_id = raised.json()["id"]
        [(delivery_id,)] = await rows(
            ctx,
            district.tenant_id,
            "SELECT id FROM deliveries WHERE tenant_id = :t AND alert_id = :a"
            " AND recipient = :r AND channel = 'inapp'",
            t=district.tenant_id,
            a=alert_id,
            r=f"person:{home.worker}",
        )
        ids = {
            "alert_id": alert_id,
            "unit_id": str(home.grid),
            "person_id": str(home.elder),
            "delivery_id": str(delivery_id),
            "device_id": home.device_id,
        }
        try:
            yield Fuzzed(api, home, ids)
        finally:
            await stop_alert_timers(ctx, district)


async def test_notifications_no_generated_request_gets_a_server_error(
    app: FastAPI, fuzzed: Fuzzed
) -> None:
    district = fuzzed.home.district
    askers = [
        district.admin(),
        district.staff(),
        district.person(fuzzed.home.worker, "community_staff"),  # asked by the alert
    ]
    people = _people_operations(app.openapi())

    report = await fuzz_api(
        people,
        fuzzed.api,
        BASE,
        lambda n: askers[n % 3],
        fuzzed.ids,
        examples=8,
        negative_examples=5,
    )

    assert not report.failures, "\n".join(report.failures)
    expected = sum(len(ops) for ops in people["paths"].values())
    assert report.operations == expected == 22
    assert len(report.statuses) == report.operations  # every operation answered something
    succeeded = {op for op, codes in report.statuses.items() if any(c < 300 for c in codes)}
    # Devices need a signature only a device can make; resolving needs someone on site first,
    # and a drill a person with a care profile (in the body, which keeps generated ids).
    # Everything else got through to the database at least once.
    devices = {op for op in report.statuses if "/v1/devices/" in op}
    assert len(devices) == 3 and not devices & succeeded
    out_of_reach = devices | {"POST /v1/alerts/{alert_id}/resolve", "POST /v1/alert-drills"}
    assert set(report.statuses) - succeeded <= out_of_reach, sorted(report.statuses.items())
    assert len(succeeded) >= len(report.statuses) - len(out_of_reach)


async def test_notifications_provider_callbacks_never_get_a_server_error(
    app: FastAPI, fuzzed: Fuzzed
) -> None:
    provider = {"Authorization": f"Bearer {PROVIDER_TOKEN}"}
    callbacks = _provider_operations(app.openapi())

    report = await fuzz_api(
        callbacks,
        fuzzed.api,
        BASE,
        lambda n: provider,
        fuzzed.ids,
        examples=20,
        negative_examples=10,
    )

    assert not report.failures, "\n".join(report.failures)
    assert report.operations == 2
    assert len(report.statuses) == 2
    # The token was taken every time: what was refused, was refused for its content.
    assert all(401 not in codes for codes in report.statuses.values()), report.statuses


@pytest.mark.parametrize("signature", ["{\x1d\xa0¯¯M^{ ", "not-hex", "ab cd"])
async def test_notifications_a_device_signature_that_is_not_hex_is_refused_naming_the_header(
    fuzzed: Fuzzed, signature: str
) -> None:
    """Found by the fuzzer: such a signature used to travel on to identity (500 on /status)."""
    body, _signed = fuzzed.home.signed()
    for action in ("press", "heartbeat", "status"):
        refused = await fuzzed.api.post(
            f"/v1/devices/{fuzzed.home.device_id}/{action}",
            content=body,
            headers=[
                (b"X-Device-Signature", signature.encode("latin-1")),
                (b"content-type", b"application/json"),
            ],
        )
        assert refused.status_code == 422, f"{action}: {refused.text}"
        assert refused.json()["errors"][0]["field"] == "header.X-Device-Signature"
