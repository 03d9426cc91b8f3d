"""Use-case results -> response bodies."""

from __future__ import annotations

from civicgrid_grid.api import schemas
from civicgrid_grid.db.departments_repo import DepartmentRecord
from civicgrid_grid.domain.records import UnitRecord


def unit(record: UnitRecord, *, with_geometry: bool = True) -> schemas.UnitRead:
    return schemas.UnitRead(
        id=record.id,
        kind=record.kind,
        code=record.code,
        name=record.name,
        parent_id=record.parent_id,
        address=record.address,
        attributes=record.attributes or {},
        geometry=record.geometry if with_geometry else None,
        version=record.version,
        valid_from=record.valid_from,
        valid_to=record.valid_to,
    )


def department(record: DepartmentRecord) -> schemas.DepartmentRead:
    return schemas.DepartmentRead(
        id=record.id,
        name=record.name,
        contact=record.contact,
        categories=record.categories,
        jurisdiction_unit_ids=record.jurisdiction_unit_ids,
    )
