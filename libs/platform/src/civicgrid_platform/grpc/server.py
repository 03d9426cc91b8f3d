"""gRPC aio server factory: health, reflection, tracing, auth and error mapping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from grpc import aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from civicgrid_platform.auth import TokenVerifier
from civicgrid_platform.grpc.interceptors import AuthErrorInterceptor

Registrar = Callable[[aio.Server], None]


MAX_CONNECTION_AGE_MS = 5 * 60 * 1000
MAX_CONNECTION_AGE_GRACE_MS = 30 * 1000


class GrpcServer:
    """Owns an aio server; `serving` flips health so Kubernetes stops routing before we stop."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        registrars: Sequence[Registrar],
        service_names: Sequence[str],
        verifier: TokenVerifier | None,
    ) -> None:
        from opentelemetry.instrumentation.grpc import aio_server_interceptor

        self.server = aio.server(
            interceptors=[aio_server_interceptor(), AuthErrorInterceptor(verifier)],
            options=[
                ("grpc.so_reuseport", 0),
                # Clients balance over the addresses they resolved when they connected; closing
                # each connection after a while (gently: calls in flight finish) makes them
                # resolve again, so pods added by a scale-up get their share of the calls.
                ("grpc.max_connection_age_ms", MAX_CONNECTION_AGE_MS),
                ("grpc.max_connection_age_grace_ms", MAX_CONNECTION_AGE_GRACE_MS),
            ],
        )
        for register in registrars:
            register(self.server)
        self.health = health.aio.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        self.service_names = tuple(service_names)
        reflection.enable_server_reflection(
            (*self.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME), self.server
        )
        self.port = self.server.add_insecure_port(f"{host}:{port}")
        if self.port == 0:
            raise RuntimeError(f"gRPC could not bind {host}:{port}")

    async def _set_all(
        self, status: health_pb2.HealthCheckResponse.ServingStatus.ValueType
    ) -> None:
        for name in ("", *self.service_names):
            await self.health.set(name, status)

    async def start(self) -> None:
        await self.server.start()
        await self._set_all(health_pb2.HealthCheckResponse.SERVING)

    async def drain(self) -> None:
        await self._set_all(health_pb2.HealthCheckResponse.NOT_SERVING)

    async def run(self, stop: asyncio.Event, grace: float = 5.0) -> None:
        await self.start()
        await stop.wait()
        await self.server.stop(grace)
