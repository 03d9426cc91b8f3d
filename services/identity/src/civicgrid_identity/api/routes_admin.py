"""Tenant administration: integrator clients, the security audit log, signing-key rotation."""

from __future__ import annotations

from fastapi import APIRouter, status

from civicgrid_identity.api import schemas
from civicgrid_identity.api.deps import Ctx, Keys
from civicgrid_identity.usecases import audit, clients
from civicgrid_platform.errors import Forbidden
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams

router = APIRouter(tags=["admin"])


@router.post("/v1/clients", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def register_client(
    body: schemas.ClientCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.ClientRead:
    client = await clients.register_client(ctx, actor, body.name, body.scopes)
    return schemas.ClientRead(
        client_id=client.client_id,
        client_secret=client.client_secret,
        name=client.name,
        scopes=client.scopes,
    )


@router.get("/v1/audit")
async def audit_log(
    ctx: Ctx, actor: CurrentPrincipal, page: PageParams
) -> CursorPage[schemas.AuditEntry]:
    before = int(page.after["id"]) if page.after else None
    rows = await audit.audit_page(ctx, actor, before_id=before, limit=page.fetch_limit)
    return page.page([schemas.AuditEntry(**r) for r in rows], lambda e: {"id": e.id})


@router.post("/v1/keys/rotate", status_code=status.HTTP_201_CREATED)
async def rotate_keys(keys: Keys, actor: CurrentPrincipal) -> schemas.KeyRotated:
    if not actor.is_platform_admin:
        raise Forbidden("only a platform admin rotates signing keys")
    rotated = await keys.rotate()
    assert rotated is not None
    return schemas.KeyRotated(kid=rotated.kid, activates_at=rotated.activates_at)
