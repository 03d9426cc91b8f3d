"""Departments: who handles which categories where; and routing a category at a unit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from civicgrid.grid.v1 import events_pb2
from civicgrid.grid.v1 import grid_service_pb2 as pb
from civicgrid_grid.db.departments_repo import DepartmentRecord, DepartmentsRepository
from civicgrid_grid.db.units_repo import UnitsRepository
from civicgrid_grid.domain.routing import rank_by_jurisdiction
from civicgrid_grid.events.outgoing import grid_event
from civicgrid_grid.usecases.context import GridContext, require_editor
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class DepartmentInput:
    name: str
    contact: str
    categories: list[str]
    jurisdiction_unit_ids: list[UUID]


def department_message(record: DepartmentRecord) -> pb.Department:
    return pb.Department(
        id=str(record.id),
        tenant_id=str(record.tenant_id),
        name=record.name,
        contact=record.contact,
        jurisdiction_unit_ids=[str(u) for u in record.jurisdiction_unit_ids],
        categories=record.categories,
    )


async def _checked(uow: UnitOfWork, tenant_id: UUID, data: DepartmentInput) -> dict[str, object]:
    if not data.categories:
        raise InvalidInput("a department handles at least one category", field="categories")
    found = await UnitsRepository(uow.session, tenant_id).get_many(data.jurisdiction_unit_ids)
    for i, unit_id in enumerate(data.jurisdiction_unit_ids):
        if unit_id not in found:
            raise InvalidInput("no such unit in this district", field=f"jurisdiction_unit_ids.{i}")
    return {
        "name": data.name,
        "contact": data.contact,
        "categories": sorted(set(data.categories)),
        "jurisdiction_unit_ids": list(dict.fromkeys(data.jurisdiction_unit_ids)),
    }


def _changed(uow: UnitOfWork, record: DepartmentRecord, *, deleted: bool = False) -> None:
    uow.add_event(
        grid_event(
            record.tenant_id,
            record.id,
            events_pb2.DepartmentChanged(department=department_message(record), deleted=deleted),
        )
    )


async def create_department(
    ctx: GridContext, actor: Principal, data: DepartmentInput
) -> DepartmentRecord:
    require_editor(actor)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        record = await DepartmentsRepository(uow.session, tenant_id).add(
            **await _checked(uow, tenant_id, data)
        )
        _changed(uow, record)
        await uow.commit()
    return record


async def update_department(
    ctx: GridContext, actor: Principal, department_id: UUID, data: DepartmentInput
) -> DepartmentRecord:
    require_editor(actor)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = DepartmentsRepository(uow.session, tenant_id)
        if await repo.get(department_id) is None:
            raise NotFound("no such department")
        record = await repo.update(department_id, **await _checked(uow, tenant_id, data))
        _changed(uow, record)
        await uow.commit()
    return record


async def delete_department(ctx: GridContext, actor: Principal, department_id: UUID) -> None:
    require_editor(actor)
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = DepartmentsRepository(uow.session, tenant_id)
        record = await repo.get(department_id)
        if record is None:
            raise NotFound("no such department")
        await repo.delete(department_id)
        _changed(uow, record, deleted=True)
        await uow.commit()


async def get_department(
    ctx: GridContext, actor: Principal, department_id: UUID
) -> DepartmentRecord:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        record = await DepartmentsRepository(uow.session, tenant_id).get(department_id)
    if record is None:
        raise NotFound("no such department")
    return record


async def list_departments(
    ctx: GridContext, actor: Principal, *, after_name: str | None, limit: int
) -> list[DepartmentRecord]:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        return await DepartmentsRepository(uow.session, tenant_id).page(
            after_name=after_name, limit=limit
        )


async def route_category(
    ctx: GridContext, actor: Principal, category: str, unit_id: UUID
) -> list[DepartmentRecord]:
    """Departments responsible for `category` at `unit_id`, nearest jurisdiction first."""
    if not category.strip():
        raise InvalidInput("must not be empty", field="category")
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        unit = await UnitsRepository(uow.session, tenant_id).get(unit_id)
        if unit is None:
            raise NotFound("no such unit", field="unit_id")
        candidates = await DepartmentsRepository(uow.session, tenant_id).handling(category)
    return rank_by_jurisdiction(candidates, unit.id, unit.ancestor_ids)
