"""Notifications' emergency-alert events as tickets' consumer reads them, for the alert tests:
built as the notifications service publishes them, read back through the CloudEvents headers,
and handed to tickets' handlers the way the consumer does (one transaction each)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from google.protobuf.message import Message

from civicgrid.notifications.v1 import events_pb2 as alert_events
from civicgrid.notifications.v1 import notifications_service_pb2 as alert_pb
from civicgrid_platform.events.cloudevents import IncomingEvent, OutgoingEvent
from civicgrid_tickets.events.incoming import handlers
from civicgrid_tickets.events.incoming.alerts import NOTIFICATIONS_TOPIC
from civicgrid_tickets.usecases.context import TicketsContext
from services.tickets.tests.tickets_support import MONDAY_9, District

SOURCE = "/civicgrid/notifications"


def alert_event(
    tenant: str | uuid.UUID, kind: str, alert_id: str, message: Message
) -> OutgoingEvent:
    """`kind` (alert.raised, ...) as notifications publishes it: keyed by the alert id."""
    return OutgoingEvent(
        type=f"{NOTIFICATIONS_TOPIC}.{kind}",
        source=SOURCE,
        tenant_id=uuid.UUID(str(tenant)),
        key=alert_id,
        topic=NOTIFICATIONS_TOPIC,
        message=message,
    )


@dataclass(frozen=True)
class _Record:
    """A consumed Kafka record (what IncomingEvent.from_record reads)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def incoming(event: OutgoingEvent) -> IncomingEvent:
    """The event as the consumer reads it off the topic: through its headers."""
    return IncomingEvent.from_record(
        _Record(
            event.topic,
            0,
            0,
            event.key.encode(),
            event.message.SerializeToString(),
            [(k, v.encode()) for k, v in event.headers().items()],
        )
    )


async def deliver(ctx: TicketsContext, *events: OutgoingEvent) -> None:
    """Each event to its handler in a transaction of its own, as the consumer applies it."""
    every = handlers(ctx)
    for event in events:
        read = incoming(event)
        async with ctx.uow(tenant_id=read.tenant_id) as uow:
            await every[read.type](read, uow)
            await uow.commit()


@dataclass
class AlertChain:
    """One alert of a district's resident and the events its chain publishes."""

    district: District
    grid: int | None = 0  # which of the district's grids the person lives in; None: no grid
    grid_id: str | None = None  # a grid id of the test's own (one the map does not hold)
    person: str = field(default_factory=lambda: str(uuid.uuid4()))
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    raised_at: datetime = MONDAY_9

    def _at(self, minutes: float, message: Any, name: str = "at") -> Any:
        getattr(message, name).FromDatetime(self.raised_at + timedelta(minutes=minutes))
        return message

    def _event(self, kind: str, message: Message) -> OutgoingEvent:
        return alert_event(self.district.tenant, kind, self.id, message)

    def raised(
        self, *, source: str = "device", drill: bool = False, address: str = "", **alert: Any
    ) -> OutgoingEvent:
        grid = self.grid_id or (
            str(self.district.grids[self.grid]) if self.grid is not None else ""
        )
        fields: dict[str, Any] = {
            "id": self.id,
            "tenant_id": self.district.tenant,
            "person_id": self.person,
            "device_id": "button-1",
            "source": source,
            "status": "raised",
            "drill": drill,
            "grid_id": grid,
            "address": address,
        }
        message = alert_pb.Alert(**(fields | alert))  # `alert` overrides, e.g. a bad person_id
        message.raised_at.FromDatetime(self.raised_at)
        policy = alert_pb.AlertPolicy(step1_after_seconds=120, step2_after_seconds=300)
        return self._event("alert.raised", alert_events.AlertRaised(alert=message, policy=policy))

    def step_started(
        self, minutes: float, step: int, reason: str, recipients: int
    ) -> OutgoingEvent:
        message = alert_events.AlertStepStarted(
            alert_id=self.id, step=step, reason=reason, recipients=recipients
        )
        return self._event("alert.step_started", self._at(minutes, message, "started_at"))

    def escalated(self, from_step: int, to_step: int) -> OutgoingEvent:
        message = alert_events.AlertEscalated(
            alert_id=self.id, from_step=from_step, to_step=to_step, reason="no_acknowledgement"
        )
        return self._event("alert.escalated", message)

    def acknowledged(self, minutes: float, name: str = "王芳", via: str = "sms") -> OutgoingEvent:
        responder = f"contact:{uuid.uuid4()}"
        message = alert_events.AlertAcknowledged(
            alert_id=self.id, responder=responder, responder_name=name, via=via
        )
        return self._event("alert.acknowledged", self._at(minutes, message))

    def on_site(self, minutes: float) -> OutgoingEvent:
        message = alert_events.AlertOnSite(alert_id=self.id, responder="王芳")
        return self._event("alert.on_site", self._at(minutes, message))

    def resolved(self, minutes: float, outcome: str, note: str = "") -> OutgoingEvent:
        message = alert_events.AlertResolved(
            alert_id=self.id, outcome=outcome, note=note, resolved_by="王芳"
        )
        return self._event("alert.resolved", self._at(minutes, message))
