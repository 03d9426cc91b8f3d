from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from civicgrid_platform.command_line import ServiceCommandLine
from civicgrid_platform.runner import Component, ProcessRunner
from civicgrid_platform.settings import PlatformSettings


async def test_shutdown_drains_every_component_before_stopping_them() -> None:
    order: list[str] = []

    def component(name: str) -> Component:
        async def run(stop: asyncio.Event) -> None:
            await stop.wait()
            order.append(f"stopped {name}")

        async def drain() -> None:
            order.append(f"drained {name}")

        return Component(name, run, drain)

    runner = ProcessRunner([component("http"), component("grpc")], drain_seconds=0.05)
    task = asyncio.create_task(runner.run())
    await asyncio.sleep(0.05)
    await runner.shutdown()
    assert await task == 0
    assert order[:2] == ["drained http", "drained grpc"]
    assert sorted(order[2:]) == ["stopped grpc", "stopped http"]


async def test_a_failing_component_stops_the_others_and_the_process_fails() -> None:
    stopped = asyncio.Event()

    async def healthy(stop: asyncio.Event) -> None:
        await stop.wait()
        stopped.set()

    async def broken(stop: asyncio.Event) -> None:
        raise RuntimeError("lost the database")

    runner = ProcessRunner(
        [Component("relay", broken), Component("http", healthy)], drain_seconds=5
    )
    assert await asyncio.wait_for(runner.run(), timeout=2) == 1
    assert stopped.is_set()


async def test_a_component_that_returns_on_its_own_is_a_failure() -> None:
    async def quits(stop: asyncio.Event) -> None:
        return None

    async def healthy(stop: asyncio.Event) -> None:
        await stop.wait()

    runner = ProcessRunner([Component("consumers", quits), Component("http", healthy)])
    assert await asyncio.wait_for(runner.run(), timeout=2) == 1


async def test_serving_freezes_what_start_up_built_out_of_later_collections() -> None:
    built: dict[str, object] = {}
    seen: list[bool] = []

    class Graph:
        async def start(self) -> None:
            built["schema"] = {"made": ["at start-up"]}

        def components(self, names: object) -> list[Component]:
            async def run(stop: asyncio.Event) -> None:
                seen.append(gc.is_tracked(built["schema"]) and _frozen(built["schema"]))

            return [Component("http", run)]

        async def aclose(self) -> None:
            pass

    settings = PlatformSettings(service_name="test")
    line = ServiceCommandLine("test", lambda: settings, Path("."), lambda _: Graph())
    try:
        await line.serve(settings, ["http"])
    finally:
        gc.unfreeze()
    assert seen == [True]


def _frozen(thing: object) -> bool:
    """Frozen objects sit in the permanent generation, which no collection lists."""

    return not any(thing is o for generation in range(3) for o in gc.get_objects(generation))
