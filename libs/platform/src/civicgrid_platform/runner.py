"""One process runs the components chosen by --components; SIGTERM drains, then stops.

Draining first (readiness 503, gRPC health NOT_SERVING) lets Kubernetes take the pod out of
rotation before connections close; the drain time matches the chart's preStop sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn

logger = logging.getLogger(__name__)


@dataclass
class Component:
    name: str
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
    """Runs until the event is set, then returns after stopping cleanly."""
    drain: Callable[[], Awaitable[None]] | None = None
    """Called on SIGTERM before stop: stop taking new work, keep finishing current work."""


class ComponentNotRunning(RuntimeError):
    """A component has not been started yet, or has ended (it failed, or the process stops)."""


@dataclass
class ProcessRunner:
    components: list[Component]
    drain_seconds: float = 5.0
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: dict[str, asyncio.Task[None]] = field(default_factory=dict, init=False, repr=False)

    async def check_running(self, name: str) -> None:
        """A readiness check (see http/health.py's Readiness): raises unless component `name`
        has been started and is still running. A component only ends when the process stops or
        when it fails, so this is "started and not failed"."""
        task = self._tasks.get(name)
        if task is None:
            raise ComponentNotRunning(f"component {name} has not started")
        if task.done():
            raise ComponentNotRunning(f"component {name} has ended")

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(self.shutdown()))
        tasks = [asyncio.create_task(c.run(self.stop), name=c.name) for c in self.components]
        self._tasks.update((task.get_name(), task) for task in tasks)
        logger.info("started", extra={"components": [c.name for c in self.components]})
        exit_code = 0
        pending = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task.exception() is not None:
                    logger.error(
                        "component failed",
                        exc_info=task.exception(),
                        extra={"component": task.get_name()},
                    )
                    exit_code = 1
                elif not self.stop.is_set():
                    logger.error(
                        "component stopped on its own", extra={"component": task.get_name()}
                    )
                    exit_code = 1
            if exit_code and not self.stop.is_set():
                await self.shutdown(drain=False)
        logger.info("stopped", extra={"exit_code": exit_code})
        return exit_code

    async def shutdown(self, *, drain: bool = True) -> None:
        if self.stop.is_set():
            return
        if drain:
            for component in self.components:
                if component.drain is not None:
                    await component.drain()
            logger.info("draining", extra={"seconds": self.drain_seconds})
            await asyncio.sleep(self.drain_seconds)
        self.stop.set()


class EmbeddedUvicorn(uvicorn.Server):
    """Uvicorn without its own signal handling: the owner of the process handles the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def http_component(
    app: object, host: str, port: int, on_drain: Callable[[], None], *, name: str = "http"
) -> Component:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    server = EmbeddedUvicorn(config)

    async def run(stop: asyncio.Event) -> None:
        serving = asyncio.create_task(server.serve())
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        await serving
        stopped.cancel()

    async def drain() -> None:
        on_drain()

    return Component(name, run, drain)
