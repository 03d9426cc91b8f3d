"""How calls on a district's behalf fail: gRPC statuses and token refusals become our errors,
and a stale token is renewed once (a fresh one that is refused is the answer)."""

from __future__ import annotations

import uuid

import grpc
import pytest
from grpc import aio

from civicgrid_notifications.adapters.tenant_calls import call_as, mapped
from civicgrid_platform.auth import TokenEndpointUnavailable, TokenRefused
from civicgrid_platform.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from civicgrid_platform.events.retry import RetryableError

TENANT = uuid.uuid4()


def rpc_error(code: grpc.StatusCode, details: str = "") -> aio.AioRpcError:
    return aio.AioRpcError(code, aio.Metadata(), aio.Metadata(), details=details)


class Tokens:
    """TenantTokens as call_as uses it: tok-1, tok-2, ...; `stale` says whether a refused
    token is old enough to be renewed; `failure` is raised instead of giving a token."""

    def __init__(self, *, stale: bool = True, failure: Exception | None = None) -> None:
        self.issued = 0
        self.stale = stale
        self.failure = failure
        self.asked: list[uuid.UUID | None] = []

    async def for_tenant(self, tenant_id: uuid.UUID) -> str:
        return self._next(tenant_id)

    async def platform(self) -> str:
        return self._next(None)

    def _next(self, tenant_id: uuid.UUID | None) -> str:
        self.asked.append(tenant_id)
        if self.failure is not None:
            raise self.failure
        self.issued += 1
        return f"tok-{self.issued}"

    def invalidate(self, tenant_id: uuid.UUID | None, token: str) -> bool:
        return self.stale


class Method:
    """A stub method answering from a script of errors, then "ok"; records the tokens used."""

    def __init__(self, *errors: aio.AioRpcError) -> None:
        self.errors = list(errors)
        self.tokens: list[str] = []

    async def __call__(self, request: object, *, metadata: tuple[tuple[str, str], ...]) -> str:
        self.tokens.append(dict(metadata)["authorization"])
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.parametrize(
    ("code", "ours"),
    [
        (grpc.StatusCode.UNAVAILABLE, RetryableError),
        (grpc.StatusCode.DEADLINE_EXCEEDED, RetryableError),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, RetryableError),
        (grpc.StatusCode.NOT_FOUND, NotFound),
        (grpc.StatusCode.UNAUTHENTICATED, NotAuthenticated),
        (grpc.StatusCode.PERMISSION_DENIED, Forbidden),
        (grpc.StatusCode.INVALID_ARGUMENT, InvalidInput),
    ],
)
def test_grpc_statuses_become_notifications_errors(code: grpc.StatusCode, ours: type) -> None:
    error = mapped(rpc_error(code, "device_id: unknown device"), "identity device")
    assert type(error) is ours
    assert str(error) == "identity device: device_id: unknown device"
    assert mapped(rpc_error(grpc.StatusCode.UNIMPLEMENTED), "x") is None


async def test_a_stale_token_refused_is_renewed_once_and_the_call_repeated() -> None:
    tokens = Tokens(stale=True)
    method = Method(rpc_error(grpc.StatusCode.UNAUTHENTICATED, "invalid token: expired"))
    assert await call_as(tokens, TENANT, method, object(), "identity people") == "ok"
    assert method.tokens == ["Bearer tok-1", "Bearer tok-2"]
    assert tokens.asked == [TENANT, TENANT]


async def test_a_fresh_token_refused_is_the_answer_not_a_reason_to_ask_again() -> None:
    tokens = Tokens(stale=False)
    method = Method(rpc_error(grpc.StatusCode.UNAUTHENTICATED, "bad device signature"))
    with pytest.raises(NotAuthenticated, match="bad device signature"):
        await call_as(tokens, None, method, object(), "identity device")
    assert method.tokens == ["Bearer tok-1"]
    assert tokens.asked == [None]  # the platform-wide token


async def test_token_endpoint_failures_become_retryable_or_not_found_or_stay_loud() -> None:
    method = Method()
    unavailable = Tokens(failure=TokenEndpointUnavailable("identity down"))
    with pytest.raises(RetryableError, match="identity down"):
        await call_as(unavailable, TENANT, method, object(), "identity people")

    unknown = Tokens(failure=TokenRefused("no such district", status=422, fields=["tenant_id"]))
    with pytest.raises(NotFound) as raised:
        await call_as(unknown, TENANT, method, object(), "identity people")
    assert raised.value.field == "tenant_id"

    misconfigured = Tokens(failure=TokenRefused("invalid username or password", status=401))
    with pytest.raises(TokenRefused):
        await call_as(misconfigured, TENANT, method, object(), "identity people")
    assert method.tokens == []
