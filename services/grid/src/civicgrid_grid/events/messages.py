"""Unit records as contract messages (shared by the events and the gRPC answers)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from google.protobuf import timestamp_pb2

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
    valid_from = timestamp_pb2.Timestamp()
    valid_from.FromDatetime(record.valid_from)
    message = new_unit_message(
        unit_id=str(record.id),
        tenant_id=str(record.tenant_id),
        kind=record.kind,
        code=record.code,
        name=record.name,
        parent_id=str(record.parent_id or ""),
        address=record.address,
        attributes=record.attributes,
        geometry_json=json.dumps(record.geometry) if with_geometry and record.geometry else "",
        version=record.version,
        valid_from=valid_from,
    )
    if record.valid_to is not None:
        message.valid_to.FromDatetime(record.valid_to)
    return message


def new_unit_message(
    *,
    unit_id: str,
    tenant_id: str,
    kind: str,
    code: str,
    name: str,
    parent_id: str,
    address: str | None,
    attributes: Mapping[str, Any] | None,
    geometry_json: str,
    version: int,
    valid_from: timestamp_pb2.Timestamp,
) -> pb.Unit:
    """The current version of a unit; an import builds 10^5 of these from what it wrote."""
    message = pb.Unit(
        id=unit_id,
        tenant_id=tenant_id,
        kind=KIND_TO_PB[kind],
        code=code,
        name=name,
        parent_id=parent_id,
        address=address or "",
        geometry_geojson=geometry_json,
        version=version,
        valid_from=valid_from,
    )
    if attributes:
        message.attributes.update(attributes)
    return message
