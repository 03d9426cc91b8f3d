"""Unit records as contract messages (shared by the events and the gRPC answers)."""

from __future__ import annotations

import json

from google.protobuf import struct_pb2

from civicgrid.grid.v1 import grid_service_pb2 as pb
from civicgrid_grid.domain.records import UnitRecord

KIND_TO_PB = {
    "district": pb.UNIT_KIND_DISTRICT,
    "street": pb.UNIT_KIND_STREET,
    "community": pb.UNIT_KIND_COMMUNITY,
    "compound": pb.UNIT_KIND_COMPOUND,
    "grid": pb.UNIT_KIND_GRID,
    "building": pb.UNIT_KIND_BUILDING,
    "unit": pb.UNIT_KIND_UNIT,
    "household": pb.UNIT_KIND_HOUSEHOLD,
}
PB_TO_KIND: dict[int, str] = {v: k for k, v in KIND_TO_PB.items()}


def unit_message(record: UnitRecord, *, with_geometry: bool = True) -> pb.Unit:
    attributes = struct_pb2.Struct()
    attributes.update(record.attributes or {})
    message = pb.Unit(
        id=str(record.id),
        tenant_id=str(record.tenant_id),
        kind=KIND_TO_PB[record.kind],
        code=record.code,
        name=record.name,
        parent_id=str(record.parent_id or ""),
        address=record.address or "",
        attributes=attributes,
        geometry_geojson=json.dumps(record.geometry) if with_geometry and record.geometry else "",
        version=record.version,
    )
    message.valid_from.FromDatetime(record.valid_from)
    if record.valid_to is not None:
        message.valid_to.FromDatetime(record.valid_to)
    return message
