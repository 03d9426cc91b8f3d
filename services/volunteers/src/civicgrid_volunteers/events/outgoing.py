"""Volunteers' domain events as CloudEvents on civicgrid.volunteers.v1, keyed by aggregate id."""

from __future__ import annotations

from google.protobuf.message import Message

from civicgrid.volunteers.v1 import events_pb2
from civicgrid_platform.events.factory import EventFactory
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.settings import PlatformSettings

TOPIC = "civicgrid.volunteers.v1"
SOURCE = "/civicgrid/volunteers"

_TYPES: dict[type[Message], str] = {
    events_pb2.VolunteerRegistered: "volunteer.registered",
    events_pb2.TaskCreated: "task.created",
    events_pb2.TaskCancelled: "task.cancelled",
    events_pb2.TaskReminder: "task.reminder",
    events_pb2.OfferMade: "offer.made",
    events_pb2.OfferAccepted: "offer.accepted",
    events_pb2.OfferDeclined: "offer.declined",
    events_pb2.OfferExpired: "offer.expired",
    events_pb2.TaskFilled: "task.filled",
    events_pb2.TaskCompleted: "task.completed",
    events_pb2.HoursLogged: "hours.logged",
    events_pb2.NoShowRecorded: "no_show.recorded",
    events_pb2.RatingPublished: "rating.published",
    events_pb2.LoanCreated: "loan.created",
    events_pb2.LoanDueSoon: "loan.due_soon",
    events_pb2.LoanOverdue: "loan.overdue",
    events_pb2.LoanReturned: "loan.returned",
    events_pb2.HoldReady: "hold.ready",
}

volunteer_event = EventFactory(TOPIC, SOURCE, _TYPES)


def topic_specs(settings: PlatformSettings) -> list[TopicSpec]:
    """The topics volunteers owns (each gets a `.dlq`): what its relay provisions at start-up and
    what `civicgrid-volunteers topics` creates."""
    return [TopicSpec(TOPIC, partitions=settings.kafka_topic_partitions)]
