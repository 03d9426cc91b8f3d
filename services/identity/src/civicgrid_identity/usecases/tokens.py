"""Issuing access and refresh tokens (shared by login, refresh, invitation and client grants)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from civicgrid_identity.db.auth_repo import AuthRepository
from civicgrid_identity.db.people_repo import BindingRecord
from civicgrid_identity.db.tenants_repo import DirectoryRepository
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_platform.auth import build_claims
from civicgrid_platform.db.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str | None = None
    refresh_expires_at: datetime | None = None
    scopes: tuple[str, ...] | None = None  # client tokens: what was granted


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def access_token_for_person(
    ctx: IdentityContext,
    keyring: KeyRing,
    tenant_id: UUID,
    person_id: UUID,
    bindings: list[BindingRecord],
) -> str:
    claims = build_claims(
        issuer=ctx.tokens.issuer,
        audience=ctx.tokens.audience,
        subject=str(person_id),
        tenant_id=str(tenant_id),
        kind="person",
        lifetime=ctx.tokens.access_ttl,
        bindings=[(b.role, str(b.unit_id) if b.unit_id else None) for b in bindings],
        issued_at=ctx.clock(),
    )
    return (await keyring.signing_key()).sign(claims)


async def new_refresh_token(
    ctx: IdentityContext, uow: UnitOfWork, tenant_id: UUID, person_id: UUID, family_id: UUID
) -> tuple[str, datetime]:
    """A fresh opaque refresh token in `family_id`; only its hash is stored."""
    token = "rt_" + secrets.token_urlsafe(32)
    expires_at = ctx.clock() + ctx.tokens.refresh_ttl
    hashed = token_hash(token)
    await AuthRepository(uow.session, tenant_id).add_refresh_token(
        family_id=family_id, person_id=person_id, token_hash=hashed, expires_at=expires_at
    )
    await DirectoryRepository(uow.session).add_refresh_token(hashed, tenant_id)
    return token, expires_at
