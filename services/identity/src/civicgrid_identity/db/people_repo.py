"""People, their role bindings, emergency contacts and alert devices (always within one tenant)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from civicgrid_identity.db.tables import (
    alert_devices,
    emergency_contacts,
    people,
    role_bindings,
    unit_ancestry,
)
from civicgrid_identity.domain.model import Channel, EmergencyContact
from civicgrid_identity.domain.roles import Binding
from civicgrid_platform.db import driver
from civicgrid_platform.errors import AlreadyExists, NotFound

# Every alert press asks these (ResolveDevice, GetEmergencyContacts): straight through the
# driver (platform db.driver), and tenant-scoped here as well as by row-level security.
_DEVICE = (
    "SELECT person_id, secret_sealed FROM alert_devices WHERE tenant_id = $1 AND device_id = $2"
)
_CONTACTS = (
    "SELECT position, name, relation, phone, preferred_channel FROM emergency_contacts"
    " WHERE tenant_id = $1 AND person_id = $2 ORDER BY position"
)
# One round trip tells "no such person" (no row) from "no contacts" (one row of NULLs).
_PERSON_CONTACTS = (
    "SELECT c.position, c.name, c.relation, c.phone, c.preferred_channel FROM people p"
    " LEFT JOIN emergency_contacts c ON c.tenant_id = p.tenant_id AND c.person_id = p.id"
    " WHERE p.tenant_id = $1 AND p.id = $2 ORDER BY c.position"
)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: UUID
    tenant_id: UUID
    display_name: str
    phone: str | None
    email: str | None
    password_hash: str | None
    status: str
    party_category: str | None
    party_branch: str | None
    living_alone: bool
    locale: str | None
    invite_code_hash: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class BindingRecord:
    id: UUID
    person_id: UUID
    role: str
    unit_id: UUID | None
    granted_by: str
    created_at: datetime

    @property
    def binding(self) -> Binding:
        return Binding(self.role, self.unit_id)


def _duplicate_contact(exc: IntegrityError) -> Exception:
    """A unique phone/email clash as AlreadyExists naming the field; anything else unchanged."""
    for constraint, field in (("uq_people_email", "email"), ("uq_people_phone", "phone")):
        if constraint in str(exc.orig):
            return AlreadyExists(f"a person with this {field} already exists", field=field)
    return exc


def _person(row: Any) -> PersonRecord:
    return PersonRecord(**{k: row._mapping[k] for k in PersonRecord.__slots__})


def _contact(row: Any) -> EmergencyContact:
    return EmergencyContact(
        row["position"],
        row["name"],
        row["relation"],
        row["phone"],
        Channel(row["preferred_channel"]),
    )


def _binding(row: Any) -> BindingRecord:
    m = row._mapping
    return BindingRecord(
        m["id"], m["person_id"], m["role"], m["unit_id"], m["granted_by"], m["created_at"]
    )


class PeopleRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def add(self, **values: Any) -> PersonRecord:
        try:
            async with self.session.begin_nested():
                row = (
                    await self.session.execute(
                        insert(people)
                        .values(tenant_id=self.tenant_id, **values)
                        .returning(*people.c)
                    )
                ).one()
        except IntegrityError as exc:
            raise _duplicate_contact(exc) from exc
        return _person(row)

    async def get(self, person_id: UUID) -> PersonRecord | None:
        q = select(people).where(people.c.tenant_id == self.tenant_id, people.c.id == person_id)
        row = (await self.session.execute(q)).first()
        return _person(row) if row else None

    async def require(self, person_id: UUID) -> PersonRecord:
        """The person, or NotFound: another tenant's person is as absent as one never made."""
        person = await self.get(person_id)
        if person is None:
            raise NotFound("no such person")
        return person

    async def get_many(self, person_ids: Sequence[UUID]) -> list[PersonRecord]:
        q = select(people).where(people.c.tenant_id == self.tenant_id, people.c.id.in_(person_ids))
        return [_person(r) for r in await self.session.execute(q)]

    async def by_username(self, username: str) -> PersonRecord | None:
        column = people.c.email if "@" in username else people.c.phone
        q = select(people).where(people.c.tenant_id == self.tenant_id, column == username)
        row = (await self.session.execute(q)).first()
        return _person(row) if row else None

    async def by_invite_code(self, code_hash: str) -> PersonRecord | None:
        q = select(people).where(
            people.c.tenant_id == self.tenant_id, people.c.invite_code_hash == code_hash
        )
        row = (await self.session.execute(q)).first()
        return _person(row) if row else None

    async def update(self, person_id: UUID, **values: Any) -> PersonRecord:
        stmt = (
            update(people)
            .where(people.c.tenant_id == self.tenant_id, people.c.id == person_id)
            .values(updated_at=func.now(), **values)
            .returning(*people.c)
        )
        try:
            async with self.session.begin_nested():
                row = (await self.session.execute(stmt)).one()
        except IntegrityError as exc:
            raise _duplicate_contact(exc) from exc
        return _person(row)

    async def page(self, *, after_id: UUID | None, limit: int) -> list[PersonRecord]:
        q = (
            select(people)
            .where(people.c.tenant_id == self.tenant_id)
            .order_by(people.c.id)
            .limit(limit)
        )
        if after_id is not None:
            q = q.where(people.c.id > after_id)
        return [_person(r) for r in await self.session.execute(q)]

    # --- role bindings -------------------------------------------------------------------
    async def bindings_of(self, person_ids: Sequence[UUID]) -> dict[UUID, list[BindingRecord]]:
        q = (
            select(role_bindings)
            .where(
                role_bindings.c.tenant_id == self.tenant_id,
                role_bindings.c.person_id.in_(person_ids),
                role_bindings.c.revoked_at.is_(None),
            )
            .order_by(role_bindings.c.created_at)
        )
        found: dict[UUID, list[BindingRecord]] = {pid: [] for pid in person_ids}
        for row in await self.session.execute(q):
            found[row.person_id].append(_binding(row))
        return found

    async def grant(
        self, person_id: UUID, binding: Binding, granted_by: str
    ) -> BindingRecord | None:
        """None when the same binding is already active."""
        stmt = (
            pg_insert(role_bindings)
            .values(
                tenant_id=self.tenant_id,
                person_id=person_id,
                role=binding.role,
                unit_id=binding.unit_id,
                granted_by=granted_by,
            )
            .on_conflict_do_nothing()
            .returning(*role_bindings.c)
        )
        row = (await self.session.execute(stmt)).first()
        return _binding(row) if row else None

    async def binding(self, binding_id: UUID) -> BindingRecord | None:
        q = select(role_bindings).where(
            role_bindings.c.tenant_id == self.tenant_id,
            role_bindings.c.id == binding_id,
            role_bindings.c.revoked_at.is_(None),
        )
        row = (await self.session.execute(q)).first()
        return _binding(row) if row else None

    async def revoke(self, binding_id: UUID, revoked_by: str) -> None:
        await self.session.execute(
            update(role_bindings)
            .where(role_bindings.c.tenant_id == self.tenant_id, role_bindings.c.id == binding_id)
            .values(revoked_at=func.now(), revoked_by=revoked_by)
        )

    async def role_holders(
        self, role: str, unit_ids: Sequence[UUID], *, include_tenant_wide: bool
    ) -> list[BindingRecord]:
        where_unit: ColumnElement[bool] = role_bindings.c.unit_id.in_(unit_ids)
        if include_tenant_wide:
            where_unit = or_(where_unit, role_bindings.c.unit_id.is_(None))
        q = select(role_bindings).where(
            role_bindings.c.tenant_id == self.tenant_id,
            role_bindings.c.role == role,
            role_bindings.c.revoked_at.is_(None),
            where_unit,
        )
        return [_binding(r) for r in await self.session.execute(q)]

    # --- unit ancestry learnt from the grid ----------------------------------------------
    async def ancestors_of(self, unit_id: UUID) -> list[UUID]:
        q = select(unit_ancestry.c.ancestor_ids).where(
            unit_ancestry.c.tenant_id == self.tenant_id, unit_ancestry.c.unit_id == unit_id
        )
        return list((await self.session.execute(q)).scalar_one_or_none() or [])

    async def remember_ancestry(self, unit_id: UUID, ancestor_ids: Sequence[UUID]) -> None:
        stmt = pg_insert(unit_ancestry).values(
            tenant_id=self.tenant_id, unit_id=unit_id, ancestor_ids=list(ancestor_ids)
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=["unit_id"], set_={"ancestor_ids": stmt.excluded.ancestor_ids}
            )
        )

    # --- emergency contacts ----------------------------------------------------------------
    async def contacts(self, person_id: UUID) -> list[EmergencyContact]:
        """In position order; [] for a person without contacts (or not of this tenant)."""
        rows = await driver.fetch(self.session, _CONTACTS, self.tenant_id, person_id)
        return [_contact(r) for r in rows]

    async def contacts_if_person(self, person_id: UUID) -> list[EmergencyContact] | None:
        """The person's contacts in position order; None when there is no such person here."""
        rows = await driver.fetch(self.session, _PERSON_CONTACTS, self.tenant_id, person_id)
        if not rows:
            return None
        return [_contact(r) for r in rows if r["position"] is not None]

    async def replace_contacts(self, person_id: UUID, contacts: Sequence[EmergencyContact]) -> None:
        await self.session.execute(
            delete(emergency_contacts).where(
                emergency_contacts.c.tenant_id == self.tenant_id,
                emergency_contacts.c.person_id == person_id,
            )
        )
        if contacts:
            await self.session.execute(
                insert(emergency_contacts),
                [
                    {
                        "tenant_id": self.tenant_id,
                        "person_id": person_id,
                        "position": c.position,
                        "name": c.name,
                        "relation": c.relation,
                        "phone": c.phone,
                        "preferred_channel": c.preferred_channel.value,
                    }
                    for c in contacts
                ],
            )

    # --- alert devices -------------------------------------------------------------------------
    async def add_device(self, device_id: str, person_id: UUID, secret_sealed: bytes) -> None:
        await self.session.execute(
            insert(alert_devices).values(
                device_id=device_id,
                tenant_id=self.tenant_id,
                person_id=person_id,
                secret_sealed=secret_sealed,
            )
        )

    async def device(self, device_id: str) -> tuple[UUID, bytes] | None:
        """(owner, sealed secret) of the device."""
        row = await driver.fetchrow(self.session, _DEVICE, self.tenant_id, device_id)
        return (row["person_id"], row["secret_sealed"]) if row else None

    async def devices_of(self, person_id: UUID) -> list[str]:
        q = select(alert_devices.c.device_id).where(
            alert_devices.c.tenant_id == self.tenant_id, alert_devices.c.person_id == person_id
        )
        return list((await self.session.execute(q)).scalars())
