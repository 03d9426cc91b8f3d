"""TokenVerifier: the one valid shape is accepted, every tampered or foreign token refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from civicgrid_platform.auth import (
    InvalidToken,
    JwksCache,
    RoleBinding,
    TokenVerifier,
    jwks_document,
)
from civicgrid_platform.auth import verifier as verifier_module
from libs.platform.tests.unit.http_support import (
    AUDIENCE,
    ISSUER,
    TENANT,
    FakeClock,
    JwksEndpoint,
    b64url,
    claims,
    forge,
    rsa_key,
    static_verifier,
    token,
)


async def test_valid_token_gives_the_principal_it_speaks_for() -> None:
    principal = await static_verifier().verify(token(scope="reports:read reports:write"))

    assert principal.subject == "user-1"
    assert principal.tenant_id == TENANT
    assert principal.kind == "person"
    assert principal.roles == {"member", "unit_admin", "auditor"}
    assert set(principal.bindings) == {
        RoleBinding("unit_admin", "unit-7"),
        RoleBinding("auditor", None),
    }
    assert principal.scopes == {"reports:read", "reports:write"}
    assert principal.units_for("unit_admin") == {"unit-7"}
    assert principal.holds_tenant_wide("auditor")
    assert principal.expires_at > datetime.now(UTC)
    assert principal.token_id


def _header_and_payload(value: str) -> tuple[str, str]:
    head, body, _ = value.split(".")
    return head, body


async def test_alg_none_is_refused() -> None:
    unsigned = forge({"alg": "none", "typ": "JWT", "kid": rsa_key().kid}, claims())
    with pytest.raises(InvalidToken, match="algorithm not allowed"):
        await static_verifier().verify(unsigned)


async def test_hs256_signed_with_the_public_key_pem_is_refused() -> None:
    # The classic key-confusion attack: the public key is public, so an HMAC made with it
    # must never count as a signature.
    pem = (
        rsa_key()
        .private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    unsigned = forge({"alg": "HS256", "typ": "JWT", "kid": rsa_key().kid}, claims())
    head, body = _header_and_payload(unsigned)
    mac = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidToken, match="algorithm not allowed"):
        await static_verifier().verify(f"{head}.{body}.{b64url(mac)}")


@pytest.mark.parametrize("algorithms", [("HS256",), ("RS256", "none"), ()])
def test_verifier_cannot_be_configured_with_unsafe_algorithms(algorithms: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        TokenVerifier(
            JwksCache.from_static(jwks_document([rsa_key()])),
            issuer=ISSUER,
            audience=AUDIENCE,
            algorithms=algorithms,
        )


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": int(time.time()) - 120}, "expired"),
        ({"nbf": int(time.time()) + 600}, "not yet valid"),
        ({"iat": int(time.time()) + 600}, "not yet valid"),
        ({"aud": "another-audience"}, "wrong audience"),
        ({"aud": ["another-audience"]}, "wrong audience"),
        ({"iss": ISSUER + ".evil"}, "wrong issuer"),
        ({"iss": ISSUER[:-1]}, "wrong issuer"),
        ({"exp": None}, "required"),
        ({"nbf": None}, "required"),
        ({"iat": None}, "required"),
        ({"exp": "soon"}, "required"),
        ({"tid": "not-a-uuid"}, "tenant"),
        ({"tid": TENANT.upper()}, "tenant"),
        ({"kind": "robot"}, "kind"),
        ({"sub": ""}, "sub"),
        ({"bindings": [{"role": 3, "unit": None}]}, "binding"),
    ],
)
async def test_tokens_with_bad_claims_are_refused(overrides: dict, reason: str) -> None:
    body = {k: v for k, v in claims(**overrides).items() if v is not None}
    with pytest.raises(InvalidToken, match=reason):
        await static_verifier().verify(rsa_key().sign(body))


async def test_audience_list_containing_ours_is_accepted() -> None:
    principal = await static_verifier().verify(token(aud=["other", AUDIENCE]))
    assert principal.subject == "user-1"


async def test_small_clock_skew_is_tolerated_by_the_leeway() -> None:
    recently_expired = token(exp=int(time.time()) - 5)
    assert (await static_verifier(leeway_seconds=30).verify(recently_expired)).subject
    with pytest.raises(InvalidToken, match="expired"):
        await static_verifier(leeway_seconds=0).verify(recently_expired)


async def test_unknown_critical_header_is_refused() -> None:
    signed = jwt.encode(
        claims(),
        rsa_key().private_key,
        algorithm="RS256",
        headers={"kid": rsa_key().kid, "crit": ["exp"], "exp": 1},
    )
    with pytest.raises(InvalidToken, match="critical"):
        await static_verifier().verify(signed)


async def test_missing_kid_is_refused() -> None:
    signed = jwt.encode(claims(), rsa_key().private_key, algorithm="RS256")
    with pytest.raises(InvalidToken, match="kid"):
        await static_verifier().verify(signed)


async def test_unknown_kid_is_refused_after_one_refresh_attempt() -> None:
    endpoint = JwksEndpoint(rsa_key())
    clock = FakeClock()
    async with endpoint.client() as client:
        jwks = JwksCache("https://identity.test/jwks", http_client=client, clock=clock)
        verifier = TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
        assert (await verifier.verify(token())).subject == "user-1"
        assert endpoint.fetches == 1
        clock.advance(31)  # past the refresh cooldown
        stranger = token(rsa_key("stranger"))
        with pytest.raises(InvalidToken, match="unknown signing key"):
            await verifier.verify(stranger)
        assert endpoint.fetches == 2  # the issuer was asked once more, in case it rotated


async def test_signature_of_another_key_under_our_kid_is_refused() -> None:
    impostor = rsa_key("impostor")
    signed = jwt.encode(
        claims(), impostor.private_key, algorithm="RS256", headers={"kid": rsa_key().kid}
    )
    with pytest.raises(InvalidToken, match="bad signature"):
        await static_verifier().verify(signed)


async def test_edited_payload_is_refused() -> None:
    head, _, signature = token().split(".")
    promoted = claims(roles=["platform_admin"])
    body = b64url(json.dumps(promoted).encode())
    with pytest.raises(InvalidToken, match="bad signature"):
        await static_verifier().verify(f"{head}.{body}.{signature}")


@pytest.mark.parametrize(
    "garbage",
    ["", "abc", "a.b", "a.b.c.d", "!!.??.**", "eyJhbGciOiJSUzI1NiJ9.e30", "x" * 20000],
)
async def test_malformed_tokens_are_refused(garbage: str) -> None:
    with pytest.raises(InvalidToken):
        await static_verifier().verify(garbage)


async def test_padded_or_non_urlsafe_base64_is_refused() -> None:
    head, body, signature = token().split(".")
    with pytest.raises(InvalidToken, match="malformed"):
        await static_verifier().verify(f"{head}.{body}.{signature}==")


async def test_algorithm_must_fit_the_key_even_if_allowed() -> None:
    # An ES256 header naming an RSA key's kid: the key type decides, not the header.
    curve_key = ec.generate_private_key(ec.SECP256R1())
    signed = jwt.encode(claims(), curve_key, algorithm="ES256", headers={"kid": rsa_key().kid})
    with pytest.raises(InvalidToken, match="does not match"):
        await static_verifier().verify(signed)


async def test_key_declaring_its_alg_is_used_with_that_alg_only() -> None:
    verifier = static_verifier(algorithms=("RS256", "RS384"))
    signed = jwt.encode(
        claims(), rsa_key().private_key, algorithm="RS384", headers={"kid": rsa_key().kid}
    )
    with pytest.raises(InvalidToken, match="does not match"):
        await verifier.verify(signed)  # the published JWK says alg RS256


async def test_es256_and_eddsa_tokens_verify_against_their_jwks() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ed_key = ed25519.Ed25519PrivateKey.generate()
    ec_jwk = {**jwt.algorithms.ECAlgorithm.to_jwk(ec_key.public_key(), as_dict=True), "kid": "ec"}
    ed_jwk = {**jwt.algorithms.OKPAlgorithm.to_jwk(ed_key.public_key(), as_dict=True), "kid": "ed"}
    verifier = TokenVerifier(
        JwksCache.from_static({"keys": [ec_jwk, ed_jwk]}), issuer=ISSUER, audience=AUDIENCE
    )
    es = jwt.encode(claims(sub="ec-user"), ec_key, algorithm="ES256", headers={"kid": "ec"})
    ed = jwt.encode(claims(sub="ed-user"), ed_key, algorithm="EdDSA", headers={"kid": "ed"})
    assert (await verifier.verify(es)).subject == "ec-user"
    assert (await verifier.verify(ed)).subject == "ed-user"
    head, body, signature = es.split(".")
    flipped = b64url(bytes([signature.encode()[0] ^ 1]) + b"\0" * 63)
    with pytest.raises(InvalidToken, match="bad signature"):
        await verifier.verify(f"{head}.{body}.{flipped}")


async def test_a_remembered_token_is_still_refused_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verifier = static_verifier(leeway_seconds=0)
    soon = token(exp=int(time.time()) + 60)
    assert (await verifier.verify(soon)).subject == "user-1"
    later = time.time() + 120

    class _Later:
        @staticmethod
        def time() -> float:
            return later

    monkeypatch.setattr(verifier_module, "time", _Later)
    with pytest.raises(InvalidToken, match="expired"):
        await verifier.verify(soon)


async def test_rotation_old_kid_verifies_while_published_and_fails_once_removed() -> None:
    old, new = rsa_key(), rsa_key("next")
    endpoint = JwksEndpoint(old)
    clock = FakeClock()
    async with endpoint.client() as client:
        jwks = JwksCache("https://identity.test/jwks", http_client=client, clock=clock)
        verifier = TokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
        old_token = token(old)
        assert (await verifier.verify(old_token)).subject == "user-1"

        # Identity publishes the next key beside the old one, then signs with it.
        endpoint.publish(old, new)
        clock.advance(31)
        assert (await verifier.verify(token(new, sub="user-2"))).subject == "user-2"
        assert (await verifier.verify(old_token)).subject == "user-1"

        # Once the old tokens have had time to expire, the old key is withdrawn.
        endpoint.publish(new)
        clock.advance(301)  # past max-age: the next check refetches
        assert (await verifier.verify(token(new, sub="user-3"))).subject == "user-3"
        with pytest.raises(InvalidToken, match="unknown signing key"):
            await verifier.verify(old_token)
