"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio

from civicgrid_platform.http import Readiness
from libs.platform.tests.unit.http_support import asgi_client, build_app


async def test_liveness_needs_nothing_and_no_token() -> None:
    readiness = Readiness()

    async def broken() -> None:
        raise ConnectionError("database down")

    readiness.add_check("database", broken)
    async with asgi_client(build_app(readiness=readiness)) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200  # a dead dependency is no reason to restart us


async def test_ready_when_every_check_passes() -> None:
    readiness = Readiness()
    calls: list[str] = []

    async def database() -> None:
        calls.append("database")

    readiness.add_check("database", database)
    async with asgi_client(build_app(readiness=readiness)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok"}}
    assert calls == ["database"]


async def test_a_failing_or_hanging_check_makes_the_replica_not_ready() -> None:
    readiness = Readiness(check_timeout_seconds=0.05)

    async def database() -> None:
        raise ConnectionError("password authentication failed for user app")

    async def broker() -> None:
        await asyncio.sleep(10)

    async def cache() -> None:
        return None

    readiness.add_check("database", database)
    readiness.add_check("broker", broker)
    readiness.add_check("cache", cache)
    async with asgi_client(build_app(readiness=readiness)) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["checks"] == {"database": "failed", "broker": "failed", "cache": "ok"}
    assert "password" not in response.text  # reasons go to the log only


async def test_draining_replica_reports_not_ready() -> None:
    app = build_app()
    async with asgi_client(app) as client:
        assert (await client.get("/readyz")).status_code == 200
        app.state.readiness.set_draining()
        response = await client.get("/readyz")
        live = await client.get("/healthz")
    assert response.status_code == 503
    assert "draining" in response.json()["detail"]
    assert live.status_code == 200


def test_check_names_are_unique() -> None:
    readiness = Readiness()

    async def check() -> None:
        return None

    readiness.add_check("database", check)
    try:
        readiness.add_check("database", check)
    except ValueError:
        return
    raise AssertionError("a second check under the same name was accepted")
