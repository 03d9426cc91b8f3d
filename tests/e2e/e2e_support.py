"""What the cross-service suites share: service processes on free ports, districts made through
identity's own API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from civicgrid_devstack.services import ServiceProcess, process_on_free_ports
from civicgrid_testkit import unique_name

ADMIN_PASSWORD = "platform-admin-e2e-1"


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
) -> Iterator[ServiceProcess]:
    """A service process on free ports with a database of its own, migrated and ready; the JWKS
    defaults to its own (identity)."""
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
    proc.migrate(*migrate)
    proc.start()
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


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
