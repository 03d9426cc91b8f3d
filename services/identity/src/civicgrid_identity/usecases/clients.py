"""Integrator clients: registered by a tenant admin, exchanging credentials for scoped tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from civicgrid_identity.db.auth_repo import AuthRepository
from civicgrid_identity.db.tenants_repo import DirectoryRepository
from civicgrid_identity.domain.access import can_manage_people
from civicgrid_identity.domain.errors import InvalidCredentials
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_identity.usecases.tokens import IssuedTokens
from civicgrid_platform.auth import Principal, build_claims
from civicgrid_platform.errors import Forbidden, InvalidInput

SCOPE_RE = re.compile(r"^[a-z][a-z0-9_.:-]{1,63}$")


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    client_id: str
    client_secret: str  # shown once
    name: str
    scopes: list[str]


def _secret_hash(secret: str) -> str:
    # Client secrets are 256-bit random: a fast hash is enough, no password stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


async def register_client(
    ctx: IdentityContext, actor: Principal, name: str, scopes: list[str]
) -> RegisteredClient:
    if not can_manage_people(actor.roles):
        raise Forbidden("only a tenant admin registers integrator clients")
    if not name.strip():
        raise InvalidInput("must not be empty", field="name")
    for i, scope in enumerate(scopes):
        if not SCOPE_RE.match(scope):
            raise InvalidInput("scopes are lowercase words like tickets:read", field=f"scopes.{i}")
    tenant_id = actor.tenant_uuid
    client_id = "cli_" + secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        await DirectoryRepository(uow.session).add_client(client_id, tenant_id)
        auth = AuthRepository(uow.session, tenant_id)
        await auth.add_client(
            client_id=client_id,
            name=name.strip(),
            secret_hash=_secret_hash(secret),
            scopes=sorted(set(scopes)),
        )
        await auth.audit(
            "client.registered",
            actor=actor.subject,
            subject=client_id,
            source=None,
            scopes=sorted(set(scopes)),
        )
        await uow.commit()
    return RegisteredClient(client_id, secret, name.strip(), sorted(set(scopes)))


async def client_credentials(
    ctx: IdentityContext,
    keyring: KeyRing,
    client_id: str,
    client_secret: str,
    requested: list[str] | None,
) -> IssuedTokens:
    async with ctx.uow(tenant_id=None) as uow:
        tenant_id = await DirectoryRepository(uow.session).tenant_of_client(client_id)
    if tenant_id is None:
        raise InvalidCredentials()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        client = await AuthRepository(uow.session, tenant_id).client(client_id)
    if (
        client is None
        or client.disabled
        or not hmac.compare_digest(client.secret_hash, _secret_hash(client_secret))
    ):
        raise InvalidCredentials()
    scopes = client.scopes if requested is None else requested
    if not set(scopes) <= set(client.scopes):
        raise InvalidInput("a requested scope is not granted to this client", field="scope")
    claims = build_claims(
        issuer=ctx.tokens.issuer,
        audience=ctx.tokens.audience,
        subject=client_id,
        tenant_id=str(tenant_id),
        kind="client",
        lifetime=ctx.tokens.access_ttl,
        scopes=scopes,
        issued_at=ctx.clock(),
    )
    token = (await keyring.signing_key()).sign(claims)
    return IssuedTokens(token, int(ctx.tokens.access_ttl.total_seconds()))
