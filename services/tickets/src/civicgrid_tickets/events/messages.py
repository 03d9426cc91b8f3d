"""Ticket records as contract messages (shared by the events and the gRPC answers)."""

from __future__ import annotations

from google.protobuf import struct_pb2, timestamp_pb2

from civicgrid.common.v1 import common_pb2
from civicgrid.tickets.v1 import tickets_service_pb2 as pb
from civicgrid_tickets.domain.records import TicketRecord

CHANNEL_TO_PB = {
    "web": pb.CHANNEL_WEB,
    "hotline": pb.CHANNEL_HOTLINE,
    "patrol": pb.CHANNEL_PATROL,
    "elderly_alert": pb.CHANNEL_ELDERLY_ALERT,
    "open311": pb.CHANNEL_OPEN311,
}
PB_TO_CHANNEL = {v: k for k, v in CHANNEL_TO_PB.items()}


def _timestamp(value: object) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)  # type: ignore[arg-type]
    return stamp


def ticket_message(t: TicketRecord) -> pb.Ticket:
    attributes = struct_pb2.Struct()
    attributes.update(t.attributes or {})
    message = pb.Ticket(
        id=str(t.id),
        tenant_id=str(t.tenant_id),
        number=t.number,
        category=t.category,
        priority=t.priority,
        status=t.status,
        channel=CHANNEL_TO_PB.get(t.channel, pb.CHANNEL_UNSPECIFIED),
        description=t.description,
        address=t.address or "",
        grid_id=str(t.grid_id or ""),
        ancestor_ids=[str(a) for a in t.ancestor_ids],
        level=t.level,
        owner_unit_id=str(t.owner_unit_id or ""),
        owner_department_id=str(t.owner_department_id or ""),
        attributes=attributes,
        merged_into=str(t.merged_into or ""),
        boundary_neighbour_grid_id=str(t.boundary_neighbour_grid_id or ""),
        boundary_distance_m=t.boundary_distance_m or 0.0,
    )
    if t.lat is not None and t.lon is not None:
        message.location.CopyFrom(common_pb2.GeoPoint(lat=t.lat, lon=t.lon))
    for name in ("created_at", "updated_at", "acknowledge_due_at", "resolve_due_at"):
        stamp = _timestamp(getattr(t, name))
        if stamp is not None:
            getattr(message, name).CopyFrom(stamp)
    return message
