"""Emergency contacts and alert devices of people living alone."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from uuid import UUID

from civicgrid.identity.v1 import events_pb2
from civicgrid_identity.db.auth_repo import AuthRepository
from civicgrid_identity.db.people_repo import PeopleRepository
from civicgrid_identity.db.tenants_repo import DirectoryRepository
from civicgrid_identity.domain.access import can_manage_care
from civicgrid_identity.domain.model import EmergencyContact, normalise_phone
from civicgrid_identity.events.outgoing import identity_event
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.people import CONTACT_SCOPE, is_self
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import (
    AlreadyExists,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)

MAX_CONTACTS = 5
DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{4,64}$")
# Lets a service (the alert chain) learn the district and person of any district's device.
DEVICE_RESOLVE_SCOPE = "devices:resolve"


def _may_manage(actor: Principal, person_id: UUID) -> bool:
    return can_manage_care(actor.roles, is_self(actor, person_id))


def _may_read_contacts(actor: Principal, person_id: UUID) -> bool:
    # A service that calls the family (CONTACT_SCOPE) reads the contacts; it never changes them.
    return _may_manage(actor, person_id) or actor.has_scope(CONTACT_SCOPE)


async def set_contacts(
    ctx: IdentityContext, actor: Principal, person_id: UUID, contacts: list[EmergencyContact]
) -> list[EmergencyContact]:
    if len(contacts) > MAX_CONTACTS:
        raise InvalidInput(f"at most {MAX_CONTACTS} emergency contacts", field="contacts")
    ordered = [
        EmergencyContact(
            i + 1,
            c.name.strip(),
            c.relation.strip(),
            normalise_phone(c.phone, f"contacts.{i}.phone"),
            c.preferred_channel,
        )
        for i, c in enumerate(contacts)
    ]
    for i, c in enumerate(ordered):
        if not c.name:
            raise InvalidInput("must not be empty", field=f"contacts.{i}.name")
    tenant_id = actor.tenant_uuid
    if not _may_manage(actor, person_id):
        if _may_read_contacts(actor, person_id):
            raise Forbidden("reading emergency contacts does not allow changing them")
        raise NotFound("no such person")
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        await people.require(person_id)
        await people.replace_contacts(person_id, ordered)
        uow.add_event(
            identity_event(
                tenant_id,
                person_id,
                events_pb2.PersonUpdated(
                    person_id=str(person_id), changed_fields=["emergency_contacts"]
                ),
            )
        )
        await uow.commit()
    return ordered


async def get_contacts(
    ctx: IdentityContext, actor: Principal, person_id: UUID
) -> list[EmergencyContact]:
    tenant_id = actor.tenant_uuid
    if not _may_read_contacts(actor, person_id):
        raise NotFound("no such person")
    async with ctx.uow(tenant_id=tenant_id) as uow:
        contacts = await PeopleRepository(uow.session, tenant_id).contacts_if_person(person_id)
    if contacts is None:
        raise NotFound("no such person")
    return contacts


@dataclass(frozen=True, slots=True)
class BoundDevice:
    device_id: str
    person_id: UUID
    secret: str  # shown once, to be written into the device


async def bind_device(
    ctx: IdentityContext, actor: Principal, person_id: UUID, device_id: str
) -> BoundDevice:
    if not DEVICE_ID_RE.match(device_id):
        raise InvalidInput("4-64 letters, digits and . _ : -", field="device_id")
    tenant_id = actor.tenant_uuid
    if not can_manage_care(actor.roles, is_self(actor, person_id)):
        raise NotFound("no such person")
    secret = secrets.token_hex(32)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        await people.require(person_id)
        if not await DirectoryRepository(uow.session).add_device(device_id, tenant_id):
            raise AlreadyExists("this device is already bound", field="device_id")
        await people.add_device(device_id, person_id, ctx.device_sealer.seal(secret.encode()))
        uow.add_event(
            identity_event(
                tenant_id,
                person_id,
                events_pb2.DeviceBound(device_id=device_id, person_id=str(person_id)),
            )
        )
        await AuthRepository(uow.session, tenant_id).audit(
            "device.bound",
            actor=actor.subject,
            subject=str(person_id),
            source=None,
            device_id=device_id,
        )
        await uow.commit()
    return BoundDevice(device_id, person_id, secret)


def device_signature(secret: str, payload: bytes) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def _may_resolve_any_device(actor: Principal) -> bool:
    return actor.is_platform_admin or actor.has_scope(DEVICE_RESOLVE_SCOPE)


@dataclass(frozen=True, slots=True)
class ResolvedDevice:
    tenant_id: UUID
    person_id: UUID
    contacts: list[EmergencyContact]  # [] unless asked for


async def resolve_device(
    ctx: IdentityContext,
    actor: Principal,
    device_id: str,
    signature: str,
    payload: bytes,
    *,
    include_contacts: bool = False,
) -> ResolvedDevice:
    """The owner of a device whose signature over payload is right, with the owner's emergency
    contacts when asked: NotFound, then NotAuthenticated, then Forbidden. One transaction: a press
    is the hot path, and each extra one costs its BEGIN, tenant binding and ROLLBACK."""
    async with ctx.uow(tenant_id=None) as uow:
        tenant_id = await DirectoryRepository(uow.session).tenant_of_device(device_id)
        if tenant_id is None:
            raise NotFound("unknown device", field="device_id")
        await uow.bind_tenant(tenant_id)  # row-level security admits this tenant from here on
        people = PeopleRepository(uow.session, tenant_id)
        found = await people.device(device_id)
        if found is None:
            raise NotFound("unknown device", field="device_id")
        person_id, sealed = found
        expected = device_signature(ctx.device_sealer.unseal(sealed).decode(), payload)
        # Bytes, not str: compare_digest refuses non-ASCII str, and a press may carry anything.
        if not hmac.compare_digest(expected.encode(), signature.lower().encode()):
            raise NotAuthenticated("bad device signature")
        platform_wide = _may_resolve_any_device(actor)
        same_tenant = actor.tenant_uuid == tenant_id
        if not (platform_wide or same_tenant):
            raise Forbidden("this caller may not resolve devices")
        if not include_contacts:
            return ResolvedDevice(tenant_id, person_id, [])
        if not (platform_wide or (same_tenant and _may_read_contacts(actor, person_id))):
            raise Forbidden("this caller may not read this person's emergency contacts")
        return ResolvedDevice(tenant_id, person_id, await people.contacts(person_id))
