"""Import a district from GeoJSON in one transaction: validated first, nothing half-imported.

Units are matched by code. A new code is a new unit; a known code whose name, parent, address,
attributes or geometry changed gets a new version (the old one keeps its validity period, so
reports placed before the change still point at what was there); a known code missing from the
import is retired.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from shapely.geometry import mapping, shape

from civicgrid.grid.v1 import events_pb2
from civicgrid_grid.db.units_repo import UnitsRepository
from civicgrid_grid.domain import geojson_import
from civicgrid_grid.domain.addresses import address_key
from civicgrid_grid.domain.geojson_import import ImportProblem, ImportRejected
from civicgrid_grid.domain.records import UnitRecord
from civicgrid_grid.domain.units import UnitKind, UnitSpec
from civicgrid_grid.events.messages import KIND_TO_PB, unit_message
from civicgrid_grid.events.outgoing import grid_event
from civicgrid_grid.usecases.context import GridContext, require_editor
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork

# Parents are written before their children; UnitKind is declared from the top down.
DEPTH = {kind.value: depth for depth, kind in enumerate(UnitKind)}


@dataclass(frozen=True, slots=True)
class ImportSummary:
    district_id: UUID
    created: int
    updated: int
    retired: int
    unchanged: int


def _geometry(spec: UnitSpec) -> dict[str, Any] | None:
    return dict(mapping(spec.geometry)) if spec.geometry is not None else None


def _same_geometry(old: dict[str, Any] | None, new: Any) -> bool:
    if old is None or new is None:
        return old is None and new is None
    return bool(shape(old).equals_exact(new, 1e-9))


def _changes(old: UnitRecord, spec: UnitSpec, parent_id: UUID | None) -> list[str]:
    changed = []
    if old.name != spec.name:
        changed.append("name")
    if old.parent_id != parent_id:
        changed.append("parent")
    if (old.address or None) != (spec.address or None):
        changed.append("address")
    if (old.attributes or {}) != dict(spec.attributes or {}):
        changed.append("attributes")
    if not _same_geometry(old.geometry, spec.geometry):
        changed.append("geometry")
    return changed


async def import_district(ctx: GridContext, actor: Principal, document: Any) -> ImportSummary:
    require_editor(actor)
    # Reads and validates in one pass: every defect of the file is reported together.
    specs = geojson_import.import_district(document)
    districts = [i for i, s in enumerate(specs) if UnitKind(s.kind) is UnitKind.DISTRICT]
    if len(districts) != 1:
        reason = f"an import holds exactly one district, found {len(districts)}"
        raise ImportRejected([ImportProblem(None, None, reason, "kind")])
    tenant_id = actor.tenant_uuid
    now = ctx.clock()
    specs = sorted(specs, key=lambda s: DEPTH[UnitKind(s.kind).value])
    async with ctx.uow(tenant_id=tenant_id) as uow:
        summary = await _apply(uow, UnitsRepository(uow.session, tenant_id), tenant_id, specs, now)
        await uow.commit()
    return summary


async def _apply(
    uow: UnitOfWork, repo: UnitsRepository, tenant_id: UUID, specs: list[UnitSpec], now: datetime
) -> ImportSummary:
    existing = await repo.by_codes()
    ids: dict[str, UUID] = {}
    ancestors: dict[str, list[UUID]] = {}
    new_units: list[dict[str, Any]] = []
    new_versions: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    closed: list[UUID] = []
    created = updated = unchanged = 0
    events: list[tuple[str, UnitSpec, UUID, int, UnitRecord | None, list[str]]] = []
    for spec in specs:
        old = existing.get(spec.code)
        unit_id = old.id if old else uuid.uuid4()
        ids[spec.code] = unit_id
        parent_id = ids[spec.parent_code] if spec.parent_code else None
        chain = [parent_id, *ancestors[spec.parent_code]] if spec.parent_code and parent_id else []
        ancestors[spec.code] = chain
        geometry = _geometry(spec)
        version_row: dict[str, Any] = {
            "unit_id": unit_id,
            "valid_from": now,
            "parent_id": parent_id,
            "name": spec.name,
            "address": spec.address,
            "address_key": address_key(spec.address) if spec.address else None,
            "attributes": dict(spec.attributes or {}),
            "geometry": geometry,
        }
        if old is None:
            new_units.append(
                {
                    "id": unit_id,
                    "kind": UnitKind(spec.kind).value,
                    "code": spec.code,
                    "parent_id": parent_id,
                    "ancestor_ids": chain,
                }
            )
            new_versions.append({**version_row, "version": 1})
            created += 1
            events.append(("created", spec, unit_id, 1, None, []))
            continue
        if old.ancestor_ids != chain or old.parent_id != parent_id:
            moved.append({"id": unit_id, "parent_id": parent_id, "ancestor_ids": chain})
        changed = _changes(old, spec, parent_id)
        if not changed:
            unchanged += 1
            continue
        closed.append(unit_id)
        new_versions.append({**version_row, "version": old.version + 1})
        updated += 1
        events.append(("updated", spec, unit_id, old.version + 1, old, changed))

    retired = [r for code, r in existing.items() if code not in ids]
    await repo.insert_units(new_units)
    await repo.set_hierarchy(moved)
    await repo.close_versions(closed, now)
    await repo.insert_versions(new_versions)
    await repo.retire([r.id for r in retired], now)

    # Built from what was just written: reading tens of thousands of rows back would cost more.
    written = {row["unit_id"]: row for row in new_versions}
    kinds = {spec.code: UnitKind(spec.kind).value for spec in specs}
    for kind, spec, unit_id, version, old, changed in events:
        row = written[unit_id]
        record = UnitRecord(
            id=unit_id,
            tenant_id=tenant_id,
            kind=kinds[spec.code],
            code=spec.code,
            parent_id=row["parent_id"],
            ancestor_ids=ancestors[spec.code],
            version=version,
            valid_from=now,
            valid_to=None,
            name=row["name"],
            address=row["address"],
            attributes=row["attributes"],
            geometry=row["geometry"],
            retired_at=None,
        )
        message = unit_message(record)
        chain_ids = [str(a) for a in ancestors[spec.code]]
        if kind == "created":
            uow.add_event(
                grid_event(
                    tenant_id, unit_id, events_pb2.UnitCreated(unit=message, ancestor_ids=chain_ids)
                )
            )
        else:
            assert old is not None
            uow.add_event(
                grid_event(
                    tenant_id,
                    unit_id,
                    events_pb2.UnitUpdated(
                        unit=message,
                        ancestor_ids=chain_ids,
                        changed_fields=changed,
                        old_geometry_geojson=_json(old.geometry),
                        new_geometry_geojson=message.geometry_geojson,
                    ),
                )
            )
    for record in retired:
        retired_event = events_pb2.UnitRetired(
            unit_id=str(record.id), code=record.code, kind=KIND_TO_PB[record.kind]
        )
        retired_event.retired_at.FromDatetime(now)
        uow.add_event(grid_event(tenant_id, record.id, retired_event))
    district = next(s for s in specs if UnitKind(s.kind) is UnitKind.DISTRICT)
    uow.add_event(
        grid_event(
            tenant_id,
            ids[district.code],
            events_pb2.DistrictImported(
                district_unit_id=str(ids[district.code]),
                district_code=district.code,
                units_created=created,
                units_updated=updated,
                units_retired=len(retired),
            ),
        )
    )
    return ImportSummary(ids[district.code], created, updated, len(retired), unchanged)


def _json(geometry: dict[str, Any] | None) -> str:
    return json.dumps(geometry) if geometry else ""
