"""JwksCache: fetch once, refresh on rotation, never hammer the issuer, survive its outages."""

from __future__ import annotations

import asyncio
import logging

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from civicgrid_platform.auth import InvalidToken, JwksCache, JwksFetchError, KeySetUnavailable
from civicgrid_platform.auth.jwks import parse_jwks
from libs.platform.tests.unit.http_support import FakeClock, JwksEndpoint, rsa_key

URL = "https://identity.test/.well-known/jwks.json"


def _cache(endpoint: JwksEndpoint, client: object, clock: FakeClock) -> JwksCache:
    return JwksCache(URL, http_client=client, clock=clock)


async def test_keys_are_fetched_once_and_then_served_from_memory() -> None:
    endpoint, clock = JwksEndpoint(rsa_key()), FakeClock()
    async with endpoint.client() as client:
        cache = _cache(endpoint, client, clock)
        for _ in range(50):
            key = await cache.get_key(rsa_key().kid)
        assert key.kid == rsa_key().kid
        assert endpoint.fetches == 1


async def test_a_flood_of_unknown_kids_causes_at_most_one_fetch_per_cooldown() -> None:
    endpoint, clock = JwksEndpoint(rsa_key()), FakeClock()
    async with endpoint.client() as client:
        cache = _cache(endpoint, client, clock)
        await cache.get_key(rsa_key().kid)
        clock.advance(31)
        for attempt in range(200):
            with pytest.raises(InvalidToken):
                await cache.get_key(f"made-up-{attempt}")
        assert endpoint.fetches == 2  # the first load, then one refresh for the whole flood

        clock.advance(10)
        with pytest.raises(InvalidToken):
            await cache.get_key("made-up-again")
        assert endpoint.fetches == 2  # still inside the 30 s cooldown

        clock.advance(21)
        with pytest.raises(InvalidToken):
            await cache.get_key("made-up-later")
        assert endpoint.fetches == 3


async def test_concurrent_unknown_kids_share_one_fetch() -> None:
    endpoint, clock = JwksEndpoint(rsa_key()), FakeClock()
    async with endpoint.client() as client:
        cache = _cache(endpoint, client, clock)
        await cache.get_key(rsa_key().kid)
        clock.advance(31)
        endpoint.publish(rsa_key(), rsa_key("next"))
        keys = await asyncio.gather(*(cache.get_key(rsa_key("next").kid) for _ in range(20)))
        assert {key.kid for key in keys} == {rsa_key("next").kid}
        assert endpoint.fetches == 2


async def test_keys_are_refetched_after_max_age() -> None:
    endpoint, clock = JwksEndpoint(rsa_key()), FakeClock()
    async with endpoint.client() as client:
        cache = JwksCache(URL, http_client=client, clock=clock, max_age_seconds=300)
        await cache.get_key(rsa_key().kid)
        clock.advance(299)
        await cache.get_key(rsa_key().kid)
        assert endpoint.fetches == 1
        clock.advance(2)
        await cache.get_key(rsa_key().kid)
        assert endpoint.fetches == 2


async def test_stale_keys_keep_working_while_the_issuer_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    endpoint, clock = JwksEndpoint(rsa_key()), FakeClock()
    async with endpoint.client() as client:
        cache = _cache(endpoint, client, clock)
        await cache.get_key(rsa_key().kid)
        endpoint.status = 503
        clock.advance(400)
        with caplog.at_level(logging.WARNING, logger="civicgrid_platform.auth.jwks"):
            assert (await cache.get_key(rsa_key().kid)).kid == rsa_key().kid
        assert "keeping cached keys" in caplog.text
        # Retries are spaced by the cooldown even though max-age has long passed.
        await cache.get_key(rsa_key().kid)
        assert endpoint.fetches == 2


async def test_no_keys_ever_loaded_is_our_outage_not_a_bad_token() -> None:
    endpoint, clock = JwksEndpoint(rsa_key()), FakeClock()
    endpoint.status = 500
    async with endpoint.client() as client:
        cache = _cache(endpoint, client, clock)
        with pytest.raises(KeySetUnavailable):
            await cache.get_key(rsa_key().kid)
        with pytest.raises(KeySetUnavailable):
            await cache.get_key(rsa_key().kid)  # within the cooldown: no fetch, same answer
        assert endpoint.fetches == 1


async def test_explicit_refresh_reports_failure() -> None:
    endpoint, clock = JwksEndpoint(rsa_key()), FakeClock()
    endpoint.status = 500
    async with endpoint.client() as client:
        with pytest.raises(JwksFetchError):
            await _cache(endpoint, client, clock).refresh()


async def test_static_cache_never_fetches_and_can_be_replaced() -> None:
    cache = JwksCache.from_static({"keys": [rsa_key().public_jwk()]})
    assert (await cache.get_key(rsa_key().kid)).kid == rsa_key().kid
    cache.set_jwks({"keys": [rsa_key("next").public_jwk()]})
    with pytest.raises(InvalidToken):
        await cache.get_key(rsa_key().kid)
    assert cache.kids == {rsa_key("next").kid}


def test_unusable_keys_are_skipped_and_the_rest_kept(caplog: pytest.LogCaptureFixture) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - must be refused
    private_jwk = {
        **jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key("leaky").private_key, as_dict=True),
        "kid": "leaky",
    }
    document = {
        "keys": [
            rsa_key().public_jwk(),
            {"kty": "oct", "k": "c2VjcmV0", "kid": "shared-secret", "alg": "HS256"},
            {**jwt.algorithms.RSAAlgorithm.to_jwk(weak.public_key(), as_dict=True), "kid": "weak"},
            private_jwk,
            {**rsa_key("enc").public_jwk(), "use": "enc"},
            {**rsa_key("next").public_jwk(), "alg": "ES256"},
            {"kty": "RSA", "kid": "broken", "n": "***", "e": "AQAB"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        ]
    }
    with caplog.at_level(logging.WARNING):
        keys = parse_jwks(document)
    assert set(keys) == {rsa_key().kid}
    assert "private material" in caplog.text
    assert "shorter than 2048" in caplog.text


@pytest.mark.parametrize(
    "document",
    [
        [],
        {"keys": "nope"},
        {"keys": [1]},
        {"keys": [rsa_key().public_jwk(), rsa_key().public_jwk()]},  # kid repeated
    ],
)
def test_malformed_key_sets_are_refused(document: object) -> None:
    with pytest.raises(JwksFetchError):
        parse_jwks(document)
