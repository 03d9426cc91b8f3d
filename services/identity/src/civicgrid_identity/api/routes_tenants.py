"""Districts and staff invitations into them."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from civicgrid_identity.api import schemas, views
from civicgrid_identity.api.deps import Ctx
from civicgrid_identity.domain.roles import Binding
from civicgrid_identity.usecases import registration, tenants
from civicgrid_identity.usecases.people import PersonView
from civicgrid_platform.errors import NotFound
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams

router = APIRouter(tags=["tenants"])


@router.post("/v1/tenants", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def create_tenant(
    body: schemas.TenantCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.TenantRead:
    new = tenants.NewTenant(body.slug, body.name, body.city, body.timezone, body.locale)
    return views.tenant(await tenants.create_tenant(ctx, actor, new))


@router.get("/v1/tenants")
async def list_tenants(
    ctx: Ctx, actor: CurrentPrincipal, page: PageParams
) -> CursorPage[schemas.TenantRead]:
    after = page.after["slug"] if page.after else None
    rows = await tenants.list_tenants(ctx, actor, after_slug=after, limit=page.fetch_limit)
    return page.page([views.tenant(t) for t in rows], lambda t: {"slug": t.slug})


@router.get("/v1/tenants/by-slug/{slug}")
async def tenant_by_slug(slug: str, ctx: Ctx, actor: CurrentPrincipal) -> schemas.TenantRead:
    try:
        found = await tenants.tenant_by_slug(ctx, slug)
    except NotFound:
        raise NotFound("no such district") from None
    return views.tenant(await tenants.readable_tenant(ctx, actor, found.id))


@router.get("/v1/tenants/{tenant_id}")
async def get_tenant(tenant_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.TenantRead:
    return views.tenant(await tenants.readable_tenant(ctx, actor, tenant_id))


@router.post(
    "/v1/tenants/{tenant_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Idempotent],
)
async def invite_staff(
    tenant_id: UUID, body: schemas.StaffInvite, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.InvitationRead:
    new = registration.NewStaff(
        person=registration.NewPerson(
            display_name=body.display_name,
            phone=body.phone,
            email=body.email,
            locale=body.locale,
            party_category=body.party_category,
            party_branch=body.party_branch,
        ),
        roles=[Binding(r.role, r.unit_id) for r in body.roles],
    )
    invitation = await registration.invite_staff(ctx, actor, new, tenant_id)
    return schemas.InvitationRead(
        person=views.person(PersonView(invitation.person, invitation.bindings)),
        invitation_code=invitation.code,
    )
