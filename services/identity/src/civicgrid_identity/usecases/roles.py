"""Granting and revoking roles at units, and finding who holds a role where."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from google.protobuf.message import Message

from civicgrid.identity.v1 import events_pb2, identity_service_pb2
from civicgrid_identity.db.auth_repo import AuthRepository
from civicgrid_identity.db.people_repo import BindingRecord, PeopleRepository, PersonRecord
from civicgrid_identity.domain.roles import PLATFORM_ADMIN, ROLES, Binding, can_grant
from civicgrid_identity.events.outgoing import identity_event
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Forbidden, InvalidInput, NotFound


def _grantor_bindings(actor: Principal) -> list[Binding]:
    return [Binding(b.role, UUID(b.unit_id) if b.unit_id else None) for b in actor.bindings] + [
        Binding(role, None)
        for role in actor.roles
        if not any(b.role == role for b in actor.bindings)
    ]


def _binding_message(binding: Binding) -> identity_service_pb2.RoleBinding:
    return identity_service_pb2.RoleBinding(role=binding.role, unit_id=str(binding.unit_id or ""))


async def grant_checked(
    uow: UnitOfWork, actor: Principal, tenant_id: UUID, person_id: UUID, binding: Binding
) -> BindingRecord | None:
    """Grant inside the caller's unit of work after the scope check; None if already held."""
    if binding.role not in ROLES:
        raise InvalidInput(f"unknown role {binding.role!r}", field="role")
    people = PeopleRepository(uow.session, tenant_id)
    ancestors = await people.ancestors_of(binding.unit_id) if binding.unit_id else []
    if not can_grant(_grantor_bindings(actor), binding.role, binding.unit_id, ancestors):
        raise Forbidden("you may grant roles only at or below your own units")
    if binding.role == PLATFORM_ADMIN and binding.unit_id is not None:
        raise InvalidInput("platform_admin is held tenant-wide", field="unit_id")
    record = await people.grant(person_id, binding, granted_by=actor.subject)
    if record is not None:
        _event(
            uow,
            tenant_id,
            person_id,
            events_pb2.RoleGranted(
                person_id=str(person_id),
                binding=_binding_message(binding),
                granted_by=actor.subject,
                binding_id=str(record.id),
            ),
        )
        await AuthRepository(uow.session, tenant_id).audit(
            "role.granted",
            actor=actor.subject,
            subject=str(person_id),
            source=None,
            role=binding.role,
            unit_id=str(binding.unit_id) if binding.unit_id else None,
        )
    return record


def _event(uow: UnitOfWork, tenant_id: UUID, person_id: UUID, message: Message) -> None:
    uow.add_event(identity_event(tenant_id, person_id, message))


async def grant_role(
    ctx: IdentityContext, actor: Principal, person_id: UUID, binding: Binding
) -> BindingRecord:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        await people.require(person_id)
        record = await grant_checked(uow, actor, tenant_id, person_id, binding)
        if record is None:
            existing = [
                b
                for b in (await people.bindings_of([person_id]))[person_id]
                if b.binding == binding
            ]
            return existing[0]
        await uow.commit()
    return record


async def revoke_role(ctx: IdentityContext, actor: Principal, binding_id: UUID) -> None:
    tenant_id = actor.tenant_uuid
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        record = await people.binding(binding_id)
        if record is None:
            raise NotFound("no such role binding")
        ancestors = await people.ancestors_of(record.unit_id) if record.unit_id else []
        if not can_grant(_grantor_bindings(actor), record.role, record.unit_id, ancestors):
            raise Forbidden("you may revoke roles only at or below your own units")
        await people.revoke(binding_id, revoked_by=actor.subject)
        _event(
            uow,
            tenant_id,
            record.person_id,
            events_pb2.RoleRevoked(
                person_id=str(record.person_id),
                binding=_binding_message(record.binding),
                revoked_by=actor.subject,
                binding_id=str(record.id),
            ),
        )
        await AuthRepository(uow.session, tenant_id).audit(
            "role.revoked",
            actor=actor.subject,
            subject=str(record.person_id),
            source=None,
            role=record.role,
            unit_id=str(record.unit_id) if record.unit_id else None,
        )
        await uow.commit()


async def role_holders(
    ctx: IdentityContext,
    tenant_id: UUID,
    unit_id: UUID,
    role: str,
    *,
    include_ancestors: bool,
    known_ancestors: Sequence[UUID] = (),
) -> list[tuple[PersonRecord, BindingRecord]]:
    """Holders at the unit; with include_ancestors also at its ancestors and tenant-wide."""
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        units = [unit_id]
        if include_ancestors:
            learnt = await people.ancestors_of(unit_id)
            units += [u for u in [*known_ancestors, *learnt] if u not in units]
        bindings = await people.role_holders(role, units, include_tenant_wide=include_ancestors)
        persons = {p.id: p for p in await people.get_many(list({b.person_id for b in bindings}))}
    # Nearest unit first, tenant-wide last: callers page the closest responsible person first.
    order = {u: i for i, u in enumerate(units)}
    bindings.sort(key=lambda b: order.get(b.unit_id, len(order)) if b.unit_id else len(order))
    return [(persons[b.person_id], b) for b in bindings if b.person_id in persons]
