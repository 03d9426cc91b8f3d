"""Open311 api_keys: an integrator client registered with identity, written as
"<client_id>:<client_secret>" (a static key, as GeoReport v2 clients expect). The key is
exchanged with identity for an access token (client credentials) and the token verified like
any other; the principal is kept until shortly before the token expires, so a busy integrator
costs identity one call per token lifetime."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import httpx

from civicgrid_platform.auth import InvalidToken, Principal, TokenVerifier

OPEN311_SCOPE = "open311"
_MARGIN_SECONDS = 30


class KeyRefused(Exception):
    """The key is not a working integrator credential with the open311 scope."""


class IdentityUnavailable(Exception):
    """Identity did not answer; a key that is not cached cannot be checked now."""


@dataclass
class _Cached:
    principal: Principal
    until: float


class Open311Keys:
    def __init__(self, identity_url: str, verifier: TokenVerifier, http: httpx.AsyncClient) -> None:
        self._token_url = identity_url.rstrip("/") + "/v1/oauth/token"
        self._verifier = verifier
        self._http = http
        self._cache: dict[str, _Cached] = {}

    async def principal(self, api_key: str) -> Principal:
        digest = hashlib.sha256(api_key.encode()).hexdigest()
        cached = self._cache.get(digest)
        if cached is not None and cached.until > time.monotonic():
            return cached.principal
        client_id, _, secret = api_key.partition(":")
        if not client_id or not secret:
            raise KeyRefused("api_key: expected <client_id>:<client_secret>")
        try:
            answer = await self._http.post(
                self._token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": secret,
                    "scope": OPEN311_SCOPE,
                },
            )
        except httpx.HTTPError as exc:
            raise IdentityUnavailable(str(exc)) from exc
        if answer.status_code >= 500:
            raise IdentityUnavailable(f"identity answered {answer.status_code}")
        if answer.status_code != 200:
            raise KeyRefused("api_key: not a valid integrator key with the open311 scope")
        body = answer.json()
        try:
            principal = await self._verifier.verify(body["access_token"])
        except InvalidToken as exc:
            raise KeyRefused(f"api_key: {exc}") from exc
        if not principal.has_scope(OPEN311_SCOPE):
            raise KeyRefused("api_key: the client lacks the open311 scope")
        lifetime = float(body.get("expires_in", 60))
        self._cache[digest] = _Cached(principal, time.monotonic() + lifetime - _MARGIN_SECONDS)
        return principal
