"""A district's admin manages its webhook subscriptions over HTTP: the secret is shown once (at
subscription and rotation), bad input is a problem naming the field, staff cannot manage
them, and only a platform admin configures a district for an internal integration."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from civicgrid_notifications.usecases.context import NotificationsContext
from services.notifications.tests.notifications_support import District, SettableClock
from services.notifications.tests.webhook_support import (
    forget_webhooks,
    make_internal,
    platform_admin,
    subscribe,
)

pytestmark = pytest.mark.integration

HOOK = "http://127.0.0.1:9/hook"  # never called here


@pytest.fixture
async def internal(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> AsyncIterator[District]:
    await make_internal(api, district)
    yield district
    await forget_webhooks(timed, district)


def _fields(answer: httpx.Response) -> list[str]:
    assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    return [e["field"] for e in answer.json().get("errors", [])]


async def test_notifications_webhook_subscribe_read_change_and_delete(
    api: httpx.AsyncClient, internal: District
) -> None:
    made = await subscribe(
        api,
        internal,
        HOOK,
        description="Ticket dashboard",
        event_types=["civicgrid.tickets.v1.*", "civicgrid.volunteers.v1.task.cancelled"],
    )
    admin = internal.admin()

    assert made["secret"].startswith("whsec_") and made["enabled"] is True
    read = await api.get(f"/v1/webhooks/{made['id']}", headers=admin)
    assert read.status_code == 200 and "secret" not in read.json()
    assert read.json()["event_types"] == made["event_types"]

    changed = await api.patch(
        f"/v1/webhooks/{made['id']}",
        json={"description": "Dashboard", "event_types": [], "enabled": False},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["event_types"] == [] and changed.json()["enabled"] is False
    assert changed.json()["disabled_reason"] == "admin"
    enabled = await api.patch(f"/v1/webhooks/{made['id']}", json={"enabled": True}, headers=admin)
    assert enabled.json()["enabled"] is True and enabled.json()["disabled_reason"] is None

    listed = await api.get("/v1/webhooks", headers=admin)
    assert [s["id"] for s in listed.json()["items"]] == [made["id"]]
    deleted = await api.delete(f"/v1/webhooks/{made['id']}", headers=admin)
    assert deleted.status_code == 204
    assert (await api.get(f"/v1/webhooks/{made['id']}", headers=admin)).status_code == 404


async def test_notifications_webhook_the_list_pages_by_cursor(
    api: httpx.AsyncClient, internal: District, clock: SettableClock
) -> None:
    made = []
    for n in range(3):
        made.append((await subscribe(api, internal, f"{HOOK}/{n}"))["id"])
        clock.advance(seconds=1)

    first = await api.get("/v1/webhooks", params={"limit": 2}, headers=internal.admin())
    rest = await api.get(
        "/v1/webhooks",
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=internal.admin(),
    )

    assert [s["id"] for s in first.json()["items"] + rest.json()["items"]] == made
    assert rest.json()["next_cursor"] is None


async def test_notifications_webhook_a_rotation_shows_the_new_secret_once(
    api: httpx.AsyncClient, internal: District
) -> None:
    made = await subscribe(api, internal, HOOK)

    rotated = await api.post(
        f"/v1/webhooks/{made['id']}/secret/rotate", json={}, headers=internal.admin()
    )
    same = await api.post(
        f"/v1/webhooks/{made['id']}/secret/rotate",
        json={"secret": rotated.json()["secret"]},
        headers=internal.admin(),
    )

    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"] not in (made["secret"], None)
    assert rotated.json()["previous_expires_at"] is not None
    read = await api.get(f"/v1/webhooks/{made['id']}", headers=internal.admin())
    assert read.json()["previous_secret_expires_at"] == rotated.json()["previous_expires_at"]
    assert same.status_code == 409 and _fields(same) == ["secret"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/x"}, "url"),
        ({"url": "https://user:pw@example.com/x"}, "url"),
        ({"url": "https://no-such-host.invalid/x"}, "url"),
        ({"url": HOOK, "event_types": ["Tickets!"]}, "body.event_types.0"),
        ({"url": HOOK, "secret": "whsec_tooshort"}, "secret"),
        ({"url": HOOK, "colour": "red"}, "body.colour"),
        ({}, "body.url"),
    ],
)
async def test_notifications_webhook_bad_input_is_a_problem_naming_the_field(
    api: httpx.AsyncClient, internal: District, body: dict[str, object], field: str
) -> None:
    answer = await api.post("/v1/webhooks", json=body, headers=internal.admin())

    assert answer.status_code == 422, answer.text
    assert _fields(answer)[0] == field


@pytest.mark.parametrize(
    "body",
    [
        {"url": HOOK + "\x00"},
        {"url": HOOK, "description": "Dashboard\x00"},
        {"url": HOOK, "secret": "whsec_\x00"},
    ],
)
async def test_notifications_webhook_a_nul_character_is_refused_not_a_server_error(
    api: httpx.AsyncClient, internal: District, body: dict[str, str]
) -> None:
    """The fuzz draws no U+0000; PostgreSQL text cannot hold it."""
    answer = await api.post("/v1/webhooks", json=body, headers=internal.admin())

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("field", ["url", "description", "event_types", "enabled"])
async def test_notifications_webhook_a_field_cannot_be_cleared_with_null(
    api: httpx.AsyncClient, internal: District, field: str
) -> None:
    made = await subscribe(api, internal, HOOK)

    answer = await api.patch(
        f"/v1/webhooks/{made['id']}", json={field: None}, headers=internal.admin()
    )

    assert answer.status_code == 422 and _fields(answer) == [f"body.{field}"]


async def test_notifications_webhook_only_a_districts_admin_manages_webhooks(
    api: httpx.AsyncClient, internal: District
) -> None:
    made = await subscribe(api, internal, HOOK)
    staff = internal.staff()

    assert (await api.post("/v1/webhooks", json={"url": HOOK}, headers=staff)).status_code == 403
    assert (await api.get("/v1/webhooks", headers=staff)).status_code == 403
    assert (await api.get(f"/v1/webhooks/{made['id']}", headers=staff)).status_code == 403
    assert (await api.delete(f"/v1/webhooks/{made['id']}", headers=staff)).status_code == 403
    assert (await api.get("/v1/webhooks")).status_code == 401


async def test_notifications_webhook_only_a_platform_admin_allows_internal_targets(
    api: httpx.AsyncClient, district: District
) -> None:
    settings = f"/v1/districts/{district.tenant}/webhook-settings"
    neighbour = District()

    by_admin = await api.put(settings, json={"internal_targets": True}, headers=district.admin())
    read = await api.get(settings, headers=district.admin())
    by_platform = await api.put(settings, json={"internal_targets": True}, headers=platform_admin())
    theirs = await api.get(settings, headers=neighbour.admin())

    assert by_admin.status_code == 403
    assert read.status_code == 200 and read.json() == {"internal_targets": False}
    assert by_platform.status_code == 200
    assert (await api.get(settings, headers=district.admin())).json()["internal_targets"] is True
    assert theirs.status_code == 404
    assert (await api.get(settings, headers=district.staff())).status_code == 403
