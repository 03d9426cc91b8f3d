"""Integrator clients: registered by a tenant admin, exchanging credentials for scoped tokens;
platform service clients also for tokens in a named district."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from uuid import UUID

from civicgrid_identity.db.auth_repo import AuthRepository, ClientRecord
from civicgrid_identity.db.tenants_repo import DirectoryRepository, TenantRepository
from civicgrid_identity.domain.access import can_manage_people
from civicgrid_identity.domain.errors import InvalidCredentials
from civicgrid_identity.usecases.care import DEVICE_RESOLVE_SCOPE
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_identity.usecases.platform_admin import PLATFORM_TENANT
from civicgrid_identity.usecases.tokens import IssuedTokens
from civicgrid_platform.auth import Principal, build_claims
from civicgrid_platform.errors import Forbidden, InvalidInput

SCOPE_RE = re.compile(r"^[a-z][a-z0-9_.:-]{1,63}$")
# Lets a platform service client ask for a token in a named district (form field tenant_id).
TENANTS_ACT_SCOPE = "tenants:act"
# Scopes that reach beyond one district: only a platform admin hands them out.
PLATFORM_SCOPES = frozenset({TENANTS_ACT_SCOPE, DEVICE_RESOLVE_SCOPE})


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    client_id: str
    client_secret: str  # shown once
    name: str
    scopes: list[str]


def client_secret_hash(secret: str) -> str:
    # Client secrets are long and random (256-bit generated, or 32+ characters from settings):
    # a fast hash is enough, no password stretching needed.
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
        if scope in PLATFORM_SCOPES and not actor.is_platform_admin:
            raise Forbidden(f"only a platform admin grants {scope}", field=f"scopes.{i}")
    tenant_id = actor.tenant_uuid
    client_id = "cli_" + secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        await DirectoryRepository(uow.session).add_client(client_id, tenant_id)
        auth = AuthRepository(uow.session, tenant_id)
        await auth.add_client(
            client_id=client_id,
            name=name.strip(),
            secret_hash=client_secret_hash(secret),
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
    *,
    tenant_id: UUID | None = None,
    source: str | None = None,
) -> IssuedTokens:
    """A token in the client's own tenant; with tenant_id, a platform service client's token
    in that district (see _act_in_tenant)."""
    home, client = await _authenticated(ctx, client_id, client_secret)
    if tenant_id is not None:
        return await _act_in_tenant(ctx, keyring, home, client, requested, tenant_id, source)
    scopes = _granted(client, requested)
    return await _signed(ctx, keyring, client_id, home, scopes)


async def _authenticated(
    ctx: IdentityContext, client_id: str, client_secret: str
) -> tuple[UUID, ClientRecord]:
    async with ctx.uow(tenant_id=None) as uow:
        tenant_id = await DirectoryRepository(uow.session).tenant_of_client(client_id)
    if tenant_id is None:
        raise InvalidCredentials()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        client = await AuthRepository(uow.session, tenant_id).client(client_id)
    if (
        client is None
        or client.disabled
        or not hmac.compare_digest(client.secret_hash, client_secret_hash(client_secret))
    ):
        raise InvalidCredentials()
    return tenant_id, client


def _granted(
    client: ClientRecord, requested: list[str] | None, *, withheld: str | None = None
) -> list[str]:
    """The requested scopes (default: all the client's), minus one never granted here."""
    if requested is None:
        return sorted({scope for scope in client.scopes if scope != withheld})
    if withheld is not None and withheld in requested:
        raise InvalidInput(f"{withheld} is not granted inside a district", field="scope")
    if not set(requested) <= set(client.scopes):
        raise InvalidInput("a requested scope is not granted to this client", field="scope")
    return sorted(set(requested))


async def _act_in_tenant(
    ctx: IdentityContext,
    keyring: KeyRing,
    home: UUID,
    client: ClientRecord,
    requested: list[str] | None,
    tenant_id: UUID,
    source: str | None,
) -> IssuedTokens:
    """Only a client of the platform tenant holding TENANTS_ACT_SCOPE acts in a district; the
    exchange is audited in both tenants, so the district's admins see who acted there."""
    async with ctx.uow(tenant_id=None) as uow:
        tenants = TenantRepository(uow.session)
        platform = await tenants.by_slug(PLATFORM_TENANT)
        target = await tenants.by_id(tenant_id)
    if platform is None or home != platform.id or TENANTS_ACT_SCOPE not in client.scopes:
        async with ctx.uow(tenant_id=home) as uow:
            await AuthRepository(uow.session, home).audit(
                "client.tenant_token_refused",
                actor=client.client_id,
                subject=str(tenant_id),
                source=source,
            )
            await uow.commit()
        raise Forbidden(
            f"only a platform service client holding {TENANTS_ACT_SCOPE} acts in a district",
            field="tenant_id",
        )
    if target is None:
        raise InvalidInput("no such district", field="tenant_id")
    scopes = _granted(client, requested, withheld=TENANTS_ACT_SCOPE)
    for tenant in {home, tenant_id}:
        async with ctx.uow(tenant_id=tenant) as uow:
            await AuthRepository(uow.session, tenant).audit(
                "client.tenant_token_issued",
                actor=client.client_id,
                subject=str(tenant_id),
                source=source,
                scopes=scopes,
            )
            await uow.commit()
    return await _signed(ctx, keyring, client.client_id, tenant_id, scopes)


async def _signed(
    ctx: IdentityContext, keyring: KeyRing, client_id: str, tenant_id: UUID, scopes: list[str]
) -> IssuedTokens:
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
    return IssuedTokens(token, int(ctx.tokens.access_ttl.total_seconds()), scopes=tuple(scopes))
