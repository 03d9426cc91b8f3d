"""Alert devices: a press raises an alert (checked by identity's ResolveDevice, a replayed
press refused), heartbeats keep the device known to be alive, and the device asks how its
alert stands ("help is coming")."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import select

from civicgrid_notifications.db.alerts_repo import Alert, AlertsRepository
from civicgrid_notifications.db.care_repo import CareRepository
from civicgrid_notifications.db.tables_alerts import alert_devices
from civicgrid_notifications.domain.notices import Notice, RoleHolders
from civicgrid_notifications.usecases.alert_chain import RaiseRequest, open_alert
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import deliver
from civicgrid_notifications.usecases.ports import DeviceOwner
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, InvalidInput, NotAuthenticated
from civicgrid_platform.timers import DueTimer

SILENCE_TIMER = "device_silence"
# A press signed longer ago than this (or this far in the future) is refused as a replay.
PRESS_WINDOW = timedelta(minutes=5)
# A device is offline once silent for its interval times this.
SILENCE_GRACE = 1.5
DEFAULT_HEARTBEAT_SECONDS = 3600
_OFFLINE = uuid.UUID("5c7e2d14-0b6f-4a37-8d2e-91f4c3a6b8e5")


@dataclass(frozen=True, slots=True)
class Signed:
    """A device's signed message: {"ts": unix seconds, "nonce": "..."}."""

    ts: datetime
    nonce: str


def parse_signed(body: bytes) -> Signed:
    try:
        raw = json.loads(body)
    except ValueError:
        raise InvalidInput("the body is not JSON", field="body") from None
    if not isinstance(raw, dict):
        raise InvalidInput("the body is a JSON object", field="body")
    ts, nonce = raw.get("ts"), raw.get("nonce")
    if not isinstance(ts, int | float) or isinstance(ts, bool):
        raise InvalidInput("unix seconds", field="ts")
    if not isinstance(nonce, str) or not 8 <= len(nonce) <= 64:
        raise InvalidInput("8 to 64 characters, new for every press", field="nonce")
    try:
        moment = datetime.fromtimestamp(ts, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidInput("unix seconds", field="ts") from None
    return Signed(moment, nonce)


async def _owner(
    ctx: NotificationsContext,
    device_id: str,
    signature: str,
    body: bytes,
    *,
    with_family: bool = False,
) -> DeviceOwner:
    if ctx.directory is None:
        raise NotAuthenticated("devices cannot be checked: no identity directory")
    return await ctx.directory.resolve_device(device_id, signature, body, with_family=with_family)


async def press(
    ctx: NotificationsContext, device_id: str, signature: str, body: bytes
) -> tuple[UUID, Alert]:
    """(district, the alert) for a press; a second press while an alert is open answers with
    that alert (and says so on its timeline) rather than raising another."""
    signed = parse_signed(body)
    owner = await _owner(ctx, device_id, signature, body, with_family=True)
    now = ctx.clock()
    if abs(now - signed.ts) > PRESS_WINDOW:
        raise InvalidInput("the press was signed too long ago or ahead of time", field="ts")
    async with ctx.uow(tenant_id=owner.tenant_id) as uow:
        repo = AlertsRepository(uow.session, owner.tenant_id)
        current = await repo.open_one(owner.person_id)
        alert_id = current.id if current else uuid.uuid4()
        care = CareRepository(uow.session, owner.tenant_id)
        if not await care.record_press(device_id, signed.nonce, now, alert_id):
            raise Conflict("this press was received before (a replay)")
        await _seen(uow, owner, device_id, now)
        if current is not None:
            await repo.note(current.id, now, "pressed_again", current.step, device=device_id)
            alert = current
        else:
            raising = RaiseRequest(
                owner.person_id, "device", device_id, f"device:{device_id}", family=owner.family
            )
            alert = await open_alert(ctx, uow, raising)
        await uow.commit()
    return owner.tenant_id, alert


async def heartbeat(ctx: NotificationsContext, device_id: str, signature: str, body: bytes) -> None:
    signed = parse_signed(body)
    owner = await _owner(ctx, device_id, signature, body)
    if abs(ctx.clock() - signed.ts) > PRESS_WINDOW:
        raise InvalidInput("signed too long ago or ahead of time", field="ts")
    async with ctx.uow(tenant_id=owner.tenant_id) as uow:
        await _seen(uow, owner, device_id, ctx.clock())
        await uow.commit()


async def _seen(uow: UnitOfWork, owner: DeviceOwner, device_id: str, now: datetime) -> None:
    care = CareRepository(uow.session, owner.tenant_id)
    interval = await care.device_seen(
        device_id, owner.person_id, now, heartbeat_seconds=DEFAULT_HEARTBEAT_SECONDS
    )
    silent_at = now + timedelta(seconds=interval * SILENCE_GRACE)
    await timers.schedule(uow.session, owner.tenant_id, SILENCE_TIMER, owner.person_id, silent_at)


async def latest(
    ctx: NotificationsContext, device_id: str, signature: str, body: bytes
) -> Alert | None:
    """The device's person's most recent alert, for the device's "help is coming" light."""
    owner = await _owner(ctx, device_id, signature, body)
    async with ctx.uow(tenant_id=owner.tenant_id) as uow:
        found = await AlertsRepository(uow.session, owner.tenant_id).listing(
            open_only=False, person_id=owner.person_id, limit=1
        )
    return found[0] if found else None


async def report_offline(ctx: NotificationsContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """Timer: the person's devices silent past their interval get reported once to the workers
    looking after the person (a low-priority task in their inbox)."""
    tenant_id, person = timer.tenant_id, timer.subject_id
    care = CareRepository(uow.session, tenant_id)
    rows = await uow.session.execute(
        select(alert_devices.c.device_id).where(
            alert_devices.c.tenant_id == tenant_id, alert_devices.c.person_id == person
        )
    )
    now = ctx.clock()
    profile = await care.profile(person)
    for (device_id,) in rows.all():
        device = await care.device(device_id, lock=True)
        if device is None or device.last_seen_at is None or device.offline_since is not None:
            continue
        silent_at = device.last_seen_at + timedelta(
            seconds=device.heartbeat_seconds * SILENCE_GRACE
        )
        if now < silent_at:
            await timers.schedule(uow.session, tenant_id, SILENCE_TIMER, person, silent_at)
            continue
        await care.device_offline(device_id, now)
        if profile is None or profile.grid_id is None:
            continue
        to = (RoleHolders(profile.grid_id, ("community_staff",), include_ancestors=True),)
        roster = await care.roster([profile.grid_id, tenant_id], "worker")
        notice = Notice(
            event_id=uuid.uuid5(_OFFLINE, f"{tenant_id}/{device_id}/{device.last_seen_at}"),
            tenant_id=tenant_id,
            event_type="device.offline",
            variables={
                "person_name": profile.display_name,
                "device_id": device_id,
                "last_seen_at": device.last_seen_at.isoformat(),
            },
            to=tuple(roster) or to,
        )
        await deliver(ctx, uow, notice)
