"""Identity's domain events as CloudEvents on civicgrid.identity.v1, keyed by aggregate id."""

from __future__ import annotations

from google.protobuf.message import Message

from civicgrid.identity.v1 import events_pb2
from civicgrid_platform.events.factory import EventFactory

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
