"""Webhooks cannot be pointed at the service's own network: a district not configured for an
internal integration is refused loopback, private and link-local targets (by address or by a
name resolving to one) when subscribing, when changing the URL, when enabling again, and at
send time, when its configuration was withdrawn after subscribing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.usecases.context import NotificationsContext
from services.notifications.tests.notifications_support import District
from services.notifications.tests.webhook_support import (
    Receiver,
    dispatch_all,
    forget_webhooks,
    make_internal,
    publish,
    subscribe,
)

pytestmark = pytest.mark.integration

INTERNAL_TARGETS = [
    ("http://127.0.0.1:8080/hook", "loopback"),
    ("http://10.20.30.40/hook", "private"),
    ("http://192.168.0.10/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]:8080/hook", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://localhost:8080/hook", "loopback"),
    ("http://100.64.1.1/hook", "shared (CGNAT)"),
    ("http://0.0.0.0:8080/hook", "unspecified"),
]


@pytest.fixture
async def cleaned(district: District, timed: NotificationsContext) -> AsyncIterator[District]:
    yield district
    await forget_webhooks(timed, district)


def _refusal(answer: httpx.Response) -> str:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    [error] = answer.json()["errors"]
    assert error["field"] == "url"
    return str(error["message"])


@pytest.mark.parametrize(("url", "kind"), INTERNAL_TARGETS)
async def test_notifications_webhook_internal_targets_are_refused_to_a_public_district(
    api: httpx.AsyncClient, cleaned: District, url: str, kind: str
) -> None:
    answer = await api.post("/v1/webhooks", json={"url": url}, headers=cleaned.admin())

    assert f"resolves to a {kind} address" in _refusal(answer)
    assert (await api.get("/v1/webhooks", headers=cleaned.admin())).json()["items"] == []


async def test_notifications_webhook_an_internal_district_may_target_its_own_network(
    api: httpx.AsyncClient, cleaned: District
) -> None:
    await make_internal(api, cleaned)

    for url, _ in INTERNAL_TARGETS:
        answer = await api.post("/v1/webhooks", json={"url": url}, headers=cleaned.admin())
        assert answer.status_code == 201, f"{url}: {answer.text}"


async def test_notifications_webhook_changing_or_enabling_checks_the_target_again(
    api: httpx.AsyncClient, cleaned: District
) -> None:
    await make_internal(api, cleaned)
    made = await subscribe(api, cleaned, "http://127.0.0.1:9/hook")
    one = f"/v1/webhooks/{made['id']}"
    await api.patch(one, json={"enabled": False}, headers=cleaned.admin())
    await make_internal(api, cleaned, allowed=False)

    moved = await api.patch(one, json={"url": "http://10.0.0.1/"}, headers=cleaned.admin())
    enabled = await api.patch(one, json={"enabled": True}, headers=cleaned.admin())

    assert "private address" in _refusal(moved)
    assert "loopback address" in _refusal(enabled)
    kept = (await api.get(one, headers=cleaned.admin())).json()
    assert (kept["url"], kept["enabled"]) == ("http://127.0.0.1:9/hook", False)


async def test_notifications_webhook_the_target_is_checked_again_when_sending(
    api: httpx.AsyncClient,
    cleaned: District,
    timed: NotificationsContext,
    receiver: Receiver,
    sender: HttpWebhookSender,
) -> None:
    await make_internal(api, cleaned)
    made = await subscribe(api, cleaned, receiver.url())
    await make_internal(api, cleaned, allowed=False)  # withdrawn by a platform admin

    await publish(timed, cleaned)
    await dispatch_all(timed, sender)

    assert receiver.received == []
    log = f"/v1/webhooks/{made['id']}/messages"
    [message] = (await api.get(log, headers=cleaned.admin())).json()["items"]
    assert message["status"] == "pending" and message["last_status_code"] is None
    [attempt] = (await api.get(f"{log}/{message['id']}/attempts", headers=cleaned.admin())).json()[
        "items"
    ]
    assert attempt["outcome"] == "error"
    assert attempt["error"].startswith("refused: 127.0.0.1 resolves to a loopback address")
