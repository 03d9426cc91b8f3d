"""What other services rely on: tokens verified elsewhere through the JWKS, events on Kafka."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import textwrap

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from civicgrid.identity.v1 import events_pb2
from civicgrid_devstack.services import ServiceProcess, ServiceSpec
from civicgrid_testkit import unique_name
from civicgrid_testkit.processes import find_free_port

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

VERIFY_IN_ANOTHER_PROCESS = textwrap.dedent(
    """
    import asyncio, json, sys
    from civicgrid_platform.auth import JwksCache, TokenVerifier

    async def main():
        verifier = TokenVerifier(JwksCache(sys.argv[1]), issuer=sys.argv[2], audience=sys.argv[3])
        principal = await verifier.verify(sys.stdin.read().strip())
        roles = sorted(principal.roles)
        print(json.dumps({"sub": principal.subject, "tid": principal.tenant_id, "roles": roles}))

    asyncio.run(main())
    """
)


def _verify_elsewhere(identity: ServiceProcess, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            VERIFY_IN_ANOTHER_PROCESS,
            f"{identity.base_url}/.well-known/jwks.json",
            "https://civicgrid.local/identity",
            "civicgrid",
        ],
        input=token,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def _resident(identity: ServiceProcess, client: httpx.AsyncClient) -> tuple[str, dict, dict]:
    root = (
        await client.post(
            "/v1/auth/login",
            json={
                "tenant": "platform",
                "username": "platform@civicgrid.org",
                "password": "platform-admin-e2e-1",
            },
        )
    ).json()
    slug = unique_name("district").replace("_", "-")
    created = await client.post(
        "/v1/tenants",
        json={"slug": slug, "name": "E2E", "city": "Testcity"},
        headers={"Authorization": f"Bearer {root['access_token']}"},
    )
    assert created.status_code == 201, created.text
    person = await client.post(
        "/v1/residents",
        json={
            "tenant": slug,
            "display_name": "Li Ming",
            "email": f"{slug}@example.org",
            "password": "correct-horse-1",
        },
    )
    assert person.status_code == 201, person.text
    tokens = await client.post(
        "/v1/auth/login",
        json={"tenant": slug, "username": f"{slug}@example.org", "password": "correct-horse-1"},
    )
    assert tokens.status_code == 200, tokens.text
    return slug, person.json(), tokens.json()


async def test_token_from_login_is_verified_by_another_process_through_jwks(
    identity_process: ServiceProcess,
) -> None:
    async with httpx.AsyncClient(base_url=identity_process.base_url, timeout=30) as client:
        _, person, tokens = await _resident(identity_process, client)

    verified = _verify_elsewhere(identity_process, tokens["access_token"])
    assert verified.returncode == 0, verified.stderr
    claims = json.loads(verified.stdout)
    assert claims == {"sub": person["id"], "tid": person["tenant_id"], "roles": ["resident"]}

    tampered = tokens["access_token"][:-4] + (
        "AAAA" if not tokens["access_token"].endswith("AAAA") else "BBBB"
    )
    refused = _verify_elsewhere(identity_process, tampered)
    assert refused.returncode != 0 and "InvalidToken" in refused.stderr


async def test_registration_reaches_kafka_as_a_cloudevent_with_trace_context(
    identity_process: ServiceProcess, kafka
) -> None:
    async with httpx.AsyncClient(base_url=identity_process.base_url, timeout=30) as client:
        _, person, _ = await _resident(identity_process, client)

    consumer = AIOKafkaConsumer(
        "civicgrid.identity.v1",
        bootstrap_servers=kafka.bootstrap_servers,
        group_id=unique_name("e2e_reader"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        found = None
        async with __import__("asyncio").timeout(30):
            while found is None:
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    for record in records:
                        headers = {k: v.decode() for k, v in record.headers}
                        if (
                            headers.get("ce_type") == "civicgrid.identity.v1.person.registered"
                            and record.key == person["id"].encode()
                        ):
                            found = (headers, record.value)
    finally:
        await consumer.stop()
    headers, value = found
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_tenantid"] == person["tenant_id"]
    assert headers["ce_dataschema"] == "civicgrid.identity.v1.PersonRegistered"
    assert headers["content-type"] == "application/protobuf"
    assert len(headers["traceparent"].split("-")) == 4
    event = events_pb2.PersonRegistered.FromString(value)
    assert event.person_id == person["id"] and event.display_name == "Li Ming" and not event.invited


async def test_sigterm_drains_readiness_first_then_exits_cleanly(
    identity_process: ServiceProcess,
) -> None:
    """A second replica on the same database: Kubernetes-style stop with a drain window."""

    spec = ServiceSpec("identity", find_free_port(), find_free_port())
    env = {
        **identity_process.env,
        "CIVICGRID_HTTP_PORT": str(spec.http_port),
        "CIVICGRID_GRPC_PORT": str(spec.grpc_port),
        "CIVICGRID_DRAIN_SECONDS": "2",
    }
    replica = dataclasses.replace(identity_process, spec=spec, env=env)
    replica.start()
    try:
        replica.wait_ready()
        assert replica.process is not None
        replica.process.send_signal(signal.SIGTERM)
        async with httpx.AsyncClient(base_url=replica.base_url, timeout=5) as client:
            draining = await client.get("/readyz")
            still_serving = await client.get("/.well-known/jwks.json")
        assert draining.status_code == 503
        assert (
            still_serving.status_code == 200
        )  # in-flight and new requests still answered while draining
        assert replica.process.wait(timeout=30) == 0
    finally:
        replica.stop()
