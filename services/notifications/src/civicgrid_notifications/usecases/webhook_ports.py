"""The ports webhooks talk through: a resolver (host -> addresses) and a sender (one signed POST).

The operating system's resolver is the default everywhere, as every process has one; tests may
plug in another. The HTTP sender is built by bootstrap (adapters.webhook_http)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Literal, Protocol

from civicgrid_notifications.domain.webhook_targets import IPAddress

RESOLVE_TIMEOUT_SECONDS = 5.0

# refused: the address was refused by the SSRF guard (send time); secret: the subscription's
# secret did not open, so nothing was sent; the others are transport failures (no answer at all).
SendError = Literal["timeout", "connect", "refused", "protocol", "secret"]


class HostResolver(Protocol):
    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address `host` resolves to; [] when it does not resolve."""
        ...


class SystemResolver:
    """getaddrinfo, bounded in time."""

    def __init__(self, timeout: float = RESOLVE_TIMEOUT_SECONDS) -> None:
        self._timeout = timeout

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        loop = asyncio.get_running_loop()
        try:
            found = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), self._timeout
            )
        except (OSError, TimeoutError, UnicodeError):
            return []
        # The scope of a link-local IPv6 address ("fe80::1%eth0") is not part of the address.
        unique = dict.fromkeys(str(info[4][0]).split("%")[0] for info in found)
        return [ip_address(a) for a in unique]


@dataclass(frozen=True, slots=True)
class WebhookPost:
    url: str
    body: bytes
    headers: Mapping[str, str]
    # The district may target private addresses (an internal integration).
    allow_internal: bool


@dataclass(frozen=True, slots=True)
class WebhookReply:
    """What the endpoint answered, or why nothing came back. Never an exception."""

    status_code: int | None
    duration_ms: int
    response: str = ""  # the start of the answer's body
    error: SendError | None = None
    detail: str = ""


class WebhookSender(Protocol):
    async def post(self, post: WebhookPost) -> WebhookReply: ...

    async def aclose(self) -> None: ...
