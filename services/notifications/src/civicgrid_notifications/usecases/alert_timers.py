"""The alert chain's timers. Each runs in run_due's transaction, bound to the timer's district,
and checks the alert under its row lock first: a timer that is stale (the alert moved on) or
early (the alert's clock says later) changes nothing but its own time."""

from __future__ import annotations

import logging
from datetime import timedelta

from civicgrid.notifications.v1 import events_pb2
from civicgrid_notifications.db.alerts_repo import AlertsRepository
from civicgrid_notifications.domain import alerts as rules
from civicgrid_notifications.domain.alerts import AlertPolicy
from civicgrid_notifications.domain.channels import Channel
from civicgrid_notifications.events.outgoing import notification_event
from civicgrid_notifications.usecases.alert_chain import (
    AUDIT_EVERY,
    AUDIT_TIMER,
    ON_SITE_TIMER,
    STEP_TIMER,
    RaiseRequest,
    open_alert,
    send_to,
    start_step,
)
from civicgrid_notifications.usecases.alert_devices import SILENCE_TIMER, report_offline
from civicgrid_notifications.usecases.alert_steps import Asked
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.timers import DueTimer

log = logging.getLogger(__name__)
DRILL_TIMER = "alert_drill"


async def next_step(ctx: NotificationsContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """Nobody acknowledged in time: the next step asks more people (after the last, everyone
    asked so far is asked again)."""
    repo = AlertsRepository(uow.session, timer.tenant_id)
    alert = await repo.get(timer.subject_id, lock=True)
    if alert is None or alert.status != rules.RAISED:
        return  # acknowledged, on site or resolved meanwhile: a stale timer
    policy = AlertPolicy.from_json(alert.policy)
    due = policy.next_due(alert.step, alert.step_started_at)
    if ctx.clock() < due:
        await timers.schedule(uow.session, timer.tenant_id, STEP_TIMER, alert.id, due)
        return
    if alert.step < rules.LAST_STEP:
        to_step = alert.step + 1
        await repo.change(alert.id, step=to_step, step_started_at=due)
        escalated = events_pb2.AlertEscalated(
            alert_id=str(alert.id),
            from_step=alert.step,
            to_step=to_step,
            reason="no_acknowledgement",
        )
        uow.add_event(notification_event(timer.tenant_id, alert.id, escalated))
        await repo.note(alert.id, ctx.clock(), "escalated", to_step, reason="no_acknowledgement")
        moved = await repo.get(alert.id)
        assert moved is not None
        await start_step(ctx, uow, moved, to_step, "no_acknowledgement")
        return
    # After a gap (no timers component for a while) one round asks again, not one per missed
    # interval: skip to the latest round that is due.
    interval = policy.next_due(alert.step, due) - due
    due += ((ctx.clock() - due) // interval) * interval
    await repo.change(alert.id, step_started_at=due)
    asked = [
        Asked(r.responder, r.person_id, r.name, r.phone, r.role, _family_channels(r.person_id))
        for r in await repo.responders(alert.id)
    ]
    await send_to(ctx, uow, alert, asked, "alert.reminder", f"again@{due.isoformat()}")
    await repo.note(alert.id, ctx.clock(), "asked_again", alert.step, asked=len(asked))
    await timers.schedule(
        uow.session, timer.tenant_id, STEP_TIMER, alert.id, policy.next_due(alert.step, due)
    )


def _family_channels(person_id: object) -> tuple[Channel, ...]:
    """Family contacts are asked again by phone; people on their own alert channels."""
    return () if person_id is not None else (Channel.SMS, Channel.VOICE)


async def not_on_site(ctx: NotificationsContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """Acknowledged but nobody on site in time: escalation starts over from step 0."""
    repo = AlertsRepository(uow.session, timer.tenant_id)
    alert = await repo.get(timer.subject_id, lock=True)
    if alert is None or alert.status != rules.ACKNOWLEDGED or alert.acknowledged_at is None:
        return
    policy = AlertPolicy.from_json(alert.policy)
    due = alert.acknowledged_at + timedelta(seconds=policy.on_site_within_seconds)
    now = ctx.clock()
    if now < due:
        await timers.schedule(uow.session, timer.tenant_id, ON_SITE_TIMER, alert.id, due)
        return
    await repo.change(
        alert.id,
        status=rules.RAISED,
        step=0,
        step_started_at=now,
        acknowledged_by=None,
        acknowledged_name=None,
        acknowledged_at=None,
    )
    escalated = events_pb2.AlertEscalated(
        alert_id=str(alert.id), from_step=alert.step, to_step=0, reason="not_on_site"
    )
    uow.add_event(notification_event(timer.tenant_id, alert.id, escalated))
    await repo.note(alert.id, now, "restarted", 0, reason="not_on_site", was=alert.acknowledged_by)
    restarted = await repo.get(alert.id)
    assert restarted is not None
    await start_step(ctx, uow, restarted, 0, "not_on_site")


async def audit(ctx: NotificationsContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """Finds a chain that lost its timer and repairs it; then looks again later."""
    repo = AlertsRepository(uow.session, timer.tenant_id)
    alert = await repo.get(timer.subject_id, lock=True)
    if alert is None or alert.status == rules.RESOLVED:
        return
    now = ctx.clock()
    policy = AlertPolicy.from_json(alert.policy)
    session, tenant = uow.session, timer.tenant_id
    if alert.status == rules.RAISED and await timers.due_at(session, STEP_TIMER, alert.id) is None:
        due = max(now, policy.next_due(alert.step, alert.step_started_at))
        await timers.schedule(session, tenant, STEP_TIMER, alert.id, due)
        await repo.note(alert.id, now, "repaired", alert.step, timer=STEP_TIMER)
        log.warning("alert %s had lost its step timer; repaired", alert.id)
    if (
        alert.status == rules.ACKNOWLEDGED
        and alert.acknowledged_at is not None
        and await timers.due_at(session, ON_SITE_TIMER, alert.id) is None
    ):
        due = alert.acknowledged_at + timedelta(seconds=policy.on_site_within_seconds)
        await timers.schedule(session, tenant, ON_SITE_TIMER, alert.id, max(now, due))
        await repo.note(alert.id, now, "repaired", alert.step, timer=ON_SITE_TIMER)
        log.warning("alert %s had lost its on-site timer; repaired", alert.id)
    await timers.schedule(session, tenant, AUDIT_TIMER, alert.id, now + AUDIT_EVERY)


async def drill(ctx: NotificationsContext, uow: UnitOfWork, timer: DueTimer) -> None:
    """A scheduled drill: the chain runs as for a press, without alarming the family."""
    await open_alert(ctx, uow, RaiseRequest(timer.subject_id, "drill", raised_by="schedule"))


ALERT_TIMERS = {
    STEP_TIMER: next_step,
    ON_SITE_TIMER: not_on_site,
    AUDIT_TIMER: audit,
    DRILL_TIMER: drill,
    SILENCE_TIMER: report_offline,
}
