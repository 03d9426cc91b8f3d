"""gRPC client channel factory: deadlines, retries on UNAVAILABLE, trace and token propagation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import grpc
from grpc import aio

_RETRY_POLICY = {
    "methodConfig": [
        {
            "name": [{}],
            "timeout": "5s",
            "retryPolicy": {
                "maxAttempts": 4,
                "initialBackoff": "0.1s",
                "maxBackoff": "1s",
                "backoffMultiplier": 2,
                "retryableStatusCodes": ["UNAVAILABLE"],
            },
        }
    ]
}


class _MetadataInterceptor(aio.UnaryUnaryClientInterceptor):
    """Adds the bearer token given by token_provider and a default deadline to every call."""

    def __init__(self, token_provider: Callable[[], str | None] | None, deadline: float) -> None:
        self.token_provider = token_provider
        self.deadline = deadline

    async def intercept_unary_unary(
        self, continuation: Any, client_call_details: Any, request: Any
    ) -> Any:
        metadata = list(client_call_details.metadata or [])
        token = self.token_provider() if self.token_provider else None
        if token and not any(k == "authorization" for k, _ in metadata):
            metadata.append(("authorization", f"Bearer {token}"))
        details = aio.ClientCallDetails(
            method=client_call_details.method,
            timeout=client_call_details.timeout
            if client_call_details.timeout is not None
            else self.deadline,
            metadata=aio.Metadata(*metadata),
            credentials=client_call_details.credentials,
            wait_for_ready=client_call_details.wait_for_ready,
        )
        return await continuation(details, request)


def create_channel(
    target: str,
    *,
    token_provider: Callable[[], str | None] | None = None,
    deadline_seconds: float = 5.0,
) -> aio.Channel:
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    return aio.insecure_channel(
        target,
        options=[
            ("grpc.service_config", json.dumps(_RETRY_POLICY)),
            ("grpc.enable_retries", 1),
        ],
        interceptors=[
            *aio_client_interceptors(),
            _MetadataInterceptor(token_provider, deadline_seconds),
        ],
    )


def status_of(error: BaseException) -> grpc.StatusCode | None:
    return error.code() if isinstance(error, aio.AioRpcError) else None
