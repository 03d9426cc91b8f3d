"""FastAPI dependencies that turn `Authorization: Bearer` into a Principal.

async def show(principal: CurrentPrincipal) -> ...
@router.post("/x", dependencies=[requires_role("unit_admin")])
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from civicgrid_platform.auth.errors import InvalidToken, PermissionDenied, Unauthenticated
from civicgrid_platform.auth.principal import Principal
from civicgrid_platform.http.state import token_verifier
from civicgrid_platform.logs import current_tenant

# Only declares the scheme in OpenAPI; the header is parsed below so that a malformed
# Authorization header is refused instead of being treated as absent.
_bearer_scheme = HTTPBearer(auto_error=False, bearerFormat="JWT")


async def _principal_or_none(
    request: Request,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)],
) -> Principal | None:
    # One dependency behind both aliases, so FastAPI's per-request cache verifies only once.
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise InvalidToken("expected a Bearer token")
    principal = await token_verifier(request.app).verify(token)
    request.state.principal = principal
    current_tenant.set(principal.tenant_id)
    return principal


async def _require_principal(
    principal: Annotated[Principal | None, Depends(_principal_or_none)],
) -> Principal:
    if principal is None:
        raise Unauthenticated("bearer token required")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_require_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(_principal_or_none)]


def requires_role(*roles: str) -> Any:
    """A dependency refusing (403) principals that hold none of `roles` anywhere in the tenant."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise PermissionDenied(f"requires one of the roles: {', '.join(roles)}")
        return principal

    return Depends(check)


def requires_scope(*scopes: str) -> Any:
    """A dependency refusing (403) principals whose token lacks every one of `scopes`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not any(principal.has_scope(scope) for scope in scopes):
            raise PermissionDenied(f"requires one of the scopes: {', '.join(scopes)}")
        return principal

    return Depends(check)
