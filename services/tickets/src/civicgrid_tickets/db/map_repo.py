"""The grid registry's map as tickets keep it (from grid events): units, grids' polygons by
bounding box, departments and their jurisdictions. Always within one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_tickets.db.tables import map_departments, map_units, role_holders


@dataclass(frozen=True, slots=True)
class MapUnit:
    id: UUID
    kind: str
    code: str
    name: str
    parent_id: UUID | None
    ancestor_ids: list[UUID]


@dataclass(frozen=True, slots=True)
class GridShape:
    """A grid a point may lie in or near, with the chain above it (kind -> unit id, of the
    ancestors tickets' copy of the map holds)."""

    id: UUID
    code: str
    geometry_wkb: bytes
    ancestor_ids: list[UUID]
    chain: dict[str, UUID]


@dataclass(frozen=True, slots=True)
class MapDepartment:
    id: UUID
    name: str
    categories: list[str]
    jurisdiction_unit_ids: list[UUID]


class MapRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def upsert_unit(
        self, unit: MapUnit, version: int, geometry_wkb: bytes | None, bbox: asyncpg.Box | None
    ) -> None:
        values = {
            "tenant_id": self.tenant_id,
            "kind": unit.kind,
            "code": unit.code,
            "name": unit.name,
            "parent_id": unit.parent_id,
            "ancestor_ids": unit.ancestor_ids,
            "version": version,
            "geometry_wkb": geometry_wkb,
            "bbox": bbox,
            "retired": 0,
        }
        statement = insert(map_units).values(id=unit.id, **values)
        # Events of one unit arrive in order, but a replay must not put an older version back.
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[map_units.c.id],
                set_=values,
                where=map_units.c.version <= statement.excluded.version,
            )
        )

    async def retire_unit(self, unit_id: UUID) -> None:
        await self.session.execute(
            update(map_units)
            .where(map_units.c.tenant_id == self.tenant_id, map_units.c.id == unit_id)
            .values(retired=1)
        )

    async def units(self, unit_ids: Sequence[UUID]) -> dict[UUID, MapUnit]:
        if not unit_ids:
            return {}
        query = select(
            map_units.c.id,
            map_units.c.kind,
            map_units.c.code,
            map_units.c.name,
            map_units.c.parent_id,
            map_units.c.ancestor_ids,
        ).where(map_units.c.tenant_id == self.tenant_id, map_units.c.id.in_(list(unit_ids)))
        return {r.id: MapUnit(*r) for r in await self.session.execute(query)}

    async def upsert_department(self, department: MapDepartment, deleted: bool) -> None:
        values = {
            "tenant_id": self.tenant_id,
            "name": department.name,
            "contact": "",
            "categories": department.categories,
            "jurisdiction_unit_ids": department.jurisdiction_unit_ids,
            "deleted": int(deleted),
        }
        statement = insert(map_departments).values(id=department.id, **values)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=[map_departments.c.id], set_=values)
        )

    async def grant(
        self, binding_id: str, person_id: UUID, role: str, unit_id: UUID | None
    ) -> None:
        values = {
            "tenant_id": self.tenant_id,
            "person_id": person_id,
            "role": role,
            "unit_id": unit_id,
        }
        statement = insert(role_holders).values(binding_id=binding_id, **values)
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=[role_holders.c.binding_id], set_=values)
        )

    async def revoke(self, binding_id: str) -> None:
        await self.session.execute(
            role_holders.delete().where(
                role_holders.c.tenant_id == self.tenant_id,
                role_holders.c.binding_id == binding_id,
            )
        )
