"""Answers to an alert: acknowledge (the responder takes it and the chain stops), on site,
resolve. Each runs under the alert's row lock; repeating one's own answer changes nothing,
answering an alert someone else holds is a conflict."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from civicgrid.notifications.v1 import events_pb2
from civicgrid_notifications.db.alerts_repo import Alert, AlertsRepository
from civicgrid_notifications.db.deliveries_repo import DeliveriesRepository
from civicgrid_notifications.domain import alerts as rules
from civicgrid_notifications.domain.alerts import AlertPolicy
from civicgrid_notifications.events.outgoing import notification_event
from civicgrid_notifications.usecases.alert_chain import AUDIT_TIMER, ON_SITE_TIMER, STEP_TIMER
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import NotFound


async def locked(uow: UnitOfWork, tenant_id: UUID, alert_id: UUID) -> Alert:
    alert = await AlertsRepository(uow.session, tenant_id).get(alert_id, lock=True)
    if alert is None:
        raise NotFound("no such alert")
    return alert


async def acknowledge(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    alert_id: UUID,
    responder: str,
    name: str,
    via: str,
) -> Alert:
    """In uow's transaction (the caller commits)."""
    alert = await locked(uow, tenant_id, alert_id)
    if not rules.check_can_acknowledge(alert.status, alert.acknowledged_by, responder):
        return alert
    now = ctx.clock()
    repo = AlertsRepository(uow.session, tenant_id)
    name = name or await _responder_name(repo, alert_id, responder)
    await repo.change(
        alert_id,
        status=rules.ACKNOWLEDGED,
        acknowledged_by=responder,
        acknowledged_name=name,
        acknowledged_at=now,
    )
    await timers.cancel(uow.session, STEP_TIMER, alert_id)
    policy = AlertPolicy.from_json(alert.policy)
    on_site_by = now + timedelta(seconds=policy.on_site_within_seconds)
    await timers.schedule(uow.session, tenant_id, ON_SITE_TIMER, alert_id, on_site_by)
    await _stop_queued(uow, tenant_id, alert_id, f"acknowledged by {name or responder}", now)
    await repo.note(
        alert_id, now, "acknowledged", alert.step, responder=responder, name=name, via=via
    )
    message = events_pb2.AlertAcknowledged(
        alert_id=str(alert_id), responder=responder, responder_name=name, via=via
    )
    message.at.FromDatetime(now)
    uow.add_event(notification_event(tenant_id, alert_id, message))
    if alert.drill:
        # A drill has proved the chain the moment someone answers: it closes itself.
        return await _close(ctx, uow, tenant_id, alert_id, "drill_passed", "", responder)
    found = await repo.get(alert_id)
    assert found is not None
    return found


async def on_site(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    alert_id: UUID,
    responder: str,
    *,
    for_family: bool = False,
) -> Alert:
    """With for_family (staff), the caller records that the family contact who holds the
    alert is there: a contact has no account to say so."""
    alert = await locked(uow, tenant_id, alert_id)
    recorded_by = responder
    if for_family and (alert.acknowledged_by or "").startswith("contact:"):
        responder = alert.acknowledged_by or responder
    if not rules.check_can_be_on_site(alert.status, alert.acknowledged_by, responder):
        return alert
    now = ctx.clock()
    repo = AlertsRepository(uow.session, tenant_id)
    await repo.change(alert_id, status=rules.ON_SITE, on_site_at=now)
    await timers.cancel(uow.session, ON_SITE_TIMER, alert_id)
    await repo.note(
        alert_id, now, "on_site", alert.step, responder=responder, recorded_by=recorded_by
    )
    message = events_pb2.AlertOnSite(alert_id=str(alert_id), responder=responder)
    message.at.FromDatetime(now)
    uow.add_event(notification_event(tenant_id, alert_id, message))
    found = await repo.get(alert_id)
    assert found is not None
    return found


async def resolve(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    alert_id: UUID,
    outcome: str,
    note: str,
    by: str,
) -> Alert:
    alert = await locked(uow, tenant_id, alert_id)
    if not rules.check_can_resolve(alert.status, outcome):
        return alert
    return await _close(ctx, uow, tenant_id, alert_id, outcome, note, by)


async def _close(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    tenant_id: UUID,
    alert_id: UUID,
    outcome: str,
    note: str,
    by: str,
) -> Alert:
    now = ctx.clock()
    repo = AlertsRepository(uow.session, tenant_id)
    await repo.change(
        alert_id, status=rules.RESOLVED, resolved_at=now, outcome=outcome, note=note or None
    )
    for kind in (STEP_TIMER, ON_SITE_TIMER, AUDIT_TIMER):
        await timers.cancel(uow.session, kind, alert_id)
    await _stop_queued(uow, tenant_id, alert_id, f"resolved: {outcome}", now)
    await repo.note(alert_id, now, "resolved", None, outcome=outcome, note=note, by=by)
    message = events_pb2.AlertResolved(
        alert_id=str(alert_id), outcome=outcome, note=note, resolved_by=by
    )
    message.at.FromDatetime(now)
    uow.add_event(notification_event(tenant_id, alert_id, message))
    found = await repo.get(alert_id)
    assert found is not None
    return found


async def _stop_queued(
    uow: UnitOfWork, tenant_id: UUID, alert_id: UUID, why: str, now: datetime
) -> None:
    """Messages of the alert not sent yet are no longer needed (the dispatcher skips them)."""
    await DeliveriesRepository(uow.session, tenant_id).stop_queued_of_alert(alert_id, why, now)


async def _responder_name(repo: AlertsRepository, alert_id: UUID, responder: str) -> str:
    for asked in await repo.responders(alert_id):
        if asked.responder == responder:
            return asked.name
    return ""
