"""The ops endpoint of a process without the HTTP API: its probes and metrics, ASGI-level."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from opentelemetry import metrics

from civicgrid_platform.command_line import ServiceCommandLine
from civicgrid_platform.http.health import Readiness
from civicgrid_platform.ops import component_readiness, ops_app
from civicgrid_platform.runner import Component, ProcessRunner
from civicgrid_platform.settings import PlatformSettings
from civicgrid_platform.telemetry import configure_telemetry


async def _until_stopped(stop: asyncio.Event) -> None:
    await stop.wait()


def _worker(name: str) -> Component:
    return Component(name, _until_stopped)


@asynccontextmanager
async def _ops_client(readiness: Readiness) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=ops_app(readiness))
    async with httpx.AsyncClient(transport=transport, base_url="http://ops") as client:
        yield client


async def _running(runner: ProcessRunner) -> asyncio.Task[int]:
    task = asyncio.create_task(runner.run())
    await asyncio.sleep(0)  # the runner starts its components
    return task


async def test_ops_ready_while_every_component_runs() -> None:
    runner = ProcessRunner([_worker("consumers"), _worker("timers")], drain_seconds=0)
    async with _ops_client(component_readiness(runner)) as client:
        before = await client.get("/readyz")
        task = await _running(runner)
        live = await client.get("/healthz")
        ready = await client.get("/readyz")
        await runner.shutdown()
        assert await task == 0
    assert before.status_code == 503  # nothing started yet
    assert before.json()["checks"] == {"consumers": "failed", "timers": "failed"}
    assert live.status_code == 200
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"consumers": "ok", "timers": "ok"}}


async def test_ops_not_ready_once_a_component_has_failed() -> None:
    fail_now = asyncio.Event()

    async def relay(stop: asyncio.Event) -> None:
        await fail_now.wait()
        raise ConnectionError("lost Kafka")

    async def slow_to_stop(stop: asyncio.Event) -> None:
        await stop.wait()
        await asyncio.sleep(0.2)  # still finishing while the probe asks

    runner = ProcessRunner([Component("relay", relay), Component("timers", slow_to_stop)])
    async with _ops_client(component_readiness(runner)) as client:
        task = await _running(runner)
        assert (await client.get("/readyz")).status_code == 200
        fail_now.set()
        await asyncio.sleep(0.01)
        response = await client.get("/readyz")
        live = await client.get("/healthz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"] == {"relay": "failed", "timers": "ok"}
    assert "Kafka" not in response.text  # reasons go to the log only
    assert live.status_code == 200
    assert await task == 1


async def test_ops_not_ready_while_draining() -> None:
    runner = ProcessRunner([_worker("timers")], drain_seconds=0)
    readiness = component_readiness(runner)
    async with _ops_client(readiness) as client:
        task = await _running(runner)
        assert (await client.get("/readyz")).status_code == 200
        readiness.set_draining()  # what the ops component's drain does on SIGTERM
        response = await client.get("/readyz")
        live = await client.get("/healthz")
        await runner.shutdown()
        await task
    assert response.status_code == 503
    assert "draining" in response.json()["detail"]
    assert live.status_code == 200


async def test_ops_metrics_are_the_process_registry() -> None:
    configure_telemetry("ops-test")
    counter = metrics.get_meter("ops-test").create_counter("civicgrid.ops_test.things")
    counter.add(3)
    async with _ops_client(component_readiness(ProcessRunner([_worker("relay")]))) as client:
        response = await client.get("/metrics")
        docs = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    (sample,) = [
        line for line in response.text.splitlines() if line.startswith("civicgrid_ops_test_things")
    ]
    assert sample.endswith(" 3.0")
    assert docs.status_code == 404  # probes and metrics only


@pytest.mark.parametrize(
    ("names", "ops_port", "served"),
    [
        (["timers"], 9464, True),
        (["grpc", "consumers"], 9464, True),
        (["http", "timers"], 9464, False),  # the HTTP app has the probes and /metrics
        (["timers"], 0, False),  # switched off
    ],
)
async def test_ops_endpoint_runs_only_in_processes_without_http(
    monkeypatch: pytest.MonkeyPatch, names: list[str], ops_port: int, served: bool
) -> None:
    watched: list[list[str]] = []

    def fake_ops_component(runner: ProcessRunner, host: str, port: int) -> Component:
        watched.append([c.name for c in runner.components])
        assert (host, port) == ("127.0.0.1", ops_port)
        return _worker("ops")

    class Graph:
        async def start(self) -> None:
            pass

        def components(self, chosen: list[str]) -> list[Component]:
            return [Component(name, _ends_at_once) for name in chosen]

        async def aclose(self) -> None:
            pass

    monkeypatch.setattr("civicgrid_platform.ops.ops_component", fake_ops_component)
    settings = PlatformSettings(service_name="test", ops_port=ops_port, drain_seconds=0)
    line = ServiceCommandLine("test", lambda: settings, Path("."), lambda _: Graph())
    try:
        await line.serve(settings, names)
    finally:
        gc.unfreeze()
    assert watched == ([names] if served else [])


async def _ends_at_once(stop: asyncio.Event) -> None:
    return None
