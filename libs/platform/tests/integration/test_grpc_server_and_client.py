"""The gRPC edge on a real server over 127.0.0.1: auth, error mapping, health, deadlines."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from grpc import aio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from civicgrid_platform.auth import (
    JwksCache,
    PermissionDenied,
    TokenVerifier,
    build_claims,
    generate_signing_key,
    jwks_document,
)
from civicgrid_platform.errors import InvalidInput, NotFound
from civicgrid_platform.grpc.client import create_channel
from civicgrid_platform.grpc.context import rpc_principal
from civicgrid_platform.grpc.server import GrpcServer
from civicgrid_testkit.processes import find_free_port

pytestmark = pytest.mark.integration

KEY = generate_signing_key()
TENANT = str(uuid.uuid4())


async def whoami(request: StringValue, context: aio.ServicerContext) -> StringValue:
    principal = rpc_principal()
    if request.value == "missing":
        raise NotFound("no such thing")
    if request.value == "bad":
        raise InvalidInput("must be short", field="value")
    if request.value == "admin-only" and not principal.has_role("tenant_admin"):
        raise PermissionDenied("requires tenant_admin")
    if request.value == "slow":
        await asyncio.sleep(2)
    return StringValue(value=f"{principal.subject}@{principal.tenant_id}")


def _register(server: aio.Server) -> None:
    handler = grpc.unary_unary_rpc_method_handler(
        whoami,
        request_deserializer=StringValue.FromString,
        response_serializer=StringValue.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler("test.v1.Echo", {"WhoAmI": handler})]
    )


def _token(**overrides: object) -> str:
    claims = build_claims(
        issuer="https://issuer",
        audience="civicgrid",
        subject="person-1",
        tenant_id=TENANT,
        kind="person",
        lifetime=timedelta(minutes=5),
    )
    return KEY.sign({**claims, **overrides})


@pytest.fixture
async def server() -> AsyncIterator[GrpcServer]:
    port = find_free_port()
    verifier = TokenVerifier(
        JwksCache.from_static(jwks_document([KEY])), issuer="https://issuer", audience="civicgrid"
    )
    srv = GrpcServer(
        host="127.0.0.1",
        port=port,
        registrars=[_register],
        service_names=["test.v1.Echo"],
        verifier=verifier,
    )
    await srv.start()
    yield srv
    await srv.server.stop(0)


async def _call(
    srv: GrpcServer, value: str, token: str | None, deadline: float = 5.0
) -> StringValue:
    async with create_channel(
        f"127.0.0.1:{srv.port}", token_provider=lambda: token, deadline_seconds=deadline
    ) as ch:
        stub = ch.unary_unary(
            "/test.v1.Echo/WhoAmI",
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        return await stub(StringValue(value=value))


async def test_a_valid_token_reaches_the_servicer_as_the_principal(server: GrpcServer) -> None:
    assert (await _call(server, "hi", _token())).value == f"person-1@{TENANT}"


@pytest.mark.parametrize(
    ("value", "token", "code"),
    [
        ("hi", None, grpc.StatusCode.UNAUTHENTICATED),
        ("hi", "not-a-jwt", grpc.StatusCode.UNAUTHENTICATED),
        ("hi", "expired", grpc.StatusCode.UNAUTHENTICATED),
        ("missing", "ok", grpc.StatusCode.NOT_FOUND),
        ("bad", "ok", grpc.StatusCode.INVALID_ARGUMENT),
        ("admin-only", "ok", grpc.StatusCode.PERMISSION_DENIED),
    ],
)
async def test_errors_become_status_codes(
    server: GrpcServer, value: str, token: str | None, code: grpc.StatusCode
) -> None:
    sent = {"ok": _token(), "expired": _token(exp=1_000_000, iat=999_000, nbf=999_000)}.get(
        token or "", token
    )
    with pytest.raises(aio.AioRpcError) as caught:
        await _call(server, value, sent)
    assert caught.value.code() == code
    if value == "bad":
        assert "value: must be short" in (caught.value.details() or "")


async def test_the_client_deadline_applies_by_default(server: GrpcServer) -> None:
    with pytest.raises(aio.AioRpcError) as caught:
        await _call(server, "slow", _token(), deadline=0.3)
    assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED


async def test_health_answers_without_a_token_and_flips_when_draining(server: GrpcServer) -> None:
    async with aio.insecure_channel(f"127.0.0.1:{server.port}") as ch:
        health = health_pb2_grpc.HealthStub(ch)
        for name in ("", "test.v1.Echo"):
            answer = await health.Check(health_pb2.HealthCheckRequest(service=name))
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        await server.drain()
        answer = await health.Check(health_pb2.HealthCheckRequest(service=""))
        assert answer.status == health_pb2.HealthCheckResponse.NOT_SERVING
