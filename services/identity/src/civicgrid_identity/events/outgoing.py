"""Identity's domain events as CloudEvents on civicgrid.identity.v1, keyed by aggregate id."""

from __future__ import annotations

from uuid import UUID

from google.protobuf.message import Message

from civicgrid.identity.v1 import events_pb2
from civicgrid_platform.events.cloudevents import OutgoingEvent

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


def identity_event(tenant_id: UUID, aggregate_id: UUID | str, message: Message) -> OutgoingEvent:
    return OutgoingEvent(
        type=f"{TOPIC}.{_TYPES[type(message)]}",
        source=SOURCE,
        tenant_id=tenant_id,
        key=str(aggregate_id),
        topic=TOPIC,
        message=message,
        subject=str(aggregate_id),
    )
