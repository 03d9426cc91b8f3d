"""The ops endpoint of a process that runs no `http` component: /healthz, /readyz, /metrics.

Without it a process of only consumers, relay, timers or grpc (the charts' `mode: split`) could
not be probed over HTTP nor scraped. It is the HTTP app's own probes and metrics, nothing else:
`health_router` (the same /healthz and /readyz code, problem+json included) and the same
Prometheus registry (`telemetry.metrics_router`), on a bare FastAPI app served by the runner's
`http_component` (the uvicorn every process already loads, with the same drain wiring).
A hand-written ASGI app would be smaller but a second copy of the probe answers.

- /healthz: the process answers, so its event loop is turning (uvicorn runs on it).
- /readyz: one readiness check per component, `ProcessRunner.check_running` (started and not
  ended); 503 as soon as SIGTERM starts the drain, like the HTTP app.
- /metrics: everything the process's meters record (consumer events, outbox published, ...).
"""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from civicgrid_platform.http.health import Readiness, health_router
from civicgrid_platform.http.request_telemetry import WITHOUT_NATIVE_TELEMETRY
from civicgrid_platform.runner import Component, ProcessRunner, http_component
from civicgrid_platform.telemetry import metrics_router


def ops_app(readiness: Readiness) -> FastAPI:
    app = FastAPI(
        title="ops",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        telemetry=WITHOUT_NATIVE_TELEMETRY,  # probes and scrapes are not traced
    )
    app.state.readiness = readiness
    app.include_router(health_router())
    app.include_router(metrics_router())
    return app


def component_readiness(runner: ProcessRunner) -> Readiness:
    """Ready while every component of `runner` (as it is now) has started and not ended."""
    readiness = Readiness()
    for component in runner.components:
        readiness.add_check(component.name, partial(runner.check_running, component.name))
    return readiness


def ops_component(runner: ProcessRunner, host: str, port: int) -> Component:
    """The ops endpoint watching the components already in `runner`; add it to the runner."""
    readiness = component_readiness(runner)
    return http_component(ops_app(readiness), host, port, readiness.set_draining, name="ops")
