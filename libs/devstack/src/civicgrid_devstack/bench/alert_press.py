"""Alert press -> first delivery attempt started, at a steady rate of presses.

Real identity and notifications processes; an SMS/voice provider on 127.0.0.1 notes when each
message arrives. Every press comes from its own elder's device (a second press of an open alert
raises nothing), each elder's care profile names a grid whose community worker has a phone; the
time from sending the press to the provider receiving the alert's first message is the figure."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import secrets
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from civicgrid_devstack.bench.report import Figure, percentile
from civicgrid_devstack.services import ServiceProcess, process_on_free_ports
from civicgrid_devstack.stack import NOTIFICATIONS_CLIENT, NOTIFICATIONS_SCOPES
from civicgrid_testkit.local_http import LocalHttpServer, Reply, Request
from civicgrid_testkit.provisioning import ServiceDatabase

RATE = 50  # presses a second: the target's
EASY_RATE = 10  # and a fifth of it, where the machine is not saturated
SECONDS = 10
PLATFORM_PASSWORD = "platform-admin-bench-1"
SERVICE_SECRET = "bench-only-notifications-service-secret-01"
PROVIDER_TOKEN = "bench-provider-token"


class Phones(LocalHttpServer):
    """Takes every message; remembers when each reference first arrived."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        super().__init__(self._take)

    def _take(self, request: Request) -> Reply:
        reference = json.loads(request.body)["reference"]
        self.arrived.setdefault(reference, time.monotonic())
        return Reply(200, json.dumps({"id": uuid.uuid4().hex, "status": "sent"}).encode())


async def bench_alert_press(
    identity_db: ServiceDatabase, notifications_db: ServiceDatabase, bootstrap: str, workdir: Path
) -> list[Figure]:
    with Phones() as phones:
        identity = process_on_free_ports(
            "identity",
            identity_db,
            kafka_bootstrap=bootstrap,
            log=workdir / "alert-identity.log",
            components="http,grpc",
            env={
                "CIVICGRID_BOOTSTRAP_ADMIN_PASSWORD": PLATFORM_PASSWORD,
                "CIVICGRID_SERVICE_CLIENTS": json.dumps(
                    [
                        {
                            "client_id": NOTIFICATIONS_CLIENT,
                            "secret": SERVICE_SECRET,
                            "scopes": NOTIFICATIONS_SCOPES,
                        }
                    ]
                ),
            },
        )
        await asyncio.to_thread(identity.migrate, "--bootstrap-admin")
        identity.start()
        try:
            await asyncio.to_thread(identity.wait_ready, 120.0)
            notifications = _notifications(identity, notifications_db, bootstrap, workdir, phones)
            await asyncio.to_thread(notifications.migrate)
            notifications.start()
            try:
                await asyncio.to_thread(notifications.wait_ready, 120.0)
                results = [
                    await _run(identity, notifications, notifications_db, phones, rate)
                    for rate in (EASY_RATE, RATE)
                ]
            finally:
                await asyncio.to_thread(notifications.stop)
        finally:
            await asyncio.to_thread(identity.stop)
    return [_figure(result) for result in results]


def _figure(result: dict[str, Any]) -> Figure:
    return Figure(
        f"alert press -> first delivery attempt, {result['rate']}/s",
        f"p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms "
        f"({result['reached']} of {result['presses']} reached; the press answered in p50 "
        f"{result['press_p50']:.0f} ms, p99 {result['press_p99']:.0f} ms; CPU per press: "
        f"notifications {result['notifications_cpu_ms']:.0f} ms, identity "
        f"{result['identity_cpu_ms']:.0f} ms)",
        "p99 <= 200 ms at 50 alerts/s",
        f"{result['presses']} presses at {result['rate']}/s, each its own elder's device: HTTP "
        "press, ResolveDevice, the alert with step 0 in one transaction, the dispatcher woken, "
        "the worker's SMS at a local provider; identity and notifications as processes",
    )


def _notifications(
    identity: ServiceProcess,
    db: ServiceDatabase,
    bootstrap: str,
    workdir: Path,
    phones: Phones,
) -> ServiceProcess:
    proc = process_on_free_ports(
        "notifications",
        db,
        kafka_bootstrap=bootstrap,
        log=workdir / "alert-notifications.log",
        jwks_url=f"{identity.base_url}/.well-known/jwks.json",
        components="http,timers",
        env={
            "CIVICGRID_SERVICE_CLIENT_ID": NOTIFICATIONS_CLIENT,
            "CIVICGRID_SERVICE_CLIENT_SECRET": SERVICE_SECRET,
            "CIVICGRID_IDENTITY_GRPC_TARGET": identity.grpc_target,
            "CIVICGRID_SMS_PROVIDERS": json.dumps([phones.url()]),
            "CIVICGRID_VOICE_PROVIDERS": json.dumps([phones.url()]),
            "CIVICGRID_PROVIDER_TOKEN": PROVIDER_TOKEN,
        },
    )
    return proc


async def _run(
    identity: ServiceProcess,
    notifications: ServiceProcess,
    db: ServiceDatabase,
    phones: Phones,
    rate: int,
) -> dict[str, Any]:
    presses = rate * SECONDS
    async with (
        httpx.AsyncClient(base_url=identity.base_url, timeout=60) as ids,
        httpx.AsyncClient(base_url=notifications.base_url, timeout=60) as notes,
    ):
        tenant, _, devices = await _district(ids, notes, presses)
        cpu_before = {
            name: _cpu_seconds(p)
            for name, p in (("identity", identity), ("notifications", notifications))
        }
        sent: dict[str, float] = {}
        answered: list[float] = []

        async def press(device_id: str, secret: str) -> None:
            body = json.dumps({"ts": int(time.time()), "nonce": secrets.token_hex(8)}).encode()
            signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            started = time.monotonic()
            answer = await notes.post(
                f"/v1/devices/{device_id}/press",
                content=body,
                headers={"X-Device-Signature": signature, "content-type": "application/json"},
            )
            answered.append((time.monotonic() - started) * 1000)
            if answer.status_code == 201:
                sent[answer.json()["alert_id"]] = started

        begin = time.monotonic()
        tasks = []
        for n, (device_id, secret) in enumerate(devices):
            await asyncio.sleep(max(0.0, begin + n / rate - time.monotonic()))
            tasks.append(asyncio.create_task(press(device_id, secret)))
        await asyncio.gather(*tasks)
        first = await _first_messages(db, tenant, phones, set(sent))
        cpu = {
            name: (_cpu_seconds(p) - cpu_before[name]) * 1000 / presses
            for name, p in (("identity", identity), ("notifications", notifications))
        }
    latencies = [(first[a] - sent[a]) * 1000 for a in sent if a in first]
    return {
        "rate": rate,
        "identity_cpu_ms": cpu["identity"],
        "notifications_cpu_ms": cpu["notifications"],
        "presses": presses,
        "reached": len(latencies),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "press_p50": percentile(answered, 50),
        "press_p99": percentile(answered, 99),
    }


async def _first_messages(
    db: ServiceDatabase, tenant: str, phones: Phones, alerts: set[str]
) -> dict[str, float]:
    """alert id -> when the provider received its first message (waits up to 30 s)."""
    deadline = time.monotonic() + 30
    connection = await asyncpg.connect(db.runtime_dsn)
    try:
        await connection.execute("SELECT set_config('app.tenant_id', $1, false)", tenant)
        while True:
            rows = await connection.fetch(
                "SELECT id, alert_id FROM deliveries WHERE alert_id IS NOT NULL"
                " AND channel IN ('sms', 'voice')"
            )
            first: dict[str, float] = {}
            for row in rows:
                at = phones.arrived.get(f"{tenant}:{row['id']}")
                alert = str(row["alert_id"])
                if at is not None and (alert not in first or at < first[alert]):
                    first[alert] = at
            if alerts <= set(first) or time.monotonic() > deadline:
                return first
            await asyncio.sleep(0.5)
    finally:
        await connection.close()


async def _district(
    ids: httpx.AsyncClient, notes: httpx.AsyncClient, elders: int
) -> tuple[str, dict[str, str], list[tuple[str, str]]]:
    """A district, its admin, a community worker with a phone at a grid, and `elders` elders
    each with a bound device and a care profile at that grid: (tenant id, admin, devices)."""
    root = _ok(
        await ids.post(
            "/v1/auth/login",
            json={
                "tenant": "platform",
                "username": "platform@civicgrid.org",
                "password": PLATFORM_PASSWORD,
            },
        )
    )
    as_root = {"Authorization": f"Bearer {root['access_token']}"}
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    tenant = _ok(
        await ids.post(
            "/v1/tenants", json={"slug": slug, "name": "Bench", "city": "Bench"}, headers=as_root
        )
    )
    admin_invite = _ok(
        await ids.post(
            f"/v1/tenants/{tenant['id']}/invitations",
            json={
                "display_name": "Admin",
                "email": f"admin@{slug}.org",
                "roles": [{"role": "tenant_admin", "unit_id": None}],
            },
            headers=as_root,
        )
    )
    _ok(
        await ids.post(
            "/v1/invitations/accept",
            json={
                "tenant": slug,
                "code": admin_invite["invitation_code"],
                "password": "bench-pass-1",
            },
        )
    )
    login = _ok(
        await ids.post(
            "/v1/auth/login",
            json={"tenant": slug, "username": f"admin@{slug}.org", "password": "bench-pass-1"},
        )
    )
    admin = {"Authorization": f"Bearer {login['access_token']}"}
    grid = str(uuid.uuid4())
    _ok(
        await ids.post(
            f"/v1/tenants/{tenant['id']}/invitations",
            json={
                "display_name": "Worker",
                "phone": "13800000000",
                "roles": [{"role": "community_staff", "unit_id": grid}],
            },
            headers=admin,
        )
    )
    gate = asyncio.Semaphore(8)

    async def elder(n: int) -> tuple[str, str]:
        async with gate:
            person = _ok(
                await ids.post(
                    f"/v1/tenants/{tenant['id']}/invitations",
                    json={"display_name": f"Elder {n}", "email": f"elder{n}@bench.org"},
                    headers=admin,
                )
            )["person"]
            device_id = f"bench-{n:05d}-{uuid.uuid4().hex[:6]}"
            bound = _ok(
                await ids.post(
                    f"/v1/people/{person['id']}/devices",
                    json={"device_id": device_id},
                    headers=admin,
                )
            )
            _ok(
                await notes.put(
                    f"/v1/care-profiles/{person['id']}",
                    json={"display_name": f"Elder {n}", "grid_id": grid, "address": f"No. {n}"},
                    headers=admin,
                )
            )
            return device_id, str(bound["secret"])

    devices = await asyncio.gather(*(elder(n) for n in range(elders)))
    return str(tenant["id"]), admin, list(devices)


def _cpu_seconds(service: ServiceProcess) -> float:
    """CPU the service's process has used so far (Linux /proc: user + system time)."""
    assert service.process is not None
    fields = Path(f"/proc/{service.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ok(response: httpx.Response) -> Any:
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.text}")
    return response.json()
