"""JwksCache: the issuer's public keys by kid, fetched over HTTP and refreshed with care.

An unknown kid triggers a refresh (the issuer may have rotated), but at most once per cooldown
so a flood of made-up kids cannot hammer the issuer. Keys are refetched after max-age; if the
issuer is unreachable the last good keys stay in use rather than failing every request.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from civicgrid_platform.auth.errors import InvalidToken, KeySetUnavailable
from civicgrid_platform.auth.keys import UnusableKey, VerificationKey, key_from_jwk

logger = logging.getLogger(__name__)


class JwksFetchError(Exception):
    """The JWKS endpoint did not give a usable key set."""


def parse_jwks(document: Any) -> dict[str, VerificationKey]:
    """Keys by kid; unusable keys are skipped (logged) so one odd key cannot hide the rest."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksFetchError("JWKS document has no 'keys' list")
    keys: dict[str, VerificationKey] = {}
    for jwk in document["keys"]:
        if not isinstance(jwk, dict):
            raise JwksFetchError("JWKS 'keys' holds a non-object")
        try:
            key = key_from_jwk(jwk)
        except UnusableKey as error:
            logger.warning("skipping JWK: %s", error)
            continue
        if key.kid in keys:
            # Two keys behind one kid would make the choice of key ambiguous: trust neither.
            raise JwksFetchError(f"JWKS repeats kid {key.kid}")
        keys[key.kid] = key
    return keys


class JwksCache:
    def __init__(
        self,
        url: str | None,
        *,
        http_client: httpx.AsyncClient | None = None,
        refresh_cooldown_seconds: float = 30.0,
        max_age_seconds: float = 300.0,
        timeout_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`url` None means a static key set (see from_static); else keys are fetched lazily."""
        self._url = url
        self._client = http_client
        self._owns_client = http_client is None
        self._cooldown = refresh_cooldown_seconds
        self._max_age = max_age_seconds
        self._timeout = timeout_seconds
        self._clock = clock
        self._keys: dict[str, VerificationKey] = {}
        self._loaded = False
        self._fetched_at = 0.0
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()
        self.fetch_count = 0  # exposed for metrics and tests

    @classmethod
    def from_static(cls, jwks: Mapping[str, Any]) -> JwksCache:
        """A cache that never fetches: for in-process verification (the issuer itself) and tests."""
        cache = cls(None)
        cache.set_jwks(jwks)
        return cache

    def set_jwks(self, jwks: Mapping[str, Any]) -> None:
        """Replace the key set (a static cache's rotation)."""
        self._keys = parse_jwks(dict(jwks))
        self._loaded = True
        self._fetched_at = self._clock()

    @property
    def kids(self) -> frozenset[str]:
        return frozenset(self._keys)

    async def get_key(self, kid: str) -> VerificationKey:
        """The key for `kid`; InvalidToken if the issuer does not publish it."""
        key = self._keys.get(kid)
        if self._url is None:
            if key is None:
                raise InvalidToken("unknown signing key")
            return key
        now = self._clock()
        if key is not None and now - self._fetched_at < self._max_age:
            return key
        await self._refresh(reason="unknown kid" if key is None else "max-age")
        if not self._loaded:
            raise KeySetUnavailable("signing keys not loaded yet")
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("unknown signing key")
        return key

    async def refresh(self) -> None:
        """Fetch now, ignoring the cooldown (e.g. warm-up at startup); JwksFetchError on failure."""
        async with self._lock:
            await self._fetch()

    async def aclose(self) -> None:
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _refresh(self, *, reason: str) -> None:
        attempted_before = self._last_attempt
        async with self._lock:
            if self._last_attempt != attempted_before:
                return  # another caller refreshed while we waited for the lock
            if (
                self._last_attempt is not None
                and self._clock() - self._last_attempt < self._cooldown
            ):
                return
            try:
                await self._fetch()
            except JwksFetchError as error:
                if not self._loaded:
                    raise KeySetUnavailable(f"signing keys unavailable: {error}") from error
                # Keep verifying with the last good keys; the cooldown spaces the retries.
                logger.warning("JWKS refresh (%s) failed, keeping cached keys: %s", reason, error)

    async def _fetch(self) -> None:
        assert self._url is not None
        self._last_attempt = self._clock()
        self.fetch_count += 1
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        try:
            response = await self._client.get(
                self._url, headers={"Accept": "application/json"}, timeout=self._timeout
            )
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise JwksFetchError(f"{type(error).__name__}: {error}") from error
        self._keys = parse_jwks(document)
        self._loaded = True
        self._fetched_at = self._clock()
        logger.info("JWKS loaded from %s: kids %s", self._url, sorted(self._keys))
