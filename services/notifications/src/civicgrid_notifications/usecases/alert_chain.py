"""Raising an alert and running its steps: everyone a step asks gets the alert at once on their
most urgent channels (in-app, SMS, a voice call; family contacts by phone), and the step's timer
is set. Everything happens in the caller's transaction, so the alert, its first messages, its
timer and alert.raised commit together."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from civicgrid.notifications.v1 import events_pb2
from civicgrid.notifications.v1 import notifications_service_pb2 as pb
from civicgrid_notifications.db.alerts_repo import Alert, AlertsRepository, Responder
from civicgrid_notifications.db.care_repo import CareRepository
from civicgrid_notifications.db.directory_repo import DirectoryRepository
from civicgrid_notifications.db.preferences_repo import PreferencesRepository
from civicgrid_notifications.domain.alerts import RAISED, AlertPolicy
from civicgrid_notifications.domain.channels import Category, Channel
from civicgrid_notifications.domain.notices import Notice
from civicgrid_notifications.events.outgoing import notification_event
from civicgrid_notifications.usecases.alert_steps import Asked, step_people, uow_tenant
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import MessagePlan, district_of, preferences_of
from civicgrid_notifications.usecases.ports import FamilyContact
from civicgrid_platform import timers
from civicgrid_platform.db.uow import UnitOfWork

STEP_TIMER = "alert_step"
ON_SITE_TIMER = "alert_on_site"
AUDIT_TIMER = "alert_audit"
# The auditor looks at every open alert this often and repairs a chain that lost its timer.
AUDIT_EVERY = timedelta(minutes=2)
DRILL_LABEL = {"zh-CN": "【演练】", "en": "[DRILL] "}
_ROUNDS = uuid.UUID("3b0f7d0e-5a4c-4a8e-9c52-8e1b2f6a7d90")


@dataclass(frozen=True, slots=True)
class RaiseRequest:
    person_id: UUID
    source: str  # device | worker | drill
    device_id: str = ""
    raised_by: str = ""
    # The person's family contacts, when the press brought them (else step 0 asks identity).
    family: tuple[FamilyContact, ...] | None = None


async def open_alert(ctx: NotificationsContext, uow: UnitOfWork, request: RaiseRequest) -> Alert:
    """Raises an alert in uow's district and runs step 0."""
    tenant_id = uow_tenant(uow)
    care = CareRepository(uow.session, tenant_id)
    profile = await care.profile(request.person_id)
    policy = AlertPolicy.from_json(await care.policy() or {})
    name = profile.display_name if profile else ""
    if not name:
        names = await DirectoryRepository(uow.session, tenant_id).names([request.person_id])
        name = names.get(request.person_id, "")
    now = ctx.clock()
    alert = Alert(
        id=uuid.uuid4(),
        person_id=request.person_id,
        device_id=request.device_id,
        source=request.source,
        drill=request.source == "drill",
        status=RAISED,
        step=0,
        policy=policy.as_json(),
        person_name=name,
        grid_id=profile.grid_id if profile else None,
        address=profile.address if profile else "",
        lat=profile.lat if profile else None,
        lon=profile.lon if profile else None,
        raised_by=request.raised_by,
        raised_at=now,
        step_started_at=now,
        acknowledged_by=None,
        acknowledged_name=None,
        acknowledged_at=None,
        on_site_at=None,
        resolved_at=None,
        outcome=None,
        note=None,
    )
    repo = AlertsRepository(uow.session, tenant_id)
    await repo.add(alert)
    await repo.note(alert.id, now, "raised", 0, source=alert.source, by=alert.raised_by)
    uow.add_event(
        notification_event(
            tenant_id,
            alert.id,
            events_pb2.AlertRaised(
                alert=alert_message(tenant_id, alert), policy=_policy_pb(policy)
            ),
        )
    )
    await start_step(
        ctx,
        uow,
        alert,
        0,
        "raised",
        elder_phone=profile.phone if profile else "",
        family=request.family,
    )
    await timers.schedule(uow.session, tenant_id, AUDIT_TIMER, alert.id, now + AUDIT_EVERY)
    return alert


async def start_step(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    alert: Alert,
    step: int,
    reason: str,
    *,
    elder_phone: str | None = None,
    family: tuple[FamilyContact, ...] | None = None,
) -> int:
    """Asks the step's people (alert.step_started_at is the step's start) and sets the timer
    for the next; how many were asked. elder_phone and family: the person's own phone and
    family contacts when the caller has them already (else they are looked up)."""
    tenant_id = uow_tenant(uow)
    policy = AlertPolicy.from_json(alert.policy)
    asked = await step_people(ctx, uow, alert, step, policy, family=family)
    now = ctx.clock()
    repo = AlertsRepository(uow.session, tenant_id)
    await repo.add_responders(
        alert.id,
        [Responder(a.responder, a.person_id, a.name, a.phone, a.role, step, now) for a in asked],
    )
    event_type = "alert.raised" if step == 0 and reason == "raised" else "alert.reminder"
    await send_to(
        ctx,
        uow,
        alert,
        asked,
        event_type,
        f"{step}@{alert.step_started_at.isoformat()}",
        elder_phone=elder_phone,
    )
    await repo.note(alert.id, now, "step_started", step, reason=reason, asked=len(asked))
    started = events_pb2.AlertStepStarted(
        alert_id=str(alert.id), step=step, reason=reason, recipients=len(asked)
    )
    started.started_at.FromDatetime(alert.step_started_at)
    uow.add_event(notification_event(tenant_id, alert.id, started))
    due = policy.next_due(step, alert.step_started_at)
    await timers.schedule(uow.session, tenant_id, STEP_TIMER, alert.id, due)
    return len(asked)


async def send_to(
    ctx: NotificationsContext,
    uow: UnitOfWork,
    alert: Alert,
    asked: list[Asked],
    event_type: str,
    round_key: str,
    *,
    elder_phone: str | None = None,
) -> int:
    """The alert's message to each person asked, on their alert channels (which nobody can
    switch off), and to family contacts by phone; once per round (a repeated round adds none)."""
    tenant_id = uow_tenant(uow)
    directory = DirectoryRepository(uow.session, tenant_id)
    district = await district_of(ctx, directory)
    if elder_phone is None:
        profile = await CareRepository(uow.session, tenant_id).profile(alert.person_id)
        elder_phone = profile.phone if profile else ""
    people = [a.person_id for a in asked if a.person_id is not None]
    stored = await PreferencesRepository(uow.session, tenant_id).of(people)
    variables = {
        "person_name": alert.person_name,
        "address": alert.address,
        "phone": elder_phone,
        "alert_id": str(alert.id),
    }
    notice = Notice(
        event_id=uuid.uuid5(_ROUNDS, f"{alert.id}/{round_key}"),
        tenant_id=tenant_id,
        event_type=event_type,
        variables=variables,
        to=(),
        link=f"/alerts/{alert.id}",
    )
    now = ctx.clock()
    label = DRILL_LABEL.get(district.locale, DRILL_LABEL["en"]) if alert.drill else ""
    plan = MessagePlan(ctx, uow, notice, district, now, alert_id=alert.id, label=label)
    for one in asked:
        named = variables | {"recipient_name": one.name}
        if one.person_id is not None:
            prefs = preferences_of(stored.get(one.person_id), district)
            for channel in prefs.channels_for(Category.ALERTS):
                # The phone identity just gave: the dispatcher need not ask again.
                phoned = channel in (Channel.SMS, Channel.VOICE) and one.phone
                await plan.message(
                    one.responder,
                    one.person_id,
                    channel,
                    prefs.locale,
                    named,
                    None,
                    address=one.phone if phoned else None,
                    timezone=prefs.timezone,
                )
        else:
            for channel in one.channels:
                await plan.message(
                    one.responder, None, channel, district.locale, named, None, address=one.phone
                )
    return await plan.commit_rows()


def alert_message(tenant_id: UUID, alert: Alert) -> pb.Alert:
    message = pb.Alert(
        id=str(alert.id),
        tenant_id=str(tenant_id),
        person_id=str(alert.person_id),
        device_id=alert.device_id,
        source=alert.source,
        status=alert.status,
        step=alert.step,
        drill=alert.drill,
        acknowledged_by=alert.acknowledged_by or "",
        outcome=alert.outcome or "",
        grid_id=str(alert.grid_id or ""),
        address=alert.address,
        person_name=alert.person_name,
    )
    if alert.lat is not None and alert.lon is not None:
        message.location.lat, message.location.lon = alert.lat, alert.lon
    _stamp(message.raised_at, alert.raised_at)
    _stamp(message.acknowledged_at, alert.acknowledged_at)
    _stamp(message.on_site_at, alert.on_site_at)
    _stamp(message.resolved_at, alert.resolved_at)
    return message


def _stamp(field: object, moment: datetime | None) -> None:
    if moment is not None:
        field.FromDatetime(moment)  # type: ignore[attr-defined]


def _policy_pb(policy: AlertPolicy) -> pb.AlertPolicy:
    return pb.AlertPolicy(
        step1_after_seconds=policy.step1_after_seconds,
        step2_after_seconds=policy.step2_after_seconds,
        on_site_within_seconds=policy.on_site_within_seconds,
        volunteers_asked=policy.volunteers_asked,
    )
