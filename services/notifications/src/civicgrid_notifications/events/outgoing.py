"""Notifications' domain events as CloudEvents on civicgrid.notifications.v1, keyed by alert id."""

from __future__ import annotations

from google.protobuf.message import Message

from civicgrid.notifications.v1 import events_pb2
from civicgrid_platform.events.factory import EventFactory

TOPIC = "civicgrid.notifications.v1"
SOURCE = "/civicgrid/notifications"

_TYPES: dict[type[Message], str] = {
    events_pb2.AlertRaised: "alert.raised",
    events_pb2.AlertStepStarted: "alert.step_started",
    events_pb2.AlertEscalated: "alert.escalated",
    events_pb2.AlertAcknowledged: "alert.acknowledged",
    events_pb2.AlertOnSite: "alert.on_site",
    events_pb2.AlertResolved: "alert.resolved",
    events_pb2.DeliveryFailed: "delivery.failed",
}

notification_event = EventFactory(TOPIC, SOURCE, _TYPES)
