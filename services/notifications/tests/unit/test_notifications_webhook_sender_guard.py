"""The HTTP sender checks the addresses it connects to, whatever was checked at subscription:
a host whose DNS answer changed to an internal address (DNS rebinding) is refused without a
connection being opened. No network: the resolver is scripted, and refusals come first."""

from __future__ import annotations

from ipaddress import ip_address

from civicgrid_notifications.adapters.webhook_http import HttpWebhookSender
from civicgrid_notifications.domain.webhook_targets import IPAddress
from civicgrid_notifications.usecases.webhook_ports import WebhookPost


class Rebinding:
    """Answers a public address first, then the metadata service's (as a rebinding attacker's
    DNS server does)."""

    def __init__(self) -> None:
        self.asked = 0

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        self.asked += 1
        return [ip_address("93.184.216.34" if self.asked == 1 else "169.254.169.254")]


def _post(internal: bool = False) -> WebhookPost:
    return WebhookPost("http://hooks.rebind.test/in", b"{}", {}, allow_internal=internal)


async def test_notifications_webhook_sender_refuses_a_host_rebound_to_an_internal_address() -> None:
    resolver = Rebinding()
    checked_at_subscription = await resolver.addresses("hooks.rebind.test", 80)
    sender = HttpWebhookSender(resolver=resolver)
    try:
        reply = await sender.post(_post())
    finally:
        await sender.aclose()

    assert str(checked_at_subscription[0]) == "93.184.216.34"
    assert reply.status_code is None and reply.error == "refused"
    assert "link-local address (169.254.169.254)" in reply.detail


async def test_notifications_webhook_sender_reports_an_unresolvable_host_as_no_connection() -> None:
    class Nowhere:
        async def addresses(self, host: str, port: int) -> list[IPAddress]:
            return []

    sender = HttpWebhookSender(resolver=Nowhere())
    try:
        reply = await sender.post(_post(internal=True))
    finally:
        await sender.aclose()

    assert reply.error == "connect" and "does not resolve" in reply.detail
