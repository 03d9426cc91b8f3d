"""Notifications' domain events as CloudEvents on civicgrid.notifications.v1, keyed by alert id."""

from __future__ import annotations

from google.protobuf.message import Message

from civicgrid.notifications.v1 import events_pb2
from civicgrid_platform.events.factory import EventFactory
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.settings import PlatformSettings

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


def topic_specs(settings: PlatformSettings) -> list[TopicSpec]:
    """The topics notifications owns (each gets a `.dlq`): what its relay provisions at start-up
    and what `civicgrid-notifications topics` creates."""
    return [TopicSpec(TOPIC, partitions=settings.kafka_topic_partitions)]
