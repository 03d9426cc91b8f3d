"""Identity's domain events as CloudEvents on civicgrid.identity.v1, keyed by aggregate id."""

from __future__ import annotations

from google.protobuf.message import Message

from civicgrid.identity.v1 import events_pb2
from civicgrid.identity.v1 import identity_service_pb2 as pb
from civicgrid_identity.domain.model import PartyCategory
from civicgrid_platform.events.factory import EventFactory
from civicgrid_platform.events.topics import TopicSpec
from civicgrid_platform.settings import PlatformSettings

TOPIC = "civicgrid.identity.v1"
SOURCE = "/civicgrid/identity"

_TYPES: dict[type[Message], str] = {
    events_pb2.TenantCreated: "tenant.created",
    events_pb2.PersonRegistered: "person.registered",
    events_pb2.PersonUpdated: "person.updated",
    events_pb2.RoleGranted: "role.granted",
    events_pb2.RoleRevoked: "role.revoked",
    events_pb2.DeviceBound: "device.bound",
}


identity_event = EventFactory(TOPIC, SOURCE, _TYPES)


_PARTY: dict[str, pb.PartyCategory] = {
    c.value: getattr(pb, f"PARTY_CATEGORY_{c.name}") for c in PartyCategory
}


def party_category_pb(category: str | None) -> pb.PartyCategory:
    """A person's party category as the contracts carry it (unspecified when none)."""
    return _PARTY.get(category or "", pb.PARTY_CATEGORY_UNSPECIFIED)


def topic_specs(settings: PlatformSettings) -> list[TopicSpec]:
    """The topics identity owns (each gets a `.dlq`): what its relay provisions at start-up and
    what `civicgrid-identity topics` creates."""
    return [TopicSpec(TOPIC, partitions=settings.kafka_topic_partitions)]
