"""Server interceptors: authenticate, bind the tenant, map domain errors to status codes.

Tracing comes from OpenTelemetry's own aio interceptor; these run inside its span.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from grpc import aio
from sqlalchemy.exc import DBAPIError

from civicgrid_platform.auth import (
    InvalidToken,
    KeySetUnavailable,
    PermissionDenied,
    TokenVerifier,
    Unauthenticated,
)
from civicgrid_platform.errors import DomainError, is_unstorable_value, mapping_for
from civicgrid_platform.grpc.context import reset_rpc_principal, set_rpc_principal
from civicgrid_platform.logs import current_tenant

logger = logging.getLogger(__name__)

# Health and reflection answer without a token: probes and grpcurl have none.
PUBLIC_SERVICES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

Behavior = Callable[[Any, aio.ServicerContext], Awaitable[Any]]


def _bearer(metadata: tuple[tuple[str, str | bytes], ...] | None) -> str | None:
    for key, value in metadata or ():
        if key == "authorization":
            text = value.decode() if isinstance(value, bytes) else value
            scheme, _, token = text.partition(" ")
            return token if scheme.lower() == "bearer" and token else None
    return None


class AuthErrorInterceptor(aio.ServerInterceptor):
    """Verifies the bearer token (when present) and turns DomainError into a gRPC status.

    A missing token is not refused here: each servicer method that needs a caller asks for
    rpc_principal(), which raises NotAuthenticated (UNAUTHENTICATED).
    """

    def __init__(self, verifier: TokenVerifier | None) -> None:
        self.verifier = verifier

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method: str = handler_call_details.method
        if handler is None or method.startswith(PUBLIC_SERVICES) or handler.unary_unary is None:
            return handler
        token = _bearer(handler_call_details.invocation_metadata)
        wrapped = self._wrap(handler.unary_unary, token, method)
        return grpc.unary_unary_rpc_method_handler(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _wrap(self, behavior: Behavior, token: str | None, method: str) -> Behavior:
        async def call(request: Any, context: aio.ServicerContext) -> Any:
            principal = None
            if token is not None:
                if self.verifier is None:
                    await context.abort(grpc.StatusCode.UNAUTHENTICATED, "tokens are not accepted")
                try:
                    principal = await self.verifier.verify(token)  # type: ignore[union-attr]
                except InvalidToken as exc:
                    await context.abort(grpc.StatusCode.UNAUTHENTICATED, f"invalid token: {exc}")
                except KeySetUnavailable:
                    # Our side cannot verify yet (identity unreachable at start): retryable.
                    await context.abort(grpc.StatusCode.UNAVAILABLE, "signing keys not loaded yet")
            principal_token = set_rpc_principal(principal)
            tenant_token = current_tenant.set(principal.tenant_id if principal else None)
            try:
                return await behavior(request, context)
            except PermissionDenied as exc:
                await context.abort(grpc.StatusCode.PERMISSION_DENIED, exc.reason)
            except Unauthenticated as exc:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, exc.reason)
            except DomainError as exc:
                mapping = mapping_for(exc)
                assert mapping is not None
                detail = f"{exc.field}: {exc.detail}" if exc.field else exc.detail
                await context.abort(mapping.grpc_code, detail)
            except ValueError as exc:
                # Malformed ids and the like in a request are the caller's fault, not ours.
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
            except DBAPIError as exc:
                if not is_unstorable_value(exc):
                    raise
                # The database refused a value of the request (NUL character, over-long text).
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "a value cannot be stored")
            finally:
                current_tenant.reset(tenant_token)
                reset_rpc_principal(principal_token)

        return call
