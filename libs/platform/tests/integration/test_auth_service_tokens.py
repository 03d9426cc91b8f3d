"""TenantTokens against a real token endpoint on 127.0.0.1 (http.server in a thread)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from civicgrid_platform.auth import TenantTokens, TokenEndpointUnavailable, TokenRefused
from civicgrid_testkit.processes import find_free_port
from libs.platform.tests.unit.http_support import FakeClock

pytestmark = pytest.mark.integration

SECRET = "service-secret-never-in-messages"
TENANT_A, TENANT_B = str(uuid.uuid4()), str(uuid.uuid4())


class TokenEndpoint:
    """Issues tok-1, tok-2, ... for 900 s; `answer` can be replaced to refuse or fail."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.delay = 0.0
        self.answer: tuple[int, Any] | None = None
        self._lock = threading.Lock()

    def respond(self, form: dict[str, str]) -> tuple[int, Any]:
        with self._lock:
            self.requests.append(form)
            issued = len(self.requests)
        time.sleep(self.delay)
        if self.answer is not None:
            return self.answer
        return 200, {"access_token": f"tok-{issued}", "token_type": "Bearer", "expires_in": 900}

    @contextmanager
    def running(self) -> Iterator[str]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                status, body = owner.respond(form)
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/problem+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", find_free_port()), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/v1/oauth/token"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)


@contextmanager
def endpoint() -> Iterator[tuple[TokenEndpoint, str]]:
    server = TokenEndpoint()
    with server.running() as url:
        yield server, url


def tokens(url: str, clock: FakeClock | None = None) -> TenantTokens:
    return TenantTokens(
        url,
        "notifications",
        SECRET,
        ["people:read", "people:contact"],
        platform_scopes=["devices:resolve"],
        clock=clock or FakeClock(),
    )


async def test_service_tokens_are_cached_per_tenant_and_renewed_before_expiry() -> None:
    clock = FakeClock()
    with endpoint() as (server, url):
        cache = tokens(url, clock)
        try:
            assert await cache.for_tenant(TENANT_A) == "tok-1"
            assert await cache.for_tenant(uuid.UUID(TENANT_A)) == "tok-1"
            assert await cache.for_tenant(TENANT_B) == "tok-2"
            assert await cache.platform() == "tok-3"
            assert server.requests == [
                {
                    "grant_type": "client_credentials",
                    "client_id": "notifications",
                    "client_secret": SECRET,
                    "scope": "people:read people:contact",
                    "tenant_id": TENANT_A,
                },
                {
                    "grant_type": "client_credentials",
                    "client_id": "notifications",
                    "client_secret": SECRET,
                    "scope": "people:read people:contact",
                    "tenant_id": TENANT_B,
                },
                {
                    "grant_type": "client_credentials",
                    "client_id": "notifications",
                    "client_secret": SECRET,
                    "scope": "devices:resolve",
                },
            ]

            clock.advance(839)  # a minute before expiry it is still used...
            assert await cache.for_tenant(TENANT_A) == "tok-1"
            clock.advance(1)  # ...and from then on renewed
            assert await cache.for_tenant(TENANT_A) == "tok-4"
            assert await cache.platform() == "tok-5"
            assert len(server.requests) == 5
        finally:
            await cache.aclose()


async def test_concurrent_callers_for_one_tenant_share_one_exchange() -> None:
    with endpoint() as (server, url):
        server.delay = 0.3
        cache = tokens(url)
        try:
            impatient = asyncio.create_task(cache.for_tenant(TENANT_A))
            waiting = [cache.for_tenant(TENANT_A) for _ in range(20)]
            waiting += [cache.for_tenant(TENANT_B) for _ in range(5)]
            gathered = asyncio.gather(*waiting)
            await asyncio.sleep(0.05)
            impatient.cancel()  # one caller giving up does not cancel the others' exchange
            got = await gathered
            assert set(got[:20]) == {got[0]} and set(got[20:]) == {got[20]}
            assert got[0] != got[20]
            assert len(server.requests) == 2
        finally:
            await cache.aclose()


async def test_refusals_and_outages_are_told_apart() -> None:
    with endpoint() as (server, url):
        cache = tokens(url)
        try:
            server.answer = (
                403,
                {
                    "type": "https://civicgrid.dev/problems/forbidden",
                    "title": "Forbidden",
                    "status": 403,
                    "detail": "only a platform service client holding tenants:act acts",
                    "errors": [{"field": "tenant_id", "message": "..."}],
                },
            )
            with pytest.raises(TokenRefused) as refused:
                await cache.for_tenant(TENANT_A)
            assert (refused.value.status, refused.value.fields) == (403, ("tenant_id",))
            message = str(refused.value)
            assert "notifications" in message and TENANT_A in message and "tenants:act" in message
            assert SECRET not in message

            for answer in ((503, "down for maintenance"), (429, "slow down"), (200, "{}")):
                server.answer = answer
                with pytest.raises(TokenEndpointUnavailable):
                    await cache.platform()

            # Nothing is remembered of a failure: the next call asks again and succeeds.
            server.answer = None
            before = len(server.requests)
            assert await cache.for_tenant(TENANT_A) == f"tok-{before + 1}"
        finally:
            await cache.aclose()

    nobody = TenantTokens(f"http://127.0.0.1:{find_free_port()}/token", "svc", SECRET, [])
    try:
        with pytest.raises(TokenEndpointUnavailable, match="unreachable"):
            await nobody.for_tenant(TENANT_A)
    finally:
        await nobody.aclose()


async def test_a_renewal_outage_keeps_the_unexpired_token_and_refusals_renew() -> None:
    clock = FakeClock()
    with endpoint() as (server, url):
        cache = tokens(url, clock)
        try:
            assert await cache.for_tenant(TENANT_A) == "tok-1"
            clock.advance(870)  # due for renewal, not yet expired
            server.answer = (502, "bad gateway")
            assert await cache.for_tenant(TENANT_A) == "tok-1"
            clock.advance(30)  # expired now: the outage shows
            with pytest.raises(TokenEndpointUnavailable):
                await cache.for_tenant(TENANT_A)

            server.answer = None
            fresh = await cache.for_tenant(TENANT_A)
            # A server refused the fresh token: kept (not stale), so a flood of refusals does
            # not become a flood of exchanges...
            assert cache.invalidate(TENANT_A, fresh) is False
            clock.advance(31)
            # ...an older one is forgotten and the next call fetches another.
            assert cache.invalidate(TENANT_A, "some-other-token") is False
            assert cache.invalidate(TENANT_A, fresh) is True
            assert await cache.for_tenant(TENANT_A) != fresh
        finally:
            await cache.aclose()
