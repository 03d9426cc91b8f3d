"""Liveness (/healthz) and readiness (/readyz) endpoints for the orchestrator's probes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from civicgrid_platform.http.problems import problem_response

logger = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[object]]


class Readiness:
    """Whether this replica should get traffic: every check passes and it is not draining.

    A check is an async callable (e.g. a database ping) that raises, or exceeds the timeout,
    when its dependency is not usable."""

    def __init__(self, *, check_timeout_seconds: float = 2.0) -> None:
        self._checks: dict[str, ReadinessCheck] = {}
        self._timeout = check_timeout_seconds
        self._draining = False

    def add_check(self, name: str, check: ReadinessCheck) -> None:
        if name in self._checks:
            raise ValueError(f"readiness check {name!r} is already registered")
        self._checks[name] = check

    def set_draining(self) -> None:
        """From now on report not ready, so the load balancer stops sending new requests
        while in-flight ones finish (called when shutdown begins)."""
        self._draining = True

    @property
    def draining(self) -> bool:
        return self._draining

    async def evaluate(self) -> dict[str, str]:
        """Each check's outcome: "ok" or "failed" (reasons go to the log, not the caller)."""
        names = list(self._checks)
        outcomes = await asyncio.gather(*(self._run(name) for name in names))
        return dict(zip(names, outcomes, strict=True))

    async def _run(self, name: str) -> str:
        try:
            await asyncio.wait_for(self._checks[name](), timeout=self._timeout)
        except TimeoutError:
            logger.warning("readiness check %s timed out after %ss", name, self._timeout)
            return "failed"
        except Exception:
            # Whatever the check raised, the answer is "not ready"; the reason is logged.
            logger.warning("readiness check %s failed", name, exc_info=True)
            return "failed"
        return "ok"


def health_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def liveness() -> dict[str, str]:
        # Answering at all is the proof of life; no dependencies are consulted.
        return {"status": "ok"}

    @router.get("/readyz")
    async def readiness(request: Request) -> Response:
        state: Readiness = request.app.state.readiness
        if state.draining:
            return problem_response(
                request,
                status=503,
                slug="not-ready",
                title="Not ready",
                detail="draining: shutting down",
            )
        checks = await state.evaluate()
        if any(outcome != "ok" for outcome in checks.values()):
            failed = sorted(name for name, outcome in checks.items() if outcome != "ok")
            return problem_response(
                request,
                status=503,
                slug="not-ready",
                title="Not ready",
                detail=f"failing checks: {', '.join(failed)}",
                extensions={"checks": checks},
            )
        return JSONResponse({"status": "ready", "checks": checks})

    return router
