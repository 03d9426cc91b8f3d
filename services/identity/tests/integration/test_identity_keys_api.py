"""Signing-key rotation: the next key is published before it signs, tokens of the previous key
keep verifying, and a key leaves the JWKS once no token it signed can still be valid."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_platform.auth import InvalidToken, JwksCache, TokenVerifier
from services.identity.tests.identity_support import (
    Clock,
    IdentityApi,
    asgi_client,
    bearer,
    jwt_part,
    make_app,
)

pytestmark = pytest.mark.integration

LEAD = timedelta(minutes=6)  # TokenPolicy.key_publish_lead
AFTER_LAST_TOKEN = timedelta(minutes=15 + 5)  # access-token lifetime + JWKS grace


async def published(api: IdentityApi) -> dict:
    jwks = (await api.call("GET", "/.well-known/jwks.json", expect=200)).json()
    assert all(k["kty"] == "RSA" and k["alg"] == "RS256" and "d" not in k for k in jwks["keys"])
    return jwks


async def kids(api: IdentityApi) -> set[str]:
    return {k["kid"] for k in (await published(api))["keys"]}


def lenient_verifier(identity, jwks: dict) -> TokenVerifier:
    """Checks signatures against a JWKS snapshot; tokens issued on an advanced test clock are
    dated in the future, so time checks are relaxed by hours."""
    return TokenVerifier(
        JwksCache.from_static(jwks),
        issuer=identity.settings.token_issuer,
        audience=identity.settings.token_audience,
        leeway_seconds=6 * 3600,
    )


async def test_rotation_publishes_first_signs_later_and_unpublishes_the_old_key(
    identity, api: IdentityApi, clock: Clock
):
    admin = await api.platform_admin()
    old_token = admin.access
    old_kid = jwt_part(old_token, 0)["kid"]
    assert old_kid in await kids(api)

    rotated = (await api.call("POST", "/v1/keys/rotate", headers=admin.headers, expect=201)).json()
    new_kid = rotated["kid"]
    activates_at = datetime.fromisoformat(rotated["activates_at"])
    assert new_kid != old_kid
    assert abs((activates_at - clock()) - LEAD) < timedelta(seconds=30)

    # Published at once, so every verifier can learn it before it signs anything...
    assert {old_kid, new_kid} <= await kids(api)
    # ...while tokens are still signed by the previous key, and both kinds verify.
    soon = await api.platform_admin()
    assert jwt_part(soon.access, 0)["kid"] == old_kid
    await api.call("GET", "/v1/me", headers=bearer(old_token), expect=200)

    # Once the lead has passed the new key signs; tokens of the old one still verify.
    clock.advance(seconds=LEAD.total_seconds() + 1)
    new_token = (await api.login("platform", admin.username, admin.password)).json()["access_token"]
    assert jwt_part(new_token, 0)["kid"] == new_kid
    jwks = await published(api)
    assert {old_kid, new_kid} <= {k["kid"] for k in jwks["keys"]}
    verifier = lenient_verifier(identity, jwks)
    assert (await verifier.verify(new_token)).subject == admin.id
    assert (await verifier.verify(old_token)).subject == admin.id

    # When no token of the old key can be valid any more, it leaves the JWKS...
    clock.advance(seconds=AFTER_LAST_TOKEN.total_seconds())
    jwks = await published(api)
    assert old_kid not in {k["kid"] for k in jwks["keys"]}
    assert new_kid in {k["kid"] for k in jwks["keys"]}
    # ...so a verifier loading the key set now refuses what it signed.
    with pytest.raises(InvalidToken, match="unknown signing key"):
        await lenient_verifier(identity, jwks).verify(old_token)


async def test_only_a_platform_admin_rotates(api: IdentityApi, district):
    await api.call("POST", "/v1/keys/rotate", headers=district.admin.headers, expect=403)
    await api.call("POST", "/v1/keys/rotate", expect=401)


async def test_timer_rotates_only_when_the_newest_key_is_old_enough(keyring: KeyRing, clock: Clock):
    assert await keyring.rotate(only_if_older_than=3600) is None
    clock.advance(hours=2)
    rotated = await keyring.rotate(only_if_older_than=3600)
    assert rotated is not None
    # Every replica's timer fires; only the first one rotates.
    assert await keyring.rotate(only_if_older_than=3600) is None
    clock.advance(seconds=LEAD.total_seconds() + 1)
    assert (await keyring.signing_key()).kid == rotated.kid


async def test_a_token_signed_right_after_rotation_verifies_against_every_replicas_jwks(
    identity, ctx, api: IdentityApi
):
    """Regression: the new key used to sign at once, while other replicas still served a cached
    JWKS without it, so verifiers refused fresh tokens after every rotation."""
    # Two replicas of identity with the production key cache; replica B served the JWKS lately.
    replica_a = KeyRing(ctx, cache_seconds=30)
    replica_b = KeyRing(ctx, cache_seconds=30)
    await replica_a.signing_key()
    await replica_b.jwks_json()

    admin = await api.platform_admin()
    await api.call("POST", "/v1/keys/rotate", headers=admin.headers, expect=201)
    replica_a.invalidate()  # as on the replica that handled the rotation

    # A user logs in through replica A; another service verifies with the JWKS from replica B.
    issued_by_a = make_app(identity, ctx, replica_a)
    verifying_via_b = make_app(identity, ctx, replica_b)
    try:
        async with asgi_client(issued_by_a.app) as a, asgi_client(verifying_via_b.app) as b:
            user = await IdentityApi(a, ctx).platform_admin()
            answer = await b.get("/v1/me", headers=user.headers)
            assert answer.status_code == 200, answer.text
    finally:
        await issued_by_a.aclose()
        await verifying_via_b.aclose()
