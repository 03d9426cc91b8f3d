"""Idempotency-Key against the real PostgreSQL, through a real HTTP server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from civicgrid_platform.http import REPLAYED_HEADER, IdempotencyOptions, Idempotent
from civicgrid_platform.http.idempotency.guard import request_fingerprint
from civicgrid_platform.http.idempotency.store import (
    Claimed,
    IdempotencyStore,
    InProgress,
    KeyReused,
    StoredResponse,
)
from civicgrid_testkit import ServiceDatabase, unique_name
from civicgrid_testkit.servers import PostgresServer
from libs.platform.tests.integration.http_support_db import (
    create_idempotency_schema,
    runtime_engine,
    serve,
)
from libs.platform.tests.unit.http_support import DomainFailure, bearer, build_app, token

pytestmark = pytest.mark.integration

WIDGET = {"name": "Ada", "phone": "+4915112345678"}
OTHER_TENANT = "7e1f6f5e-5a47-4d43-9d0c-1f3c6f0e2a11"


class Gate:
    """Lets a test hold a handler mid-flight and count how often it ran."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.runs = 0
        self.failures_left = 0


Service = tuple[httpx.AsyncClient, Gate]


@pytest.fixture(scope="module")
async def database(postgres: PostgresServer) -> ServiceDatabase:
    provisioned = await postgres.aprovision(unique_name("idem"))
    await create_idempotency_schema(provisioned)
    return provisioned


def _app_with_gated_routes(gate: Gate, **options: object) -> FastAPI:
    app = build_app(**options)
    router = APIRouter()

    @router.post("/slow-things", status_code=201, dependencies=[Idempotent])
    async def create_slowly() -> dict[str, int]:
        gate.runs += 1
        await gate.opened.wait()
        return {"run": gate.runs}

    @router.post("/flaky-things", status_code=201, dependencies=[Idempotent])
    async def create_flakily() -> dict[str, int]:
        gate.runs += 1
        if gate.failures_left > 0:
            gate.failures_left -= 1
            raise DomainFailure("not now")
        return {"run": gate.runs}

    @router.post("/crashing-things", status_code=201, dependencies=[Idempotent])
    async def create_crashing() -> dict[str, int]:
        gate.runs += 1
        if gate.runs == 1:
            raise RuntimeError("replica fell over")
        return {"run": gate.runs}

    app.include_router(router)
    return app


@pytest.fixture
async def service(database: ServiceDatabase) -> AsyncIterator[Service]:
    engine = runtime_engine(database)
    gate = Gate()
    app = _app_with_gated_routes(gate, idempotency_engine=engine)
    try:
        async with serve(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
            try:
                yield client, gate
            finally:
                # Free any handler still held at the gate, or the server's graceful
                # shutdown would wait for it forever.
                gate.opened.set()
    finally:
        await engine.dispose()


def _key() -> dict[str, str]:
    return {"Idempotency-Key": unique_name("key")}


async def test_same_key_and_body_replays_the_first_answer(service: Service) -> None:
    client, _ = service
    headers = {**_key(), **bearer(token())}
    first = await client.post("/widgets", json=WIDGET, headers=headers)
    again = await client.post("/widgets", json=WIDGET, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content  # same id: the handler did not run twice
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["content-type"] == "application/json"
    assert again.headers[REPLAYED_HEADER] == "true"
    assert REPLAYED_HEADER.lower() not in first.headers


async def test_same_key_with_another_body_is_a_422_problem(service: Service) -> None:
    client, _ = service
    headers = _key()
    await client.post("/widgets", json=WIDGET, headers=headers)
    response = await client.post("/widgets", json={**WIDGET, "name": "Bea"}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/idempotency-key-reused")


async def test_concurrent_identical_posts_run_the_handler_once(service: Service) -> None:
    client, gate = service
    headers = {**_key(), **bearer(token())}
    requests = [
        asyncio.create_task(client.post("/slow-things", json={"n": 1}, headers=headers))
        for _ in range(5)
    ]
    # The four that lost the race answer at once; the winner waits at the gate.
    for _ in range(500):
        if sum(request.done() for request in requests) >= 4:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)  # room for a wrongly admitted fifth to show up
    done = {request for request in requests if request.done()}
    pending = set(requests) - done
    assert len(pending) == 1 and len(done) == 4
    for losing in done:
        response = losing.result()
        assert response.status_code == 409
        assert response.json()["type"].endswith("/idempotency-key-in-progress")
        assert response.headers["retry-after"] == "1"
    assert gate.runs == 1

    gate.opened.set()
    winner = await pending.pop()
    assert winner.status_code == 201
    replay = await client.post("/slow-things", json={"n": 1}, headers=headers)
    assert replay.content == winner.content
    assert gate.runs == 1


async def test_a_failed_request_releases_the_key_for_a_retry(service: Service) -> None:
    client, gate = service
    gate.failures_left = 1
    headers = _key()
    failed = await client.post("/flaky-things", json={}, headers=headers)
    retried = await client.post("/flaky-things", json={}, headers=headers)
    assert failed.status_code == 409
    assert retried.status_code == 201
    assert gate.runs == 2
    replay = await client.post("/flaky-things", json={}, headers=headers)
    assert replay.json() == retried.json()
    assert gate.runs == 2


async def test_a_crash_releases_the_key_too(service: Service) -> None:
    client, gate = service
    headers = _key()
    crashed = await client.post("/crashing-things", json={}, headers=headers)
    retried = await client.post("/crashing-things", json={}, headers=headers)
    assert crashed.status_code == 500
    assert retried.status_code == 201
    assert gate.runs == 2


async def test_validation_failure_does_not_keep_the_key(service: Service) -> None:
    client, _ = service
    headers = _key()
    bad = await client.post("/widgets", json={"name": "Ada"}, headers=headers)
    good = await client.post("/widgets", json=WIDGET, headers=headers)
    assert bad.status_code == 422
    assert good.status_code == 201
    assert REPLAYED_HEADER.lower() not in good.headers


async def test_keys_are_scoped_to_tenant_and_caller(service: Service) -> None:
    client, _ = service
    key = _key()
    answers = [
        await client.post("/widgets", json=WIDGET, headers={**key, **auth})
        for auth in (
            bearer(token(sub="ada")),
            bearer(token(sub="ada", tid=OTHER_TENANT)),
            bearer(token(sub="bob")),
            {},
        )
    ]
    assert [a.status_code for a in answers] == [201, 201, 201, 201]
    assert len({a.json()["id"] for a in answers}) == 4
    assert all(REPLAYED_HEADER.lower() not in a.headers for a in answers)


async def test_an_expired_key_can_be_used_afresh(
    service: Service, database: ServiceDatabase
) -> None:
    client, _ = service
    key = _key()
    first = await client.post("/widgets", json=WIDGET, headers=key)
    await _expire(database, key["Idempotency-Key"])
    other_body = await client.post("/widgets", json={**WIDGET, "name": "Bea"}, headers=key)
    assert first.status_code == other_body.status_code == 201
    assert other_body.json()["name"] == "Bea"
    assert REPLAYED_HEADER.lower() not in other_body.headers


async def test_an_abandoned_claim_is_taken_over_by_the_same_request(
    database: ServiceDatabase,
) -> None:
    engine = runtime_engine(database)
    try:
        store = IdempotencyStore(engine, IdempotencyOptions())
        body = json.dumps(WIDGET).encode()
        fingerprint = request_fingerprint("POST", "/widgets", body)
        key = unique_name("key")
        # A replica claimed the key and died before answering.
        claimed = await store.claim("anonymous", key, fingerprint)
        assert isinstance(claimed, Claimed)
        assert isinstance(await store.claim("anonymous", key, fingerprint), InProgress)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE idempotency_keys SET created_at = now() - interval '10 minutes'"
                    " WHERE key = :key"
                ),
                {"key": key},
            )
        other = request_fingerprint("POST", "/widgets", b"{}")
        assert isinstance(await store.claim("anonymous", key, other), KeyReused)
        takeover = await store.claim("anonymous", key, fingerprint)
        assert isinstance(takeover, Claimed)
        answer = StoredResponse(201, b"{}", {"content-type": "application/json"})
        # The dead replica's claim no longer owns the row; the new owner's does.
        assert not await store.complete(claimed.claim, answer)
        assert await store.complete(takeover.claim, answer)
    finally:
        await engine.dispose()


async def test_purge_removes_only_expired_keys(database: ServiceDatabase) -> None:
    engine = runtime_engine(database)
    try:
        store = IdempotencyStore(engine, IdempotencyOptions(ttl=timedelta(hours=24)))
        live, dead = unique_name("live"), unique_name("dead")
        for key in (live, dead):
            await store.claim("purge-scope", key, "f" * 64)
        await _expire(database, dead)
        assert await store.purge_expired() >= 1
        async with engine.connect() as conn:
            left = (
                await conn.execute(
                    text("SELECT key FROM idempotency_keys WHERE scope = 'purge-scope'")
                )
            ).scalars()
            assert set(left) == {live}
    finally:
        await engine.dispose()


async def _expire(database: ServiceDatabase, key: str) -> None:
    engine = runtime_engine(database)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE idempotency_keys SET expires_at = now() - interval '1 second'"
                    " WHERE key = :key"
                ),
                {"key": key},
            )
    finally:
        await engine.dispose()
