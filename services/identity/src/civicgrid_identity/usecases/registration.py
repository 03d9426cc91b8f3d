"""Residents register themselves; staff are invited by an admin and set their own password."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from uuid import UUID

from google.protobuf.timestamp_pb2 import Timestamp

from civicgrid.identity.v1 import events_pb2
from civicgrid_identity.db.people_repo import BindingRecord, PeopleRepository, PersonRecord
from civicgrid_identity.domain.access import can_manage_people
from civicgrid_identity.domain.model import (
    PartyCategory,
    PersonStatus,
    normalise_phone,
    validate_locale,
    validate_password,
)
from civicgrid_identity.domain.roles import RESIDENT, Binding
from civicgrid_identity.events.outgoing import identity_event, party_category_pb
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.roles import grant_checked
from civicgrid_identity.usecases.tenants import tenant_by_slug
from civicgrid_identity.usecases.tokens import token_hash
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Forbidden, InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class NewPerson:
    display_name: str
    phone: str | None = None
    email: str | None = None
    locale: str | None = None
    party_category: PartyCategory | None = None
    party_branch: str | None = None
    living_alone: bool = False


def _contact_values(new: NewPerson) -> dict[str, object]:
    if not new.display_name.strip():
        raise InvalidInput("must not be empty", field="display_name")
    if not new.phone and not new.email:
        raise InvalidInput("give a phone number or an email address", field="phone")
    if new.locale is not None:
        validate_locale(new.locale)
    return {
        "display_name": new.display_name.strip(),
        "phone": normalise_phone(new.phone) if new.phone else None,
        "email": new.email.strip().lower() if new.email else None,
        "locale": new.locale,
        "party_category": new.party_category.value if new.party_category else None,
        "party_branch": new.party_branch,
        "living_alone": new.living_alone,
    }


def _registered(person: PersonRecord, *, invited: bool) -> events_pb2.PersonRegistered:
    at = Timestamp()
    at.FromDatetime(person.created_at)
    return events_pb2.PersonRegistered(
        person_id=str(person.id),
        display_name=person.display_name,
        invited=invited,
        living_alone=person.living_alone,
        party_category=party_category_pb(person.party_category),
        party_branch=person.party_branch or "",
        registered_at=at,
    )


async def register_resident(
    ctx: IdentityContext, tenant_slug: str, new: NewPerson, password: str
) -> PersonRecord:
    values = _contact_values(new)
    validate_password(password)
    tenant = await tenant_by_slug(ctx, tenant_slug)
    password_hash = await asyncio.to_thread(ctx.passwords.hash, password)
    async with ctx.uow(tenant_id=tenant.id) as uow:
        people = PeopleRepository(uow.session, tenant.id)
        person = await people.add(
            status=PersonStatus.ACTIVE.value, password_hash=password_hash, **values
        )
        await people.grant(person.id, Binding(RESIDENT, None), granted_by="self-registration")
        uow.add_event(identity_event(tenant.id, person.id, _registered(person, invited=False)))
        await uow.commit()
    return person


@dataclass(frozen=True, slots=True)
class Invitation:
    person: PersonRecord
    code: str  # handed to the invitee out of band; only its hash is stored
    bindings: list[BindingRecord]


@dataclass(frozen=True, slots=True)
class NewStaff:
    person: NewPerson
    roles: list[Binding] = field(default_factory=list)


async def invite_staff(
    ctx: IdentityContext, actor: Principal, new: NewStaff, tenant_id: UUID | None = None
) -> Invitation:
    """Invite into the actor's own district, or (platform admins only) into another one."""
    tenant_id = tenant_id or actor.tenant_uuid
    if tenant_id != actor.tenant_uuid and not actor.is_platform_admin:
        raise NotFound("no such district")
    if not can_manage_people(actor.roles):
        raise Forbidden("only an admin invites staff")
    values = _contact_values(new.person)
    code = secrets.token_urlsafe(24)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        person = await people.add(
            status=PersonStatus.INVITED.value, invite_code_hash=token_hash(code), **values
        )
        uow.add_event(identity_event(tenant_id, person.id, _registered(person, invited=True)))
        granted = [await grant_checked(uow, actor, tenant_id, person.id, b) for b in new.roles]
        await uow.commit()
    return Invitation(person, code, [b for b in granted if b is not None])


async def accept_invitation(
    ctx: IdentityContext, tenant_slug: str, code: str, password: str
) -> PersonRecord:
    validate_password(password)
    tenant = await tenant_by_slug(ctx, tenant_slug)
    password_hash = await asyncio.to_thread(ctx.passwords.hash, password)
    async with ctx.uow(tenant_id=tenant.id) as uow:
        people = PeopleRepository(uow.session, tenant.id)
        person = await people.by_invite_code(token_hash(code))
        if person is None or person.status != PersonStatus.INVITED.value:
            raise NotFound("no open invitation with this code", field="code")
        person = await people.update(
            person.id,
            status=PersonStatus.ACTIVE.value,
            password_hash=password_hash,
            invite_code_hash=None,
        )
        await uow.commit()
    return person
