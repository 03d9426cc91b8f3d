"""Units and their versions, always within one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from sqlalchemy import and_, any_, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_grid.db.tables import unit_versions, units
from civicgrid_grid.domain.records import UnitRecord
from civicgrid_platform.db.bulk import copy_rows, prefer_hash_joins
from civicgrid_platform.db.driver import driver_connection

_COLUMNS = (
    units.c.id,
    units.c.tenant_id,
    units.c.kind,
    units.c.code,
    unit_versions.c.parent_id,
    units.c.ancestor_ids,
    unit_versions.c.version,
    unit_versions.c.valid_from,
    unit_versions.c.valid_to,
    unit_versions.c.name,
    unit_versions.c.address,
    unit_versions.c.attributes,
    unit_versions.c.geometry,
    units.c.retired_at,
)


_SHAPES = (
    "SELECT u.id::text, u.kind, u.code, u.parent_id::text, v.geometry_wkb,"
    " CASE WHEN v.geometry_wkb IS NULL THEN v.geometry::text END"
    " FROM units u JOIN unit_versions v ON v.unit_id = u.id"
    " WHERE u.tenant_id = $1 AND v.valid_to IS NULL AND u.retired_at IS NULL"
    " AND u.kind = ANY($2::text[]) AND v.geometry IS NOT NULL"
)


def _any_of(ids: Sequence[UUID]) -> Any:
    """One array parameter (= ANY($1)) instead of an IN list that expands one parameter per id:
    an import touches tens of thousands of units at once."""
    return any_(bindparam(None, list(ids), type_=ARRAY(PG_UUID(as_uuid=True)), unique=True))


# NewVersion's fields in this order, with the tenant after the version.
_VERSION_COLUMNS = (
    "unit_id",
    "version",
    "tenant_id",
    "valid_from",
    "parent_id",
    "name",
    "address",
    "address_key",
    "attributes",
    "geometry",
    "geometry_wkb",
)


class UnitShape(NamedTuple):
    """Ids as text (what the index keys on). geometry_wkb, or for a version written before
    WKB was kept, geometry_json."""

    id: str
    kind: str
    code: str
    parent_id: str | None
    geometry_wkb: bytes | None
    geometry_json: str | None


class NewUnit(NamedTuple):
    id: UUID
    kind: str
    code: str
    parent_id: UUID | None
    ancestor_ids: list[UUID]


class NewVersion(NamedTuple):
    unit_id: UUID
    version: int
    valid_from: datetime
    parent_id: UUID | None
    name: str
    address: str | None
    address_key: str | None
    attributes_json: str
    geometry_json: str | None
    geometry_wkb: bytes | None


def _record(row: Any) -> UnitRecord:
    return UnitRecord(*row)


class UnitsRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _current(self) -> Any:
        return (
            select(*_COLUMNS)
            .join(unit_versions, unit_versions.c.unit_id == units.c.id)
            .where(units.c.tenant_id == self.tenant_id, unit_versions.c.valid_to.is_(None))
        )

    async def get(self, unit_id: UUID, *, as_of: datetime | None = None) -> UnitRecord | None:
        if as_of is None:
            query = self._current().where(units.c.id == unit_id)
        else:
            query = (
                select(*_COLUMNS)
                .join(unit_versions, unit_versions.c.unit_id == units.c.id)
                .where(
                    units.c.tenant_id == self.tenant_id,
                    units.c.id == unit_id,
                    unit_versions.c.valid_from <= as_of,
                    or_(unit_versions.c.valid_to.is_(None), unit_versions.c.valid_to > as_of),
                )
            )
        row = (await self.session.execute(query)).first()
        return _record(row) if row else None

    async def get_many(self, unit_ids: Sequence[UUID]) -> dict[UUID, UnitRecord]:
        if not unit_ids:
            return {}
        rows = await self.session.execute(self._current().where(units.c.id == _any_of(unit_ids)))
        return {r.id: _record(r) for r in rows}

    async def children(self, unit_id: UUID) -> list[UnitRecord]:
        query = self._current().where(units.c.parent_id == unit_id, units.c.retired_at.is_(None))
        return [_record(r) for r in await self.session.execute(query.order_by(units.c.code))]

    async def descendants(
        self, unit_id: UUID, *, kinds: Sequence[str], after_code: str | None, limit: int
    ) -> list[UnitRecord]:
        query = self._current().where(
            units.c.ancestor_ids.contains([unit_id]), units.c.retired_at.is_(None)
        )
        if kinds:
            query = query.where(units.c.kind.in_(kinds))
        if after_code is not None:
            query = query.where(units.c.code > after_code)
        rows = await self.session.execute(query.order_by(units.c.code).limit(limit))
        return [_record(r) for r in rows]

    async def search(self, text: str, *, kinds: Sequence[str], limit: int) -> list[UnitRecord]:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = self._current().where(
            units.c.retired_at.is_(None),
            or_(
                units.c.code.startswith(text, autoescape=True), unit_versions.c.name.ilike(pattern)
            ),
        )
        if kinds:
            query = query.where(units.c.kind.in_(kinds))
        rows = await self.session.execute(query.order_by(units.c.code).limit(limit))
        return [_record(r) for r in rows]

    async def by_address_key(self, key: str, *, limit: int) -> list[UnitRecord]:
        """Buildings and households whose normalised address contains the key."""
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = self._current().where(
            units.c.retired_at.is_(None),
            units.c.kind.in_(("building", "unit", "household")),
            unit_versions.c.address_key.like(pattern),
        )
        rows = await self.session.execute(
            query.order_by(func.length(unit_versions.c.address_key)).limit(limit)
        )
        return [_record(r) for r in rows]

    async def all_current(self, kinds: Sequence[str]) -> list[UnitRecord]:
        query = self._current().where(units.c.retired_at.is_(None), units.c.kind.in_(kinds))
        return [_record(r) for r in await self.session.execute(query)]

    async def shapes(self, kinds: Sequence[str]) -> list[UnitShape]:
        """Current units of these kinds that have a geometry, as WKB (what GEOS parses fastest,
        in bulk). Read straight from the driver: a replica loads 10^5 of these at start, and
        row processing would cost more than the query."""
        await prefer_hash_joins(self.session)  # right after an import there are no statistics
        connection = await driver_connection(self.session)
        rows = await connection.fetch(_SHAPES, self.tenant_id, list(kinds))
        return [UnitShape(*row) for row in rows]

    async def by_codes(self) -> dict[str, UnitRecord]:
        """Every current unit of the tenant by code (what an import compares against)."""
        await prefer_hash_joins(self.session)
        return {r.code: _record(r) for r in await self.session.execute(self._current())}

    async def insert_units(self, rows: Sequence[NewUnit]) -> None:
        """New units, parents before children (the foreign key is checked per statement)."""
        if rows:
            tenant = self.tenant_id
            await copy_rows(
                self.session,
                units,
                ("id", "tenant_id", "kind", "code", "parent_id", "ancestor_ids"),
                ((r.id, tenant, r.kind, r.code, r.parent_id, r.ancestor_ids) for r in rows),
            )

    async def insert_versions(self, rows: Sequence[NewVersion]) -> None:
        if rows:
            tenant = self.tenant_id
            await copy_rows(
                self.session,
                unit_versions,
                _VERSION_COLUMNS,
                ((r.unit_id, r.version, tenant, *r[2:]) for r in rows),
            )

    async def close_versions(self, unit_ids: Sequence[UUID], at: datetime) -> None:
        if unit_ids:
            await self.session.execute(
                update(unit_versions)
                .where(
                    and_(
                        unit_versions.c.tenant_id == self.tenant_id,
                        unit_versions.c.unit_id == _any_of(unit_ids),
                        unit_versions.c.valid_to.is_(None),
                    )
                )
                .values(valid_to=at)
            )

    async def set_hierarchy(self, rows: Sequence[dict[str, Any]]) -> None:
        """rows: {"id", "parent_id", "ancestor_ids"} for units whose place in the tree moved."""
        for row in rows:
            await self.session.execute(
                update(units)
                .where(units.c.tenant_id == self.tenant_id, units.c.id == row["id"])
                .values(parent_id=row["parent_id"], ancestor_ids=row["ancestor_ids"])
            )

    async def retire(self, unit_ids: Sequence[UUID], at: datetime) -> None:
        if unit_ids:
            await self.session.execute(
                update(units)
                .where(units.c.tenant_id == self.tenant_id, units.c.id == _any_of(unit_ids))
                .values(retired_at=at)
            )
            await self.close_versions(unit_ids, at)
