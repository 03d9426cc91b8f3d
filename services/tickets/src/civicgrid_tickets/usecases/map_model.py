"""Keeping tickets' copy of the map and of who holds which role where, from the owners' events,
so intake routes a report with the grid registry and identity both down."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import shapely

from civicgrid.grid.v1 import grid_service_pb2 as grid_pb
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput, parse_uuid
from civicgrid_tickets.db.jurisdictions_repo import remember_jurisdiction
from civicgrid_tickets.db.map_repo import MapDepartment, MapRepository, MapUnit

_KINDS = {
    grid_pb.UNIT_KIND_DISTRICT: "district",
    grid_pb.UNIT_KIND_STREET: "street",
    grid_pb.UNIT_KIND_COMMUNITY: "community",
    grid_pb.UNIT_KIND_COMPOUND: "compound",
    grid_pb.UNIT_KIND_GRID: "grid",
    grid_pb.UNIT_KIND_BUILDING: "building",
    grid_pb.UNIT_KIND_UNIT: "unit",
    grid_pb.UNIT_KIND_HOUSEHOLD: "household",
}
# Only what routing needs: the areal tiers (a report lands in a grid and climbs through these).
_KEPT = frozenset({"district", "street", "community", "grid"})


def kind_name(kind: int) -> str | None:
    """The registry's unit kind as tickets name it; None for one it does not know."""
    return _KINDS.get(kind)  # type: ignore[call-overload]


async def remember_unit(
    uow: UnitOfWork, tenant_id: UUID, unit: grid_pb.Unit, ancestor_ids: list[str]
) -> None:
    kind = kind_name(unit.kind)
    if kind is None:
        raise InvalidInput(f"unknown unit kind {unit.kind}", field="unit.kind")
    if kind not in _KEPT:
        return
    wkb = bbox = None
    if kind == "grid" and unit.geometry_geojson:
        try:
            shape = shapely.from_geojson(unit.geometry_geojson)
        except shapely.errors.GEOSException as exc:
            raise InvalidInput(f"unreadable geometry: {exc}", field="unit.geometry") from None
        wkb = shapely.to_wkb(shape)
        xmin, ymin, xmax, ymax = shape.bounds
        bbox = asyncpg.Box((xmax, ymax), (xmin, ymin))
    record = MapUnit(
        id=parse_uuid(unit.id, "unit.id"),
        kind=kind,
        code=unit.code,
        name=unit.name,
        parent_id=parse_uuid(unit.parent_id, "unit.parent_id") if unit.parent_id else None,
        ancestor_ids=[parse_uuid(a, "ancestor_ids") for a in ancestor_ids],
    )
    await MapRepository(uow.session, tenant_id).upsert_unit(record, unit.version, wkb, bbox)


async def forget_unit(uow: UnitOfWork, tenant_id: UUID, unit_id: str) -> None:
    await MapRepository(uow.session, tenant_id).retire_unit(parse_uuid(unit_id, "unit_id"))


async def remember_department(
    uow: UnitOfWork, tenant_id: UUID, department: grid_pb.Department, deleted: bool
) -> None:
    record = MapDepartment(
        id=parse_uuid(department.id, "department.id"),
        name=department.name,
        categories=list(department.categories),
        jurisdiction_unit_ids=[
            parse_uuid(u, "department.jurisdiction_unit_ids")
            for u in department.jurisdiction_unit_ids
        ],
    )
    await MapRepository(uow.session, tenant_id).upsert_department(record, deleted)


async def remember_binding(
    uow: UnitOfWork, tenant_id: UUID, binding_id: str, person_id: str, role: str, unit_id: str
) -> None:
    await MapRepository(uow.session, tenant_id).grant(
        binding_id,
        parse_uuid(person_id, "person_id"),
        role,
        parse_uuid(unit_id, "binding.unit_id") if unit_id else None,
    )


async def forget_binding(uow: UnitOfWork, tenant_id: UUID, binding_id: str) -> None:
    await MapRepository(uow.session, tenant_id).revoke(binding_id)


async def remember_district(uow: UnitOfWork, tenant_id: UUID, slug: str, name: str) -> None:
    if not slug:
        raise InvalidInput("a district needs its slug", field="slug")
    await remember_jurisdiction(uow.session, tenant_id, slug, name)
