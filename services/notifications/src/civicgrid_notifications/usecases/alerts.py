"""The alert chain as people use it: a worker raises an alert for a person, responders answer,
staff look at an alert's timeline and set up the chain (policy, duty roster, care profiles,
drills)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from civicgrid_notifications.db.alerts_repo import Alert, AlertsRepository, Responder, TimelineEntry
from civicgrid_notifications.db.care_repo import CareProfile, CareRepository
from civicgrid_notifications.domain.alerts import AlertPolicy
from civicgrid_notifications.usecases import alert_responses
from civicgrid_notifications.usecases.alert_chain import RaiseRequest, open_alert
from civicgrid_notifications.usecases.alert_timers import DRILL_TIMER
from civicgrid_notifications.usecases.context import (
    NotificationsContext,
    is_staff,
    person_of,
    require_admin,
    require_staff,
)
from civicgrid_platform import timers
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Forbidden, InvalidInput, NotFound

DUTIES = ("worker", "backup", "supervisor", "desk")


@dataclass(frozen=True, slots=True)
class AlertView:
    alert: Alert
    responders: list[Responder]
    timeline: list[TimelineEntry]


async def raise_for(ctx: NotificationsContext, actor: Principal, person_id: UUID) -> Alert:
    """A worker raises an alert on a person's behalf (they called, a neighbour came by)."""
    require_staff(actor, "raise an alert for someone")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        alert = await open_alert(
            ctx, uow, RaiseRequest(person_id, "worker", raised_by=f"person:{actor.subject}")
        )
        await uow.commit()
    return alert


async def view(ctx: NotificationsContext, actor: Principal, alert_id: UUID) -> AlertView:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = AlertsRepository(uow.session, actor.tenant_uuid)
        alert = await repo.get(alert_id)
        if alert is None:
            raise NotFound("no such alert")
        responders = await repo.responders(alert_id)
        if not _may_see(actor, alert, responders):
            raise NotFound("no such alert")
        return AlertView(alert, responders, await repo.timeline(alert_id))


def _may_see(actor: Principal, alert: Alert, responders: list[Responder]) -> bool:
    me = person_of(actor)
    return (
        is_staff(actor)
        or me == alert.person_id
        or any(r.person_id == me for r in responders if me is not None)
    )


async def listing(ctx: NotificationsContext, actor: Principal, open_only: bool) -> list[Alert]:
    require_staff(actor, "list alerts")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await AlertsRepository(uow.session, actor.tenant_uuid).listing(
            open_only=open_only, person_id=None, limit=200
        )


async def _responder(ctx: NotificationsContext, actor: Principal, alert_id: UUID) -> str:
    """A person answers for themselves: one the chain asked, or any of the district's staff."""
    me = person_of(actor)
    if me is None:
        raise Forbidden("a person answers an alert")
    if is_staff(actor):
        return f"person:{me}"
    view_ = await view(ctx, actor, alert_id)
    if not any(r.person_id == me for r in view_.responders):
        raise NotFound("no such alert")
    return f"person:{me}"


async def acknowledge(ctx: NotificationsContext, actor: Principal, alert_id: UUID) -> Alert:
    responder = await _responder(ctx, actor, alert_id)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        alert = await alert_responses.acknowledge(
            ctx, uow, actor.tenant_uuid, alert_id, responder, "", "api"
        )
        await uow.commit()
    return alert


async def on_site(ctx: NotificationsContext, actor: Principal, alert_id: UUID) -> Alert:
    responder = await _responder(ctx, actor, alert_id)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        alert = await alert_responses.on_site(
            ctx, uow, actor.tenant_uuid, alert_id, responder, for_family=is_staff(actor)
        )
        await uow.commit()
    return alert


async def resolve(
    ctx: NotificationsContext, actor: Principal, alert_id: UUID, outcome: str, note: str
) -> Alert:
    responder = await _responder(ctx, actor, alert_id)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        alert = await alert_responses.resolve(
            ctx, uow, actor.tenant_uuid, alert_id, outcome, note, responder
        )
        await uow.commit()
    return alert


# --- setting the chain up ---------------------------------------------------------------------
async def policy(ctx: NotificationsContext, actor: Principal) -> AlertPolicy:
    require_staff(actor, "read the alert policy")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        stored = await CareRepository(uow.session, actor.tenant_uuid).policy()
    return AlertPolicy.from_json(stored or {})


async def save_policy(ctx: NotificationsContext, actor: Principal, new: AlertPolicy) -> AlertPolicy:
    """Alerts raised from now on follow it; open alerts keep the policy frozen onto them."""
    require_admin(actor, "sets the alert policy")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        await CareRepository(uow.session, actor.tenant_uuid).save_policy(new.as_json())
        await uow.commit()
    return new


async def roster(
    ctx: NotificationsContext, actor: Principal, unit_id: UUID
) -> dict[str, list[UUID]]:
    require_staff(actor, "read the duty roster")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await CareRepository(uow.session, actor.tenant_uuid).full_roster(unit_id)


async def save_roster(
    ctx: NotificationsContext, actor: Principal, unit_id: UUID, duties: dict[str, list[UUID]]
) -> dict[str, list[UUID]]:
    """Replaces the named duties of a unit (a grid, a community, or the district's own id for
    district-wide duty); a duty left out keeps its people."""
    require_staff(actor, "set the duty roster")
    for duty, people in duties.items():
        if duty not in DUTIES:
            raise InvalidInput(f"one of {', '.join(DUTIES)}", field=f"duties.{duty}")
        if len(set(people)) != len(people):
            raise InvalidInput("a person is named twice", field=f"duties.{duty}")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        care = CareRepository(uow.session, actor.tenant_uuid)
        for duty, people in duties.items():
            await care.set_roster(unit_id, duty, people)
        await uow.commit()
    return await roster(ctx, actor, unit_id)


async def care_profile(ctx: NotificationsContext, actor: Principal, person_id: UUID) -> CareProfile:
    require_staff(actor, "read care profiles")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        found = await CareRepository(uow.session, actor.tenant_uuid).profile(person_id)
    if found is None:
        raise NotFound("no care profile for this person")
    return found


async def save_care_profile(
    ctx: NotificationsContext,
    actor: Principal,
    profile: CareProfile,
    heartbeat: tuple[str, int] | None,
) -> CareProfile:
    """Where the person lives and who they are; with heartbeat (device id, seconds) also how
    often their device checks in."""
    require_staff(actor, "keep care profiles")
    if (profile.lat is None) != (profile.lon is None):
        raise InvalidInput("give both lat and lon, or neither", field="lat")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        care = CareRepository(uow.session, actor.tenant_uuid)
        await care.save_profile(profile)
        if heartbeat is not None:
            await care.watch_device(heartbeat[0], profile.person_id, heartbeat[1])
        await uow.commit()
    return profile


async def schedule_drill(
    ctx: NotificationsContext, actor: Principal, person_id: UUID, at: datetime
) -> datetime:
    """A drill for the person's chain at `at` (one waiting drill per person: a new one moves it)."""
    require_staff(actor, "schedule drills")
    if at.tzinfo is None:
        raise InvalidInput("a time with its offset", field="at")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        if await CareRepository(uow.session, actor.tenant_uuid).profile(person_id) is None:
            raise NotFound("no care profile for this person", field="person_id")
        await timers.schedule(uow.session, actor.tenant_uuid, DRILL_TIMER, person_id, at)
        await uow.commit()
    return at
