"""Bearer tokens for a platform service acting on a tenant's behalf, with no user in hand.

The service's own client credentials buy, from the issuer's token endpoint, a short-lived token
in a named tenant (form field tenant_id; the client needs the tenants:act scope) or, without a
tenant, in the client's own. Tokens are cached until shortly before they expire, and concurrent
callers for one tenant share one request, so a burst of events costs the issuer one exchange.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx

_PLATFORM = "platform"  # the cache key of the token without a tenant


class ServiceTokenError(Exception):
    """No token could be had."""


class TokenRefused(ServiceTokenError):
    """The issuer said no (4xx): wrong credentials, a scope or tenant not allowed, an unknown
    tenant. Not worth retrying until the settings or the tenant change."""

    def __init__(self, message: str, *, status: int, fields: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.fields = tuple(fields)


class TokenEndpointUnavailable(ServiceTokenError):
    """The issuer could not answer (unreachable, timeout, 5xx, 429): worth retrying later."""


@dataclass(frozen=True, slots=True)
class _Held:
    token: str
    obtained_at: float
    refresh_at: float
    expires_at: float


class TenantTokens:
    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scopes: Sequence[str],
        *,
        platform_scopes: Sequence[str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        timeout_seconds: float = 5.0,
        refresh_before_seconds: float = 60.0,
        max_tenants: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """`scopes` are asked for in a tenant, `platform_scopes` (default: the same) without
        one; empty means all the client holds. A token is renewed `refresh_before_seconds`
        (at most a fifth of its lifetime) before it expires."""
        if not client_id or not client_secret:
            raise ValueError("a service client id and secret are required")
        self._url = token_url
        self._client_id = client_id
        self._secret = client_secret
        self._scopes = " ".join(scopes)
        self._platform_scopes = " ".join(scopes if platform_scopes is None else platform_scopes)
        self._http = http_client or httpx.AsyncClient(timeout=timeout_seconds)
        self._owns_http = http_client is None
        self._refresh_before = refresh_before_seconds
        self._max_tenants = max_tenants
        self._clock = clock
        self._held: dict[str, _Held] = {}
        self._pending: dict[str, asyncio.Task[_Held]] = {}

    async def for_tenant(self, tenant_id: UUID | str) -> str:
        """A bearer token in the tenant (TokenRefused, TokenEndpointUnavailable)."""
        return await self._token(str(UUID(str(tenant_id))))

    async def platform(self) -> str:
        """A bearer token in the client's own (platform) tenant, for calls across tenants."""
        return await self._token(_PLATFORM)

    def invalidate(
        self, tenant_id: UUID | str | None, token: str, *, min_age_seconds: float = 30.0
    ) -> bool:
        """Forget `token` when a server refused it, so the next call fetches a fresh one; True
        if it was forgotten. A token younger than min_age_seconds is kept: a fresh token that is
        refused is not stale, and a flood of refusals must not become a flood of exchanges."""
        key = _PLATFORM if tenant_id is None else str(UUID(str(tenant_id)))
        held = self._held.get(key)
        if held is None or held.token != token:
            return False
        if self._clock() - held.obtained_at < min_age_seconds:
            return False
        del self._held[key]
        return True

    async def aclose(self) -> None:
        for task in self._pending.values():
            task.cancel()
        if self._owns_http:
            await self._http.aclose()

    async def _token(self, key: str) -> str:
        held = self._held.get(key)
        if held is not None and self._clock() < held.refresh_at:
            return held.token
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._exchange(key))
            self._pending[key] = task
            task.add_done_callback(lambda done: self._settled(key, done))
        try:
            # Shielded: one caller giving up must not cancel the exchange the others wait for.
            return (await asyncio.shield(task)).token
        except TokenEndpointUnavailable:
            # Renewal failed early, while the held token still works: use it meanwhile.
            if held is not None and self._clock() < held.expires_at:
                return held.token
            raise

    def _settled(self, key: str, task: asyncio.Task[_Held]) -> None:
        if self._pending.get(key) is task:
            del self._pending[key]
        if not task.cancelled():
            task.exception()  # retrieved: callers that gave up leave no "never retrieved" noise

    async def _exchange(self, key: str) -> _Held:
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._secret,
        }
        scopes = self._platform_scopes if key == _PLATFORM else self._scopes
        if scopes:
            form["scope"] = scopes
        if key != _PLATFORM:
            form["tenant_id"] = key
        where = "the platform" if key == _PLATFORM else f"tenant {key}"
        started = self._clock()
        try:
            answer = await self._http.post(self._url, data=form)
        except httpx.HTTPError as error:
            raise TokenEndpointUnavailable(
                f"token endpoint {self._url} unreachable for {where}: {error!r}"
            ) from error
        if answer.status_code == 429 or answer.status_code >= 500:
            raise TokenEndpointUnavailable(
                f"token endpoint {self._url} answered {answer.status_code} for {where}"
            )
        if answer.status_code != 200:
            detail, fields = _problem(answer)
            raise TokenRefused(
                f"client {self._client_id} refused a token for {where}: "
                f"{answer.status_code} {detail}",
                status=answer.status_code,
                fields=fields,
            )
        token, lifetime = _token_of(answer)
        lead = min(self._refresh_before, lifetime / 5)
        held = _Held(token, started, started + lifetime - lead, started + lifetime)
        self._remember(key, held)
        return held

    def _remember(self, key: str, held: _Held) -> None:
        self._held.pop(key, None)
        if len(self._held) >= self._max_tenants:
            now = self._clock()
            for stale in [k for k, h in self._held.items() if h.refresh_at <= now]:
                del self._held[stale]
        while len(self._held) >= self._max_tenants:
            del self._held[next(iter(self._held))]  # the longest held
        self._held[key] = held


def _problem(answer: httpx.Response) -> tuple[str, list[str]]:
    """The detail and the fields a problem+json answer names (else the body's start)."""
    try:
        body: Any = answer.json()
    except ValueError:
        return answer.text[:200], []
    if not isinstance(body, dict):
        return answer.text[:200], []
    errors = body.get("errors")
    fields = []
    for error in errors if isinstance(errors, list) else []:
        if isinstance(error, dict) and "field" in error:
            fields.append(str(error["field"]))
    return str(body.get("detail") or body.get("title") or ""), fields


def _token_of(answer: httpx.Response) -> tuple[str, float]:
    try:
        body = answer.json()
        token, lifetime = body["access_token"], body["expires_in"]
    except (ValueError, KeyError, TypeError):
        raise TokenEndpointUnavailable("the token endpoint answered 200 without a token") from None
    if not isinstance(token, str) or not token or not isinstance(lifetime, int) or lifetime <= 0:
        raise TokenEndpointUnavailable("the token endpoint answered 200 without a token")
    return token, float(lifetime)
