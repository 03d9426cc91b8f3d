"""An elderly person living alone with a bound device, the people the chain should ask, and
notifications wired to identity over the wire (see identity_contract)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.timer_kinds import run_due
from civicgrid_testkit import ServiceDatabase
from services.notifications.tests.identity_contract import Directory, identity_contract, sign
from services.notifications.tests.notifications_support import (
    District,
    SettableClock,
    notifications_app,
)

PROVIDER_TOKEN = "provider-token-for-alert-tests"


@dataclass
class Household:
    """Wang Nainai (the person), her grid, and everyone around her."""

    district: District
    grid: uuid.UUID
    elder: uuid.UUID
    worker: uuid.UUID
    grid_leader: uuid.UUID
    backup: uuid.UUID
    supervisor: uuid.UUID
    desk: uuid.UUID
    device_id: str
    secret: str

    def signed(
        self, *, nonce: str | None = None, ts: float | None = None
    ) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(
            {"ts": int(ts if ts is not None else time.time()), "nonce": nonce or uuid.uuid4().hex}
        ).encode()
        return body, {
            "X-Device-Signature": sign(self.secret, body),
            "content-type": "application/json",
        }


def household(directory: Directory, district: District) -> Household:
    tenant, grid = district.tenant_id, uuid.uuid4()
    elder = directory.person(tenant, "Wang Nainai", "+8613800000001")
    worker = directory.person(tenant, "Li Worker", "+8613800000002", "li@example.org")
    leader = directory.person(tenant, "Zhao Leader", "+8613800000003")
    backup = directory.person(tenant, "Sun Backup", "+8613800000004")
    supervisor = directory.person(tenant, "Qian Supervisor", "+8613800000005")
    desk = directory.person(tenant, "Zhou Desk", "+8613800000006")
    directory.hold(grid, "community_staff", worker)
    directory.hold(grid, "grid_leader", leader)
    directory.hold(grid, "street_officer", supervisor)
    directory.hold(grid, "district_officer", desk)
    directory.contact(elder, 1, "Wang Daughter", "+8613900000001")
    directory.contact(elder, 2, "Wang Son", "+8613900000002")
    device_id, secret = directory.device(tenant, elder)
    return Household(
        district, grid, elder, worker, leader, backup, supervisor, desk, device_id, secret
    )


@asynccontextmanager
async def wired(
    ctx: NotificationsContext, db: ServiceDatabase, engine: AsyncEngine, directory: Directory
) -> AsyncIterator[tuple[NotificationsContext, httpx.AsyncClient]]:
    """The context and HTTP API of a notifications process that reaches identity."""
    async with identity_contract(directory) as adapter:
        wired_ctx = replace(ctx, directory=adapter)
        app = notifications_app(wired_ctx, db, engine)
        app.state.provider_token = PROVIDER_TOKEN
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifications") as api:
            yield wired_ctx, api


async def set_up(api: httpx.AsyncClient, home: Household) -> None:
    district = home.district
    profile = await api.put(
        f"/v1/care-profiles/{home.elder}",
        json={
            "display_name": "Wang Nainai",
            "phone": "+8613800000001",
            "grid_id": str(home.grid),
            "address": "Building 3, Unit 2, Room 401",
            "lat": 36.65,
            "lon": 117.0,
            "device_id": home.device_id,
            "heartbeat_seconds": 600,
        },
        headers=district.staff(),
    )
    assert profile.status_code == 200, profile.text
    roster = await api.put(
        f"/v1/alert-duty/{home.grid}",
        json={"duties": {"backup": [str(home.backup)]}},
        headers=district.staff(),
    )
    assert roster.status_code == 200, roster.text


async def settle(ctx: NotificationsContext) -> int:
    total = 0
    while ran := await run_due(ctx):
        total += ran
    return total


async def advance(ctx: NotificationsContext, clock: SettableClock, seconds: float) -> int:
    clock.advance(seconds=seconds)
    return await settle(ctx)


async def asked(ctx: NotificationsContext, tenant: uuid.UUID, alert_id: str) -> dict[str, set[str]]:
    """recipient -> channels of the alert's messages still meant to go (not suppressed)."""
    async with ctx.uow(tenant_id=tenant) as uow:
        found = await uow.session.execute(
            text(
                "SELECT recipient, channel FROM deliveries WHERE tenant_id = :t AND alert_id = :a"
                " AND status <> 'suppressed'"
            ),
            {"t": tenant, "a": uuid.UUID(alert_id)},
        )
        out: dict[str, set[str]] = {}
        for recipient, channel in found:
            out.setdefault(recipient, set()).add(channel)
        return out


async def events(ctx: NotificationsContext, tenant: uuid.UUID) -> list[str]:
    async with ctx.uow(tenant_id=None) as uow:
        found = await uow.session.execute(
            text("SELECT headers->>'ce_type' FROM event_outbox WHERE tenant_id = :t ORDER BY id"),
            {"t": tenant},
        )
        return [t.removeprefix("civicgrid.notifications.v1.") for (t,) in found]


def person(p: uuid.UUID) -> str:
    return f"person:{p}"
