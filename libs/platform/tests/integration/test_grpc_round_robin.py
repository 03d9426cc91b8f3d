"""A platform gRPC channel whose target resolves to several servers spreads calls over all of
them (what `dns:///<headless service>:port` gives it in Kubernetes), on real 127.0.0.1 servers."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from grpc import aio

from civicgrid_platform.grpc.client import create_channel
from civicgrid_testkit.processes import find_free_port

pytestmark = pytest.mark.integration

METHOD = "/test.v1.Replica/Name"


def _replica(name: str) -> grpc.GenericRpcHandler:
    async def answer(request: StringValue, context: aio.ServicerContext) -> StringValue:
        return StringValue(value=name)

    handler = grpc.unary_unary_rpc_method_handler(
        answer,
        request_deserializer=StringValue.FromString,
        response_serializer=StringValue.SerializeToString,
    )
    return grpc.method_handlers_generic_handler("test.v1.Replica", {"Name": handler})


@pytest.fixture
async def replicas() -> AsyncIterator[list[int]]:
    servers, ports = [], []
    for name in ("a", "b"):
        server = aio.server()
        server.add_generic_rpc_handlers([_replica(name)])
        ports.append(server.add_insecure_port(f"127.0.0.1:{find_free_port()}"))
        await server.start()
        servers.append(server)
    yield ports
    for server in servers:
        await server.stop(None)


async def _names(target: str, calls: int) -> Counter[str]:
    async with create_channel(target) as channel:
        ask = channel.unary_unary(
            METHOD,
            request_serializer=StringValue.SerializeToString,
            response_deserializer=StringValue.FromString,
        )
        return Counter([(await ask(StringValue())).value for _ in range(calls)])


async def test_grpc_channel_spreads_calls_over_every_resolved_server(replicas: list[int]) -> None:
    target = "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in replicas)
    answered = await _names(target, 20)
    # round_robin alternates once both connections are up; pick_first would send all 20 to
    # the first address.
    assert set(answered) == {"a", "b"}
    assert min(answered.values()) >= 5, answered


async def test_grpc_channel_to_one_address_still_works(replicas: list[int]) -> None:
    assert await _names(f"127.0.0.1:{replicas[0]}", 3) == Counter({"a": 3})
