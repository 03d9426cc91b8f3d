"""Token signing for the issuer (identity): RS256 keys, PEM round-trips, public JWKs, compact JWTs.

Mechanism only: where keys live and when they rotate is the issuer's business.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from civicgrid_platform.auth.keys import MIN_RSA_BITS, b64url_encode

SIGNING_ALGORITHM = "RS256"


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, str]:
        """The public half as a JWK, ready for the JWKS document."""
        return {
            **_rsa_public_members(self.private_key),
            "kid": self.kid,
            "alg": SIGNING_ALGORITHM,
            "use": "sig",
        }

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A compact JWT over `claims` (see auth.claims.build_claims), kid in the header."""
        return jwt.encode(
            dict(claims),
            self.private_key,
            algorithm=SIGNING_ALGORITHM,
            headers={"kid": self.kid, "typ": "JWT"},
        )


def generate_signing_key(kid: str | None = None) -> SigningKey:
    """A fresh RSA 2048 key; kid defaults to its RFC 7638 thumbprint."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS)
    return SigningKey(kid=kid or jwk_thumbprint(private_key), private_key=private_key)


def signing_key_to_pem(key: SigningKey, *, password: bytes | None = None) -> bytes:
    """PKCS#8 PEM, encrypted when a password is given."""
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def load_signing_key(
    pem: bytes, *, kid: str | None = None, password: bytes | None = None
) -> SigningKey:
    """The SigningKey stored as `pem`; kid defaults to the thumbprint, like generate_signing_key."""
    private_key = serialization.load_pem_private_key(pem, password=password)
    if not isinstance(private_key, rsa.RSAPrivateKey) or private_key.key_size < MIN_RSA_BITS:
        raise ValueError(f"signing keys must be RSA of at least {MIN_RSA_BITS} bits")
    return SigningKey(kid=kid or jwk_thumbprint(private_key), private_key=private_key)


def jwks_document(keys: Iterable[SigningKey]) -> dict[str, list[dict[str, str]]]:
    """The JWKS body to serve: publish the next key before signing with it, and keep the
    previous one until its tokens have expired."""
    return {"keys": [key.public_jwk() for key in keys]}


def jwk_thumbprint(private_key: rsa.RSAPrivateKey) -> str:
    members = _rsa_public_members(private_key)
    canonical = json.dumps(
        {"e": members["e"], "kty": "RSA", "n": members["n"]}, separators=(",", ":"), sort_keys=True
    )
    return b64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def _rsa_public_members(private_key: rsa.RSAPrivateKey) -> dict[str, str]:
    numbers = private_key.public_key().public_numbers()
    return {"kty": "RSA", "n": _b64_uint(numbers.n), "e": _b64_uint(numbers.e)}


def _b64_uint(value: int) -> str:
    return b64url_encode(value.to_bytes((value.bit_length() + 7) // 8, "big"))
