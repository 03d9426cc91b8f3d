"""Login, refresh, logout, the OAuth2 client-credentials grant and the JWKS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Response, status

from civicgrid_identity.api import schemas, views
from civicgrid_identity.api.deps import Ctx, Keys, Source
from civicgrid_identity.usecases import clients, sessions
from civicgrid_platform.errors import InvalidInput, parse_uuid

router = APIRouter(tags=["auth"])


@router.post("/v1/auth/login", response_model=schemas.TokenRead)
async def login(body: schemas.Login, ctx: Ctx, keys: Keys, source: Source) -> schemas.TokenRead:
    issued = await sessions.login(
        ctx, keys, sessions.LoginAttempt(body.tenant, body.username, body.password, source)
    )
    return views.tokens(issued)


@router.post("/v1/auth/refresh", response_model=schemas.TokenRead)
async def refresh(
    body: schemas.RefreshIn, ctx: Ctx, keys: Keys, source: Source
) -> schemas.TokenRead:
    return views.tokens(await sessions.refresh(ctx, keys, body.refresh_token, source))


@router.post("/v1/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: schemas.RefreshIn, ctx: Ctx, source: Source) -> Response:
    await sessions.logout(ctx, body.refresh_token, source)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/v1/oauth/token", response_model=schemas.TokenRead)
async def client_token(
    ctx: Ctx,
    keys: Keys,
    source: Source,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str, Form(min_length=1, max_length=64)],
    client_secret: Annotated[str, Form(min_length=1, max_length=256)],
    scope: Annotated[str | None, Form(max_length=2000)] = None,
    # A platform service client acting in this district (needs scope tenants:act).
    tenant_id: Annotated[str | None, Form(max_length=64)] = None,
) -> schemas.TokenRead:
    if grant_type != "client_credentials":
        raise InvalidInput("only client_credentials is supported", field="grant_type")
    requested = scope.split() if scope else None
    issued = await clients.client_credentials(
        ctx,
        keys,
        client_id,
        client_secret,
        requested,
        tenant_id=parse_uuid(tenant_id, "tenant_id") if tenant_id else None,
        source=source,
    )
    granted = " ".join(issued.scopes) if issued.scopes is not None else None
    return views.tokens(issued, scope=granted)


@router.get("/.well-known/jwks.json", tags=["auth"])
async def jwks(keys: Keys) -> Response:
    return Response(
        await keys.jwks_json(),
        media_type="application/json",
        headers={"Cache-Control": "public, max-age=60"},
    )
