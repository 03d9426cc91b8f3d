"""Webhooks over HTTP: an httpx client whose connections go only to addresses it has checked.

The SSRF guard sits where connections are made (httpcore's network backend): the host is
resolved, every address checked (domain.webhook_targets) unless the district is configured
for an internal integration, and the socket opened to one of those very addresses. A DNS
answer that changes between the check and the connection (DNS rebinding) therefore cannot
redirect a webhook, and a connection kept alive was made to a checked address. The URL keeps
its host name, so HTTP/1.1's Host header and, for https, SNI and certificate verification
use the name as usual: the certificate is checked against the name, the socket goes to the
checked address. Internal and public districts use separate clients, so a connection opened
for one is never reused by the other. Redirects are not followed (a 3xx is a failed attempt)
and no proxy from the environment is used."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable

import httpcore
import httpx

from civicgrid_notifications.domain.webhook_targets import first_refusal
from civicgrid_notifications.usecases.webhook_ports import (
    HostResolver,
    SystemResolver,
    WebhookPost,
    WebhookReply,
)

USER_AGENT = "CivicGrid-Webhooks/1.0"
RESPONSE_CHARS = 1024  # kept in the log
RESPONSE_READ_LIMIT = 64 * 1024  # read at most, then the connection is dropped


class TargetRefused(Exception):
    """The host resolves to an address this district may not reach."""


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, resolver: HostResolver, allow_internal: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._resolver = resolver
        self._allow_internal = allow_internal

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolver.addresses(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host} does not resolve")
        refused = None if self._allow_internal else first_refusal(addresses)
        if refused is not None:
            address, reason = refused
            raise TargetRefused(f"{host} resolves to a {reason} address ({address})")
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                failure = error
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise TargetRefused("webhooks go over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _BodyStream(httpx.AsyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_stream():
            yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()


class _GuardedTransport(httpx.AsyncBaseTransport):
    """httpx over an httpcore pool on the guarded backend (httpx's own transport builds its
    pool on the default backend and offers no way to pass another)."""

    def __init__(self, backend: _GuardedBackend, limits: httpx.Limits) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        response = await self._pool.handle_async_request(
            httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=request.url.raw_scheme,
                    host=request.url.raw_host,
                    port=request.url.port,
                    target=request.url.raw_path,
                ),
                headers=request.headers.raw,
                content=request.stream,
                extensions=request.extensions,
            )
        )
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_BodyStream(response),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


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


class HttpWebhookSender:
    """The WebhookSender port over HTTP. `timeout` bounds each phase (connect, write, read),
    `deadline` a whole attempt, name resolution included."""

    def __init__(
        self,
        *,
        resolver: HostResolver | None = None,
        timeout: float = 10.0,
        deadline: float = 30.0,
        max_connections: int = 256,
    ) -> None:
        resolver = resolver or SystemResolver()
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        self._deadline = deadline
        self._clients = {
            internal: httpx.AsyncClient(
                transport=_GuardedTransport(_GuardedBackend(resolver, internal), limits),
                timeout=httpx.Timeout(timeout),
                follow_redirects=False,
                trust_env=False,
                headers={"user-agent": USER_AGENT},
            )
            for internal in (False, True)
        }

    async def post(self, post: WebhookPost) -> WebhookReply:
        started = time.perf_counter()

        def took() -> int:
            return round((time.perf_counter() - started) * 1000)

        client = self._clients[post.allow_internal]
        try:
            async with asyncio.timeout(self._deadline):
                request = client.build_request(
                    "POST", post.url, content=post.body, headers=dict(post.headers)
                )
                response = await client.send(request, stream=True)
                try:
                    body = await _start_of_body(response)
                finally:
                    await response.aclose()
        except TargetRefused as refused:
            return WebhookReply(None, took(), error="refused", detail=str(refused))
        except (TimeoutError, httpx.TimeoutException, httpcore.TimeoutException) as timeout:
            return WebhookReply(None, took(), error="timeout", detail=str(timeout) or "timed out")
        except (httpcore.ConnectError, httpx.ConnectError) as failed:
            return WebhookReply(None, took(), error="connect", detail=str(failed))
        except (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError, OSError) as bad:
            return WebhookReply(
                None, took(), error="protocol", detail=str(bad) or type(bad).__name__
            )
        return WebhookReply(response.status_code, took(), response=body)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
