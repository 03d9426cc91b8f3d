"""Over https the sender connects to the address it checked while the TLS handshake names the
URL's host (SNI) and the certificate is verified against that name: a certificate for another
name is refused, and nothing is sent."""

from __future__ import annotations

import ssl
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
    self_signed,
    subscribe,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def hooked(
    api: httpx.AsyncClient, district: District, timed: NotificationsContext
) -> AsyncIterator[District]:
    await make_internal(api, district)  # "localhost" resolves to loopback
    yield district
    await forget_webhooks(timed, district)


def _trusting(certificate: bytes) -> HttpWebhookSender:
    """A sender trusting one certificate (as for an internal integration's private CA)."""
    context = ssl.create_default_context(cadata=certificate.decode())
    return HttpWebhookSender(ssl_context=context, timeout=5.0)


async def _last_attempt(api: httpx.AsyncClient, district: District, sub: str) -> dict[str, str]:
    log = f"/v1/webhooks/{sub}/messages"
    [message] = (await api.get(log, headers=district.admin())).json()["items"]
    attempts = await api.get(f"{log}/{message['id']}/attempts", headers=district.admin())
    last: dict[str, str] = attempts.json()["items"][0]
    return last


async def test_notifications_webhook_https_verifies_the_certificate_of_the_urls_host(
    api: httpx.AsyncClient, hooked: District, timed: NotificationsContext
) -> None:
    certificate, key = self_signed("localhost")
    sender = _trusting(certificate)
    with Receiver(tls=(certificate, key)) as receiver:
        sub = await subscribe(api, hooked, receiver.url(host="localhost"))
        await publish(timed, hooked)
        try:
            await dispatch_all(timed, sender)
        finally:
            await sender.aclose()

        [got] = receiver.received
    assert got.headers["host"] == f"localhost:{receiver.port}"
    assert receiver.server_names == ["localhost"]
    assert (await _last_attempt(api, hooked, sub["id"]))["outcome"] == "delivered"


async def test_notifications_webhook_https_refuses_a_certificate_for_another_name(
    api: httpx.AsyncClient, hooked: District, timed: NotificationsContext
) -> None:
    certificate, key = self_signed("hooks.example.org")
    sender = _trusting(certificate)
    with Receiver(tls=(certificate, key)) as receiver:
        sub = await subscribe(api, hooked, receiver.url(host="localhost"))
        await publish(timed, hooked)
        try:
            await dispatch_all(timed, sender)
        finally:
            await sender.aclose()

        assert receiver.received == []
    attempt = await _last_attempt(api, hooked, sub["id"])
    assert attempt["outcome"] == "error"
    assert attempt["error"].startswith("connect:") and "certificate" in attempt["error"]
