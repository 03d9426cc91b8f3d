"""Signing helpers for the issuer: keys survive storage, and what they sign verifies."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from civicgrid_platform.auth import (
    InvalidToken,
    load_signing_key,
    signing_key_to_pem,
)
from civicgrid_platform.auth.keys import b64url_decode
from civicgrid_platform.auth.signing import jwk_thumbprint
from libs.platform.tests.unit.http_support import claims, rsa_key, static_verifier


def test_public_jwk_publishes_only_the_public_half() -> None:
    jwk = rsa_key().public_jwk()
    assert set(jwk) == {"kty", "n", "e", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["alg"], jwk["use"], jwk["e"]) == ("RSA", "RS256", "sig", "AQAB")


async def test_pem_round_trip_keeps_the_key_usable() -> None:
    stored = load_signing_key(signing_key_to_pem(rsa_key()), kid=rsa_key().kid)
    principal = await static_verifier(rsa_key()).verify(stored.sign(claims()))
    assert principal.subject == "user-1"


async def test_encrypted_pem_needs_its_password() -> None:
    pem = signing_key_to_pem(rsa_key(), password=b"correct horse")
    assert b"ENCRYPTED" in pem
    with pytest.raises((TypeError, ValueError)):
        load_signing_key(pem)
    stored = load_signing_key(pem, password=b"correct horse")
    # Without an explicit kid, the RFC 7638 thumbprint is used, and it is stable.
    assert stored.kid == jwk_thumbprint(rsa_key().private_key)


async def test_signed_token_names_its_kid_and_other_kids_do_not_verify_it() -> None:
    signed = rsa_key().sign(claims())
    assert (await static_verifier(rsa_key()).verify(signed)).subject == "user-1"
    with pytest.raises(InvalidToken):
        await static_verifier(rsa_key("other")).verify(signed)


def test_thumbprint_matches_rfc7638_example() -> None:
    # RFC 7638 §3.1 example key and its published thumbprint.
    from cryptography.hazmat.primitives.asymmetric import rsa

    n = int.from_bytes(
        b64url_decode(
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc"
            "_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGj"
            "QR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-"
            "bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKg"
            "w"
        ),
        "big",
    )
    public = rsa.RSAPublicNumbers(65537, n)

    class _Private:
        def public_key(self) -> rsa.RSAPublicKey:
            return public.public_key()

    assert jwk_thumbprint(_Private()) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
