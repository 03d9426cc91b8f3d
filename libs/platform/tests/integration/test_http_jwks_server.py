"""JwksCache against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from civicgrid_platform.auth import (
    InvalidToken,
    JwksCache,
    KeySetUnavailable,
    TokenVerifier,
    jwks_document,
)
from libs.platform.tests.integration.http_support_db import JwksServer
from libs.platform.tests.unit.http_support import AUDIENCE, ISSUER, FakeClock, rsa_key, token

pytestmark = pytest.mark.integration


async def test_tokens_verify_with_keys_fetched_over_http() -> None:
    jwks_server = JwksServer()
    jwks_server.document = jwks_document([rsa_key()])
    with jwks_server.running() as url:
        cache = JwksCache(url)
        try:
            verifier = TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE)
            for _ in range(20):
                assert (await verifier.verify(token())).subject == "user-1"
        finally:
            await cache.aclose()
    assert jwks_server.hits == 1


async def test_rotation_and_cooldown_over_http() -> None:
    old, new = rsa_key(), rsa_key("next")
    jwks_server = JwksServer()
    jwks_server.document = jwks_document([old])
    clock = FakeClock()
    with jwks_server.running() as url:
        cache = JwksCache(url, clock=clock, refresh_cooldown_seconds=30)
        try:
            verifier = TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE)
            old_token = token(old)
            await verifier.verify(old_token)

            jwks_server.document = jwks_document([old, new])
            new_token = token(new, sub="user-2")
            with pytest.raises(InvalidToken):
                await verifier.verify(new_token)  # inside the cooldown: not fetched yet
            assert jwks_server.hits == 1

            clock.advance(30)
            assert (await verifier.verify(new_token)).subject == "user-2"
            assert (await verifier.verify(old_token)).subject == "user-1"
            assert jwks_server.hits == 2

            jwks_server.document = jwks_document([new])
            clock.advance(301)
            await verifier.verify(new_token)  # max-age passed: refetched
            with pytest.raises(InvalidToken, match="unknown signing key"):
                await verifier.verify(old_token)
            assert jwks_server.hits == 3
        finally:
            await cache.aclose()


async def test_issuer_outage_keeps_last_keys_and_unreachable_start_is_503_material() -> None:
    jwks_server = JwksServer()
    jwks_server.document = jwks_document([rsa_key()])
    clock = FakeClock()
    with jwks_server.running() as url:
        cache = JwksCache(url, clock=clock)
        try:
            verifier = TokenVerifier(cache, issuer=ISSUER, audience=AUDIENCE)
            await verifier.verify(token())
            jwks_server.status = 500
            clock.advance(1000)
            assert (await verifier.verify(token(sub="still-works"))).subject == "still-works"
        finally:
            await cache.aclose()

    # Nothing listens there any more: a fresh replica cannot load keys at all.
    cold = JwksCache(url, timeout_seconds=1.0)
    try:
        started = time.monotonic()
        with pytest.raises(KeySetUnavailable):
            await TokenVerifier(cold, issuer=ISSUER, audience=AUDIENCE).verify(token())
        assert time.monotonic() - started < 5
    finally:
        await cold.aclose()
