"""What the cross-service suites share: service processes on free ports, districts made through
identity's own API, an SMS and voice provider standing in for the phone network."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from civicgrid_devstack.services import ServiceProcess, process_on_free_ports
from civicgrid_devstack.stack import NOTIFICATIONS_CLIENT, NOTIFICATIONS_SCOPES
from civicgrid_testkit import unique_name
from civicgrid_testkit.local_http import LocalHttpServer, Reply, Request

ADMIN_PASSWORD = "platform-admin-e2e-1"
# Notifications' service client at identity, as `make run` wires it (a test-only secret).
NOTIFICATIONS_SECRET = "e2e-notifications-service-secret-0123456789"
SERVICE_CLIENTS = [
    {
        "client_id": NOTIFICATIONS_CLIENT,
        "secret": NOTIFICATIONS_SECRET,
        "scopes": NOTIFICATIONS_SCOPES,
    }
]
# The bearer token between notifications and the SMS/voice provider, both ways.
PROVIDER_TOKEN = "e2e-provider-token"


@contextmanager
def running(
    name: str,
    postgres: object,
    kafka: object,
    logs: Path,
    *,
    jwks_url: str | None = None,
    env: dict[str, str] | None = None,
    components: str = "http,grpc,consumers,relay,timers",
    migrate: tuple[str, ...] = (),
    public_url_setting: str | None = None,
) -> Iterator[ServiceProcess]:
    """A service process on free ports with a database of its own, migrated and ready; the JWKS
    defaults to its own (identity). `public_url_setting` names the setting that tells the
    service its own address (for callbacks), set to the port it was given."""
    db = postgres.provision(unique_name(f"e2e_{name}"))  # type: ignore[attr-defined]
    proc = process_on_free_ports(
        name,
        db,
        kafka_bootstrap=kafka.bootstrap_servers,  # type: ignore[attr-defined]
        log=logs / f"{name}.log",
        jwks_url=jwks_url,
        components=components,
        env=env,
    )
    if public_url_setting:
        proc.env[public_url_setting] = proc.base_url
    proc.migrate(*migrate)
    proc.start()
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


@asynccontextmanager
async def restarted(proc: ServiceProcess) -> AsyncIterator[ServiceProcess]:
    """A new process of `proc`'s service on the same database, ports and log, started and
    ready (what an orchestrator does after a crash); stopped on the way out."""
    again = ServiceProcess(proc.spec, dict(proc.env), proc.log_path, proc.components)
    again.start()
    try:
        await asyncio.to_thread(again.wait_ready)
        yield again
    finally:
        await asyncio.to_thread(again.stop)


async def until(ask: Callable[[], Awaitable[Any]], what: str, seconds: float = 30) -> Any:
    """The first truthy answer of `ask`, polled every 0.2 s; fails naming `what` after
    `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        found = await ask()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {what} within {seconds:.0f} s")
        await asyncio.sleep(0.2)


@dataclass(frozen=True)
class PhoneMessage:
    """One message the provider took: when it arrived (time.monotonic()), what and for whom."""

    at: float
    kind: str  # sms | voice
    to: str
    reference: str  # <tenant id>:<delivery id>, what replies and status callbacks name
    body: str


class PhoneProvider(LocalHttpServer):
    """An SMS and voice provider of notifications' contract (`POST /messages`), a real HTTP
    server on 127.0.0.1: takes every message that carries the provider token
    (200 {"id", "status": "sent"}) and keeps it with the moment it arrived."""

    def __init__(self, token: str = PROVIDER_TOKEN) -> None:
        self.received: list[PhoneMessage] = []
        self._token = token
        super().__init__(self._take)

    def _take(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self._token}":
            return Reply(401, b'{"error": "no provider token"}')
        if request.path != "/messages":
            return Reply(404, b'{"error": "not found"}')
        sent = json.loads(request.body)
        self.received.append(
            PhoneMessage(
                at=time.monotonic(),
                kind=sent["kind"],
                to=sent["to"],
                reference=sent["reference"],
                body=sent["body"],
            )
        )
        return Reply(200, json.dumps({"id": uuid.uuid4().hex, "status": "sent"}).encode())

    def to(self, phone: str) -> list[PhoneMessage]:
        """What reached `phone`, in the order it arrived."""
        return [m for m in self.received if m.to == phone]


async def district_admin(identity: httpx.AsyncClient, prefix: str) -> tuple[str, str]:
    """A new district (tenant) and its admin, through identity's API: (slug, admin's token)."""
    root = (
        await identity.post(
            "/v1/auth/login",
            json={
                "tenant": "platform",
                "username": "platform@civicgrid.org",
                "password": ADMIN_PASSWORD,
            },
        )
    ).json()
    as_root = {"Authorization": f"Bearer {root['access_token']}"}
    slug = unique_name(prefix).replace("_", "-")
    tenant = await identity.post(
        "/v1/tenants", json={"slug": slug, "name": "E2E", "city": "Testcity"}, headers=as_root
    )
    assert tenant.status_code == 201, tenant.text
    invitation = await identity.post(
        f"/v1/tenants/{tenant.json()['id']}/invitations",
        json={
            "display_name": "Admin",
            "email": f"admin@{slug}.org",
            "roles": [{"role": "tenant_admin", "unit_id": None}],
        },
        headers=as_root,
    )
    assert invitation.status_code == 201, invitation.text
    accepted = await identity.post(
        "/v1/invitations/accept",
        json={
            "tenant": slug,
            "code": invitation.json()["invitation_code"],
            "password": "correct-horse-1",
        },
    )
    assert accepted.status_code == 200, accepted.text
    admin = (
        await identity.post(
            "/v1/auth/login",
            json={"tenant": slug, "username": f"admin@{slug}.org", "password": "correct-horse-1"},
        )
    ).json()
    return slug, admin["access_token"]
