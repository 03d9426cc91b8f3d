"""Tickets' domain events as CloudEvents on civicgrid.tickets.v1, keyed by aggregate id."""

from __future__ import annotations

from google.protobuf.message import Message

from civicgrid.tickets.v1 import events_pb2
from civicgrid_platform.events.factory import EventFactory
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.settings import PlatformSettings

TOPIC = "civicgrid.tickets.v1"
SOURCE = "/civicgrid/tickets"

_TYPES: dict[type[Message], str] = {
    events_pb2.TicketCreated: "ticket.created",
    events_pb2.TicketRouted: "ticket.routed",
    events_pb2.TicketAssigned: "ticket.assigned",
    events_pb2.TicketStatusChanged: "ticket.status_changed",
    events_pb2.TicketTransferred: "ticket.transferred",
    events_pb2.TicketEscalated: "ticket.escalated",
    events_pb2.TicketSlaWarning: "ticket.sla_warning",
    events_pb2.TicketSlaBreached: "ticket.sla_breached",
    events_pb2.TicketCommented: "ticket.commented",
    events_pb2.TicketRated: "ticket.rated",
    events_pb2.TicketMerged: "ticket.merged",
    events_pb2.MeetingScheduled: "meeting.scheduled",
    events_pb2.CommitmentMade: "commitment.made",
    events_pb2.CommitmentOverdue: "commitment.overdue",
    events_pb2.EvaluationPublished: "evaluation.published",
    events_pb2.RulesPublished: "rules.published",
}

ticket_event = EventFactory(TOPIC, SOURCE, _TYPES)


def topic_specs(settings: PlatformSettings) -> list[TopicSpec]:
    """The topics tickets owns (each gets a `.dlq`): what its relay provisions at start-up and
    what `civicgrid-tickets topics` creates."""
    return [TopicSpec(TOPIC, partitions=settings.kafka_topic_partitions)]
