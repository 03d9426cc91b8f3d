"""TokenVerifier: compact JWS access tokens in, Principal out, or InvalidToken.

Written against `cryptography` directly rather than a generic JWT library: the rules are few
and strict (asymmetric allowlist, kid required, no `crit`, exact iss/aud, exp/nbf/iat required)
and the hot path stays lean: a fresh RS256 token costs little more than the RSA check itself.
"""

from __future__ import annotations

import binascii
import json
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, NamedTuple

from civicgrid_platform.auth.claims import principal_from_claims
from civicgrid_platform.auth.errors import InvalidToken
from civicgrid_platform.auth.jwks import JwksCache
from civicgrid_platform.auth.keys import SUPPORTED_ALGORITHMS, VerificationKey, b64url_decode
from civicgrid_platform.auth.principal import Principal

DEFAULT_ALGORITHMS = ("RS256", "ES256", "EdDSA")
MAX_TOKEN_LENGTH = 16 * 1024
# Tokens from one signing key share their header, so parsed headers are worth keeping; the
# bound keeps made-up headers from growing it without limit.
_HEADER_CACHE_SIZE = 256


class _Verified(NamedTuple):
    principal: Principal
    kid: str
    key: VerificationKey
    exp: float


class TokenVerifier:
    def __init__(
        self,
        jwks: JwksCache,
        *,
        issuer: str,
        audience: str,
        algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
        leeway_seconds: float = 30.0,
        verified_cache_size: int = 4096,
    ) -> None:
        """`verified_cache_size`: how many recently verified tokens to remember (0 disables).

        A caller sends the same token with every request until it expires; remembering the
        outcome skips the signature check, which is most of the cost. A remembered token is
        still refused once it expires or once its key leaves the JWKS."""
        allowed = frozenset(algorithms)
        refused = allowed - SUPPORTED_ALGORITHMS
        if refused:
            # Symmetric and "none" algorithms are not supported at all, so cannot be allowed.
            raise ValueError(f"unsupported or unsafe algorithms: {sorted(refused)}")
        if not allowed or not issuer or not audience:
            raise ValueError("algorithms, issuer and audience are required")
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience
        self._algorithms = allowed
        self._leeway = leeway_seconds
        self._headers: dict[str, tuple[str, str]] = {}
        self._verified: dict[str, _Verified] = {}
        self._verified_cache_size = verified_cache_size

    async def verify(self, token: str) -> Principal:
        """The Principal the token speaks for; InvalidToken (short reason) if not acceptable."""
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("malformed token")
        remembered = self._verified.get(token)
        if remembered is not None:
            if (
                time.time() < remembered.exp + self._leeway
                and await self._jwks.get_key(remembered.kid) is remembered.key
            ):
                return remembered.principal
            self._verified.pop(token, None)
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidToken("malformed token")
        header_segment, payload_segment, signature_segment = parts
        alg, kid = self._header(header_segment)
        key = await self._jwks.get_key(kid)
        try:
            signing_input = token[: len(header_segment) + 1 + len(payload_segment)].encode("ascii")
            signature = b64url_decode(signature_segment)
        except (UnicodeEncodeError, binascii.Error):
            raise InvalidToken("malformed token") from None
        if alg not in key.algorithms:
            raise InvalidToken("algorithm does not match the signing key")
        if not key.verify(alg, signing_input, signature):
            raise InvalidToken("bad signature")
        claims = _json_segment(payload_segment)
        self._check_registered_claims(claims)
        principal = replace(principal_from_claims(claims), token=token)
        self._remember(token, _Verified(principal, kid, key, claims["exp"]))
        return principal

    def _remember(self, token: str, verified: _Verified) -> None:
        if self._verified_cache_size <= 0:
            return
        if len(self._verified) >= self._verified_cache_size:
            # Dicts keep insertion order: drop the oldest entry.
            self._verified.pop(next(iter(self._verified)))
        self._verified[token] = verified

    def _header(self, segment: str) -> tuple[str, str]:
        cached = self._headers.get(segment)
        if cached is not None:
            return cached
        header = _json_segment(segment)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._algorithms:
            raise InvalidToken("algorithm not allowed")
        if "crit" in header:
            # RFC 7515 §4.1.11: we understand no extensions, so any critical one means refuse.
            raise InvalidToken("unsupported critical header")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("kid header missing")
        if len(self._headers) < _HEADER_CACHE_SIZE:
            self._headers[segment] = (alg, kid)
        return alg, kid

    def _check_registered_claims(self, claims: dict[str, Any]) -> None:
        now = time.time()
        exp: Any = claims.get("exp")
        nbf: Any = claims.get("nbf")
        iat: Any = claims.get("iat")
        if not (_is_number(exp) and _is_number(nbf) and _is_number(iat)):
            raise InvalidToken("exp, nbf and iat are required")
        if now >= exp + self._leeway:
            raise InvalidToken("token expired")
        if nbf > now + self._leeway or iat > now + self._leeway:
            raise InvalidToken("token not yet valid")
        if claims.get("iss") != self._issuer:
            raise InvalidToken("wrong issuer")
        aud = claims.get("aud")
        if not (aud == self._audience or (isinstance(aud, list) and self._audience in aud)):
            raise InvalidToken("wrong audience")


def _json_segment(segment: str) -> dict[str, Any]:
    try:
        value = json.loads(b64url_decode(segment))
    except (binascii.Error, ValueError):
        raise InvalidToken("malformed token") from None
    if not isinstance(value, dict):
        raise InvalidToken("malformed token")
    return value


def _is_number(value: Any) -> bool:
    # Exact types: json.loads makes only these, and bool (an int subclass) is not a time.
    return type(value) is int or type(value) is float
