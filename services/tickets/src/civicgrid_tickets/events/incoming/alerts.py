"""Notifications' emergency-alert events: alert.raised opens a P0 ticket, the rest move it or
note on its timeline. The handlers need the tickets context (rules, clock), so bootstrap binds
them to it. A payload that cannot be read (InvalidEvent) or names nothing usable (InvalidInput)
is dead-lettered by the consumer like any other."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from functools import partial

from google.protobuf.timestamp_pb2 import Timestamp

from civicgrid.notifications.v1 import events_pb2 as alert_events
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput, parse_uuid
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_platform.events.handling import Handler
from civicgrid_tickets.domain import alerts
from civicgrid_tickets.usecases.alert_following import follow_alert
from civicgrid_tickets.usecases.alert_intake import open_alert_ticket
from civicgrid_tickets.usecases.context import TicketsContext

NOTIFICATIONS_TOPIC = "civicgrid.notifications.v1"

ContextHandler = Callable[[TicketsContext, IncomingEvent, UnitOfWork], Awaitable[None]]


def _moment(ctx: TicketsContext, event: IncomingEvent, stamp: Timestamp | None) -> datetime:
    """When it happened by the alert chain's account; else when the event was sent; else now."""
    if stamp is not None and (stamp.seconds or stamp.nanos):
        return stamp.ToDatetime(tzinfo=UTC)
    return event.time or ctx.clock()


async def on_alert_raised(ctx: TicketsContext, event: IncomingEvent, uow: UnitOfWork) -> None:
    message = event.decode(alert_events.AlertRaised)
    alert = message.alert
    if alert.tenant_id and alert.tenant_id != str(event.tenant_id):
        # The tenant extension decides where the ticket lands; a payload that disagrees is
        # a producer's bug, not a reason to open a ticket in either district.
        raise InvalidInput("the alert's tenant is not the event's", field="alert.tenant_id")
    raised = alerts.RaisedAlert(
        id=parse_uuid(alert.id, "alert.id"),
        person_id=parse_uuid(alert.person_id, "alert.person_id"),
        source=alert.source,
        drill=alert.drill,
        grid_id=parse_uuid(alert.grid_id, "alert.grid_id") if alert.grid_id else None,
        address=alert.address,
        raised_at=_moment(ctx, event, alert.raised_at if alert.HasField("raised_at") else None),
        person_name=alert.person_name,
        lat=alert.location.lat if alert.HasField("location") else None,
        lon=alert.location.lon if alert.HasField("location") else None,
    )
    await open_alert_ticket(ctx, uow, event.tenant_id, raised)


async def on_alert_step_started(ctx: TicketsContext, event: IncomingEvent, uow: UnitOfWork) -> None:
    m = event.decode(alert_events.AlertStepStarted)
    at = _moment(ctx, event, m.started_at)
    fact = alerts.step_started(m.step, m.reason, m.recipients, at)
    await follow_alert(ctx, uow, event.tenant_id, parse_uuid(m.alert_id, "alert_id"), fact)


async def on_alert_escalated(ctx: TicketsContext, event: IncomingEvent, uow: UnitOfWork) -> None:
    m = event.decode(alert_events.AlertEscalated)
    fact = alerts.escalated(m.from_step, m.to_step, m.reason, _moment(ctx, event, None))
    await follow_alert(ctx, uow, event.tenant_id, parse_uuid(m.alert_id, "alert_id"), fact)


async def on_alert_acknowledged(ctx: TicketsContext, event: IncomingEvent, uow: UnitOfWork) -> None:
    m = event.decode(alert_events.AlertAcknowledged)
    fact = alerts.acknowledged(m.responder, m.responder_name, m.via, _moment(ctx, event, m.at))
    await follow_alert(ctx, uow, event.tenant_id, parse_uuid(m.alert_id, "alert_id"), fact)


async def on_alert_on_site(ctx: TicketsContext, event: IncomingEvent, uow: UnitOfWork) -> None:
    m = event.decode(alert_events.AlertOnSite)
    fact = alerts.on_site(m.responder, _moment(ctx, event, m.at))
    await follow_alert(ctx, uow, event.tenant_id, parse_uuid(m.alert_id, "alert_id"), fact)


async def on_alert_resolved(ctx: TicketsContext, event: IncomingEvent, uow: UnitOfWork) -> None:
    m = event.decode(alert_events.AlertResolved)
    fact = alerts.resolved(m.outcome, m.note, m.resolved_by, _moment(ctx, event, m.at))
    await follow_alert(ctx, uow, event.tenant_id, parse_uuid(m.alert_id, "alert_id"), fact)


_HANDLERS: Mapping[str, ContextHandler] = {
    f"{NOTIFICATIONS_TOPIC}.alert.raised": on_alert_raised,
    f"{NOTIFICATIONS_TOPIC}.alert.step_started": on_alert_step_started,
    f"{NOTIFICATIONS_TOPIC}.alert.escalated": on_alert_escalated,
    f"{NOTIFICATIONS_TOPIC}.alert.acknowledged": on_alert_acknowledged,
    f"{NOTIFICATIONS_TOPIC}.alert.on_site": on_alert_on_site,
    f"{NOTIFICATIONS_TOPIC}.alert.resolved": on_alert_resolved,
}


def alert_handlers(ctx: TicketsContext) -> dict[str, Handler]:
    """The alert handlers bound to `ctx` (delivery.failed on the same topic is not ours)."""
    return {kind: partial(handler, ctx) for kind, handler in _HANDLERS.items()}
