"""create_app: the FastAPI application every service starts from.

It gives each service the same edge: problem+json for every error, a body size limit,
Idempotency-Key support, bearer-token auth dependencies, cursor pagination and health probes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Lifespan

from civicgrid_platform.auth.verifier import TokenVerifier
from civicgrid_platform.http.error_handlers import install_error_handlers
from civicgrid_platform.http.health import Readiness, health_router
from civicgrid_platform.http.idempotency.guard import (
    IdempotencyMiddleware,
    IdempotentReplay,
    replay_response,
)
from civicgrid_platform.http.idempotency.store import IdempotencyOptions
from civicgrid_platform.http.middleware import BodySizeLimitMiddleware, UnhandledErrorMiddleware
from civicgrid_platform.http.problems import (
    PROBLEM_RESPONSES,
    PROBLEM_SCHEMA,
    ErrorT,
    ProblemMapping,
)
from civicgrid_platform.http.request_telemetry import WITHOUT_NATIVE_TELEMETRY
from civicgrid_platform.http.state import MIN_CURSOR_KEY_BYTES

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# Appears in WWW-Authenticate as the realm, so it must need no quoting.
_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


def create_app(
    *,
    title: str,
    version: str,
    service_name: str,
    lifespan: Lifespan[FastAPI] | None = None,
    error_table: Mapping[type[ErrorT], ProblemMapping] | None = None,
    token_verifier: TokenVerifier | None = None,
    idempotency_engine: AsyncEngine | None = None,
    idempotency_options: IdempotencyOptions | None = None,
    cursor_key: bytes | None = None,
    readiness: Readiness | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    description: str = "",
    root_path: str = "",
) -> FastAPI:
    """The service's app. token_verifier, idempotency_engine and cursor_key may instead be set
    on app.state under the same names later (e.g. in `lifespan`); readiness is app.state.readiness.
    """
    if not _SERVICE_NAME.fullmatch(service_name):
        raise ValueError(f"service_name {service_name!r} must match {_SERVICE_NAME.pattern}")
    if cursor_key is not None and len(cursor_key) < MIN_CURSOR_KEY_BYTES:
        raise ValueError(f"cursor_key must be at least {MIN_CURSOR_KEY_BYTES} bytes")
    if max_body_bytes <= 0:
        raise ValueError("max_body_bytes must be positive")
    app = FastAPI(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        root_path=root_path,
        responses=PROBLEM_RESPONSES,
        telemetry=WITHOUT_NATIVE_TELEMETRY,
    )
    app.state.service_name = service_name
    app.state.token_verifier = token_verifier
    app.state.idempotency_engine = idempotency_engine
    app.state.idempotency_options = idempotency_options or IdempotencyOptions()
    app.state.cursor_key = cursor_key
    app.state.readiness = readiness or Readiness()

    install_error_handlers(app, error_table or {})
    app.add_exception_handler(IdempotentReplay, replay_response)
    # Added innermost first: the last one added wraps all the others.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(UnhandledErrorMiddleware)
    app.include_router(health_router())
    app.openapi = _with_problem_schema(app.openapi)  # type: ignore[method-assign]
    return app


def _with_problem_schema(generate: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """FastAPI does not know the Problem schema the 4XX/5XX responses refer to; add it."""

    def openapi() -> dict[str, Any]:
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
            "Problem", PROBLEM_SCHEMA
        )
        return schema

    return openapi
