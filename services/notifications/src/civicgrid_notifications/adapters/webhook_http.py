"""Webhooks over HTTP: the WebhookSender port on an httpx client per endpoint, whose transport
(adapters.webhook_transport) connects only to addresses it has checked.

Redirects are not followed (a 3xx is a failed attempt), no proxy or other setting is taken
from the environment, the answer's body is read up to 64 KiB and its first KiB kept for the
log. Each endpoint (scheme, host, port, and whether internal addresses are allowed) has its
own client with at most `per_endpoint` requests in flight: one integrator is never flooded,
and a slow one cannot hold every connection. Internal and public districts never share a
connection. For https the certificate is verified against the URL's host name (`ssl_context`:
the system's default trust, or another, e.g. an internal integration's private CA)."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx

from civicgrid_notifications.adapters.webhook_transport import PinnedTransport, TargetRefused
from civicgrid_notifications.usecases.webhook_ports import (
    HostResolver,
    SystemResolver,
    WebhookPost,
    WebhookReply,
)

USER_AGENT = "CivicGrid-Webhooks/1.0"
RESPONSE_CHARS = 1024  # kept in the log
RESPONSE_READ_LIMIT = 64 * 1024  # read at most, then the connection is dropped


async def _start_of_body(response: httpx.Response) -> str:
    kept = bytearray()
    read = 0
    async for chunk in response.aiter_raw():
        if len(kept) < RESPONSE_CHARS:
            kept += chunk[: RESPONSE_CHARS - len(kept)]
        read += len(chunk)
        if read >= RESPONSE_READ_LIMIT:
            break
    return kept.decode("utf-8", errors="replace")


@dataclass
class _Endpoint:
    client: httpx.AsyncClient
    gate: asyncio.Semaphore
    users: int = 0  # requests sending or waiting to


class HttpWebhookSender:
    """`timeout` bounds each phase (connect with name resolution, write, read), `deadline` a
    whole attempt once its endpoint has a free slot. The `endpoints` most recently used keep
    their clients; idle ones beyond that are closed."""

    def __init__(
        self,
        *,
        resolver: HostResolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 10.0,
        deadline: float = 30.0,
        per_endpoint: int = 8,
        endpoints: int = 512,
    ) -> None:
        self._resolver = resolver or SystemResolver()
        self._ssl_context = ssl_context or httpx.create_ssl_context()
        self._timeout = httpx.Timeout(timeout)
        self._deadline = deadline
        self._per_endpoint = per_endpoint
        self._max_endpoints = endpoints
        self._endpoints: OrderedDict[tuple[bool, str, str, int | None], _Endpoint] = OrderedDict()

    async def _endpoint(self, post: WebhookPost) -> _Endpoint:
        url = httpx.URL(post.url)
        key = (post.allow_internal, url.scheme, url.host, url.port)
        found = self._endpoints.get(key)
        if found is not None:
            self._endpoints.move_to_end(key)
            return found
        transport = PinnedTransport(self._resolver, post.allow_internal, self._ssl_context)
        made = _Endpoint(
            httpx.AsyncClient(
                transport=transport,
                timeout=self._timeout,
                follow_redirects=False,
                trust_env=False,
                # identity: the log keeps the answer as sent, not compressed bytes
                headers={"user-agent": USER_AGENT, "accept-encoding": "identity"},
            ),
            asyncio.Semaphore(self._per_endpoint),
        )
        self._endpoints[key] = made
        idle = [k for k, e in self._endpoints.items() if e.users == 0 and e is not made]
        for stale in idle[: max(0, len(self._endpoints) - self._max_endpoints)]:
            await self._endpoints.pop(stale).client.aclose()
        return made

    async def _exchange(self, endpoint: _Endpoint, post: WebhookPost) -> tuple[int, str]:
        async with endpoint.gate, asyncio.timeout(self._deadline):
            client = endpoint.client
            request = client.build_request(
                "POST", post.url, content=post.body, headers=dict(post.headers)
            )
            response = await client.send(request, stream=True)
            try:
                return response.status_code, await _start_of_body(response)
            finally:
                await response.aclose()

    async def post(self, post: WebhookPost) -> WebhookReply:
        started = time.perf_counter()

        def took() -> int:
            return round((time.perf_counter() - started) * 1000)

        endpoint: _Endpoint | None = None
        try:
            endpoint = await self._endpoint(post)
            endpoint.users += 1
            status_code, body = await self._exchange(endpoint, post)
        except TargetRefused as refused:
            return WebhookReply(None, took(), error="refused", detail=str(refused))
        except (TimeoutError, httpx.TimeoutException) as timeout:
            return WebhookReply(None, took(), error="timeout", detail=str(timeout) or "timed out")
        except httpx.ConnectError as failed:
            return WebhookReply(None, took(), error="connect", detail=str(failed))
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as bad:
            return WebhookReply(
                None, took(), error="protocol", detail=str(bad) or type(bad).__name__
            )
        finally:
            if endpoint is not None:
                endpoint.users -= 1
        return WebhookReply(status_code, took(), response=body)

    async def aclose(self) -> None:
        while self._endpoints:
            await self._endpoints.popitem()[1].client.aclose()
