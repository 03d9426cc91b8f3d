"""Reading and changing people's profiles, with phones masked for those who need not see them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from civicgrid.identity.v1 import events_pb2
from civicgrid_identity.db.people_repo import BindingRecord, PeopleRepository, PersonRecord
from civicgrid_identity.domain.access import can_manage_people, can_read_people
from civicgrid_identity.domain.model import PartyCategory, normalise_phone, validate_locale
from civicgrid_identity.domain.roles import mask_phone, may_see_phone
from civicgrid_identity.events.outgoing import identity_event, party_category_pb
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.tenants import readable_tenant
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import InvalidInput, NotFound

# Services that send messages (notifications) need real numbers.
CONTACT_SCOPE = "people:contact"


@dataclass(frozen=True, slots=True)
class PersonView:
    person: PersonRecord
    bindings: list[BindingRecord]


def is_self(actor: Principal, person_id: UUID) -> bool:
    return actor.kind == "person" and actor.subject == str(person_id)


def _visible(actor: Principal, view: PersonView) -> PersonView:
    if may_see_phone(actor.roles, is_self(actor, view.person.id)) or actor.has_scope(CONTACT_SCOPE):
        return view
    return replace(view, person=replace(view.person, phone=mask_phone(view.person.phone)))


def _may_read(actor: Principal, person_id: UUID) -> bool:
    return (
        is_self(actor, person_id) or can_read_people(actor.roles) or actor.has_scope("people:read")
    )


async def get_person(
    ctx: IdentityContext, actor: Principal, person_id: UUID, tenant_id: UUID | None = None
) -> PersonView:
    tenant = await readable_tenant(ctx, actor, tenant_id or UUID(actor.tenant_id))
    if not _may_read(actor, person_id):
        raise NotFound("no such person")
    async with ctx.uow(tenant_id=tenant.id) as uow:
        people = PeopleRepository(uow.session, tenant.id)
        person = await people.get(person_id)
        if person is None:
            raise NotFound("no such person")
        bindings = (await people.bindings_of([person_id]))[person_id]
    return _visible(actor, PersonView(person, bindings))


async def get_people(
    ctx: IdentityContext, actor: Principal, person_ids: list[UUID]
) -> tuple[list[PersonView], list[UUID]]:
    tenant_id = UUID(actor.tenant_id)
    allowed = [p for p in person_ids if _may_read(actor, p)]
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        found = await people.get_many(allowed) if allowed else []
        bindings = await people.bindings_of([p.id for p in found]) if found else {}
    views = [_visible(actor, PersonView(p, bindings[p.id])) for p in found]
    found_ids = {p.id for p in found}
    return views, [p for p in person_ids if p not in found_ids]


async def list_people(
    ctx: IdentityContext, actor: Principal, *, after_id: UUID | None, limit: int
) -> list[PersonView]:
    if not (can_read_people(actor.roles) or actor.has_scope("people:read")):
        raise NotFound("no such resource")
    tenant_id = UUID(actor.tenant_id)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        page = await people.page(after_id=after_id, limit=limit)
        bindings = await people.bindings_of([p.id for p in page]) if page else {}
    return [_visible(actor, PersonView(p, bindings[p.id])) for p in page]


_EDITABLE_BY_SELF = {"display_name", "phone", "email", "locale"}
_EDITABLE_BY_ADMIN = _EDITABLE_BY_SELF | {
    "party_category",
    "party_branch",
    "living_alone",
    "status",
}


async def update_person(
    ctx: IdentityContext, actor: Principal, person_id: UUID, changes: dict[str, Any]
) -> PersonView:
    tenant_id = UUID(actor.tenant_id)
    allowed = _EDITABLE_BY_ADMIN if can_manage_people(actor.roles) else _EDITABLE_BY_SELF
    if not (is_self(actor, person_id) or can_manage_people(actor.roles)):
        raise NotFound("no such person")
    for name in changes:
        if name not in allowed:
            raise InvalidInput("you may not change this field", field=name)
    values = _validated(changes)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        people = PeopleRepository(uow.session, tenant_id)
        person = await people.require(person_id)
        if values:
            person = await people.update(person_id, **values)
            uow.add_event(
                identity_event(
                    tenant_id,
                    person_id,
                    events_pb2.PersonUpdated(
                        person_id=str(person_id),
                        changed_fields=sorted(values),
                        living_alone=person.living_alone,
                        party_category=party_category_pb(person.party_category),
                        party_branch=person.party_branch or "",
                        display_name=person.display_name,
                    ),
                )
            )
        bindings = (await people.bindings_of([person_id]))[person_id]
        await uow.commit()
    return _visible(actor, PersonView(person, bindings))


_NOT_NULL = ("display_name", "living_alone", "status")


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    values = dict(changes)
    for name in _NOT_NULL:
        if name in values and values[name] is None:
            raise InvalidInput("must not be null", field=name)
    if "display_name" in values and not str(values["display_name"] or "").strip():
        raise InvalidInput("must not be empty", field="display_name")
    if values.get("phone"):
        values["phone"] = normalise_phone(values["phone"])
    if values.get("email"):
        values["email"] = str(values["email"]).strip().lower()
    if values.get("locale") is not None:
        validate_locale(values["locale"])
    if values.get("party_category") is not None:
        values["party_category"] = PartyCategory(values["party_category"]).value
    if "status" in values and values["status"] not in ("active", "disabled"):
        raise InvalidInput("status is active or disabled", field="status")
    return values
