"""People: self-registration, invitations, profiles, emergency contacts, devices, roles."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from civicgrid_identity.api import schemas, views
from civicgrid_identity.api.deps import Ctx
from civicgrid_identity.domain.model import EmergencyContact
from civicgrid_identity.domain.roles import Binding
from civicgrid_identity.usecases import care, people, registration, roles
from civicgrid_platform.errors import Forbidden
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams

router = APIRouter(tags=["people"])


@router.post("/v1/residents", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def register_resident(body: schemas.ResidentRegister, ctx: Ctx) -> schemas.PersonRead:
    new = registration.NewPerson(
        display_name=body.display_name,
        phone=body.phone,
        email=body.email,
        locale=body.locale,
        living_alone=body.living_alone,
    )
    person = await registration.register_resident(ctx, body.tenant, new, body.password)
    return views.person(people.PersonView(person, []))


@router.post("/v1/invitations/accept")
async def accept_invitation(body: schemas.InvitationAccept, ctx: Ctx) -> schemas.PersonRead:
    person = await registration.accept_invitation(ctx, body.tenant, body.code, body.password)
    return views.person(people.PersonView(person, []))


@router.get("/v1/me")
async def me(ctx: Ctx, actor: CurrentPrincipal) -> schemas.PersonRead:
    if actor.kind != "person":
        raise Forbidden("an integrator client is not a person; /v1/me needs a person's token")
    return views.person(await people.get_person(ctx, actor, UUID(actor.subject)))


@router.get("/v1/people")
async def list_people(
    ctx: Ctx, actor: CurrentPrincipal, page: PageParams
) -> CursorPage[schemas.PersonRead]:
    after = UUID(page.after["id"]) if page.after else None
    rows = await people.list_people(ctx, actor, after_id=after, limit=page.fetch_limit)
    return page.page([views.person(v) for v in rows], lambda p: {"id": str(p.id)})


@router.get("/v1/people/{person_id}")
async def get_person(
    person_id: UUID, ctx: Ctx, actor: CurrentPrincipal, tenant_id: UUID | None = None
) -> schemas.PersonRead:
    return views.person(await people.get_person(ctx, actor, person_id, tenant_id))


@router.patch("/v1/people/{person_id}")
async def update_person(
    person_id: UUID, body: schemas.PersonUpdate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.PersonRead:
    changes = body.model_dump(exclude_unset=True)
    return views.person(await people.update_person(ctx, actor, person_id, changes))


@router.get("/v1/people/{person_id}/emergency-contacts")
async def get_contacts(
    person_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> list[schemas.EmergencyContactRead]:
    return [views.contact(c) for c in await care.get_contacts(ctx, actor, person_id)]


@router.put("/v1/people/{person_id}/emergency-contacts")
async def put_contacts(
    person_id: UUID, body: schemas.EmergencyContactsPut, ctx: Ctx, actor: CurrentPrincipal
) -> list[schemas.EmergencyContactRead]:
    contacts = [
        EmergencyContact(i + 1, c.name, c.relation, c.phone, c.preferred_channel)
        for i, c in enumerate(body.contacts)
    ]
    return [views.contact(c) for c in await care.set_contacts(ctx, actor, person_id, contacts)]


@router.post(
    "/v1/people/{person_id}/devices", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent]
)
async def bind_device(
    person_id: UUID, body: schemas.DeviceBind, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.DeviceBound:
    bound = await care.bind_device(ctx, actor, person_id, body.device_id)
    return schemas.DeviceBound(
        device_id=bound.device_id, person_id=bound.person_id, secret=bound.secret
    )


@router.post(
    "/v1/people/{person_id}/role-bindings",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Idempotent],
)
async def grant_role(
    person_id: UUID, body: schemas.RoleBindingIn, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.RoleBindingRead:
    return views.binding(
        await roles.grant_role(ctx, actor, person_id, Binding(body.role, body.unit_id))
    )


@router.delete("/v1/role-bindings/{binding_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_role(binding_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> Response:
    await roles.revoke_role(ctx, actor, binding_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
