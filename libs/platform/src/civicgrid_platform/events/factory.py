"""One service's events: its topic, its source, and the CloudEvents type of each payload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from google.protobuf.message import Message

from civicgrid_platform.events.cloudevents import OutgoingEvent


@dataclass(frozen=True)
class EventFactory:
    """Builds OutgoingEvents typed `<topic>.<name>`, keyed by aggregate id so one aggregate's
    events stay in order on one partition."""

    topic: str
    source: str
    names: Mapping[type[Message], str]  # payload type -> event name, e.g. "person.registered"

    def __call__(
        self, tenant_id: UUID, aggregate_id: UUID | str, message: Message
    ) -> OutgoingEvent:
        return OutgoingEvent(
            type=f"{self.topic}.{self.names[type(message)]}",
            source=self.source,
            tenant_id=tenant_id,
            key=str(aggregate_id),
            topic=self.topic,
            message=message,
            subject=str(aggregate_id),
        )
