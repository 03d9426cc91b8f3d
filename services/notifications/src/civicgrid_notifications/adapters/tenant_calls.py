"""gRPC calls made on a district's behalf (or platform-wide) with a service token, and their
failures turned into the errors notifications' use cases and consumers understand."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar
from uuid import UUID

import grpc
from grpc import aio

from civicgrid_platform.auth import TenantTokens, TokenEndpointUnavailable, TokenRefused
from civicgrid_platform.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from civicgrid_platform.events.retry import RetryableError

ResponseT = TypeVar("ResponseT")

# Worth another try later: the peer is away, slow or busy, or had a fault a restart may clear
# (the consumer's retries are bounded, then the event is dead-lettered).
RETRYABLE = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
    }
)
_DOMAIN = {
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.UNAUTHENTICATED: NotAuthenticated,
    grpc.StatusCode.PERMISSION_DENIED: Forbidden,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidInput,
}


def mapped(error: aio.AioRpcError, what: str) -> Exception | None:
    """Our error for a failed call; None for a status no caller can act on (left as is)."""
    code = error.code()
    detail = f"{what}: {error.details() or code.name}"
    if code in RETRYABLE:
        return RetryableError(detail)
    kind = _DOMAIN.get(code)
    return kind(detail) if kind is not None else None


async def call_as(
    tokens: TenantTokens,
    tenant_id: UUID | None,
    method: Callable[..., Awaitable[ResponseT]],
    request: Any,
    what: str,
) -> ResponseT:
    """`method(request)` with a token in tenant_id (None: the platform-wide token).

    A refused token is renewed and the call made once more, unless the token was fresh: then
    the refusal is the answer (ResolveDevice says UNAUTHENTICATED for a bad signature too)."""
    token = await _token(tokens, tenant_id, what)
    try:
        return await method(request, metadata=_bearer(token))
    except aio.AioRpcError as error:
        stale = error.code() == grpc.StatusCode.UNAUTHENTICATED and tokens.invalidate(
            tenant_id, token
        )
        if not stale:
            _raise_mapped(error, what)
    token = await _token(tokens, tenant_id, what)
    try:
        return await method(request, metadata=_bearer(token))
    except aio.AioRpcError as error:
        _raise_mapped(error, what)


def _raise_mapped(error: aio.AioRpcError, what: str) -> NoReturn:
    ours = mapped(error, what)
    if ours is None:
        raise error
    raise ours from error


async def _token(tokens: TenantTokens, tenant_id: UUID | None, what: str) -> str:
    try:
        return await (tokens.platform() if tenant_id is None else tokens.for_tenant(tenant_id))
    except TokenEndpointUnavailable as error:
        raise RetryableError(f"{what}: {error}") from error
    except TokenRefused as error:
        if error.status == 422 and "tenant_id" in error.fields:
            raise NotFound(f"{what}: no district {tenant_id}", field="tenant_id") from error
        raise  # wrong credentials or scopes: the settings are wrong, say so loudly


def _bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)
