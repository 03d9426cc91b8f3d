"""gRPC client channel factory: round-robin balancing, deadlines, retries on UNAVAILABLE, trace
and token propagation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import grpc
from grpc import aio

# The channel's default service config. round_robin: a channel keeps a connection to every
# address its target resolves to and spreads calls over them, so `dns:///<headless service>:port`
# balances over the server pods (pick_first, gRPC's default, would pin one pod per client, and a
# ClusterIP Service balances connections, not calls). A target of one address works as before.
SERVICE_CONFIG = {
    "loadBalancingConfig": [{"round_robin": {}}],
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
    ],
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


def channel_options() -> list[tuple[str, Any]]:
    """The options of every channel create_channel opens."""
    return [("grpc.service_config", json.dumps(SERVICE_CONFIG)), ("grpc.enable_retries", 1)]


def create_channel(
    target: str,
    *,
    token_provider: Callable[[], str | None] | None = None,
    deadline_seconds: float = 5.0,
) -> aio.Channel:
    """A channel to `target`: `host:port` (one address) or `dns:///host:port` (every address
    the name resolves to, e.g. a headless Service's ready pods, balanced round-robin)."""
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    return aio.insecure_channel(
        target,
        options=channel_options(),
        interceptors=[
            *aio_client_interceptors(),
            _MetadataInterceptor(token_provider, deadline_seconds),
        ],
    )


def status_of(error: BaseException) -> grpc.StatusCode | None:
    return error.code() if isinstance(error, aio.AioRpcError) else None
