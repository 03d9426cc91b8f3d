"""Platform service clients (notifications, ...) ensured from identity's settings at start.

They live in the platform tenant. The settings are their truth: a changed secret or scope list
is written over the stored one, and a service client no longer listed is disabled, so removing
it from the settings revokes it. Every replica runs this at start; each step is safe to race.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from civicgrid_identity.db.auth_repo import AuthRepository
from civicgrid_identity.db.tenants_repo import DirectoryRepository, TenantRepository
from civicgrid_identity.usecases.clients import SCOPE_RE, client_secret_hash
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.platform_admin import PLATFORM_TENANT, ensure_platform_tenant
from civicgrid_platform.errors import Conflict, InvalidInput

# No underscore: never equal to an integrator's generated "cli_..." id.
CLIENT_ID_RE = re.compile(r"^[a-z][a-z0-9-]{2,63}$")
MIN_SECRET_LENGTH = 32
# Marks the clients this module owns, so it disables only those when they leave the settings.
SERVICE_CLIENT_NAME = "platform service (from settings)"
SETTING = "service_clients"


@dataclass(frozen=True, slots=True)
class ServiceClient:
    client_id: str
    secret: str
    scopes: tuple[str, ...]


def _validated(wanted: Sequence[ServiceClient]) -> None:
    seen: set[str] = set()
    for i, client in enumerate(wanted):
        if not CLIENT_ID_RE.match(client.client_id) or client.client_id in seen:
            raise InvalidInput(
                "a unique id of 3-64 lowercase letters, digits and dashes",
                field=f"{SETTING}.{i}.client_id",
            )
        seen.add(client.client_id)
        if len(client.secret) < MIN_SECRET_LENGTH:
            raise InvalidInput(
                f"at least {MIN_SECRET_LENGTH} characters", field=f"{SETTING}.{i}.secret"
            )
        for scope in client.scopes:
            if not SCOPE_RE.match(scope):
                raise InvalidInput(f"not a scope: {scope!r}", field=f"{SETTING}.{i}.scopes")


async def ensure_service_clients(ctx: IdentityContext, wanted: Sequence[ServiceClient]) -> None:
    _validated(wanted)
    if wanted:
        platform_id = (await ensure_platform_tenant(ctx)).id
    else:
        async with ctx.uow(tenant_id=None) as uow:
            platform = await TenantRepository(uow.session).by_slug(PLATFORM_TENANT)
        if platform is None:
            return  # no platform tenant: no service client was ever made
        platform_id = platform.id
    async with ctx.uow(tenant_id=None) as uow:
        directory = DirectoryRepository(uow.session)
        for client in wanted:
            if await directory.claim_client(client.client_id, platform_id) != platform_id:
                raise Conflict(
                    f"client id {client.client_id!r} belongs to a district", field=SETTING
                )
        await uow.commit()
    async with ctx.uow(tenant_id=platform_id) as uow:
        auth = AuthRepository(uow.session, platform_id)
        for client in wanted:
            stored = await auth.client(client.client_id)
            secret_hash = client_secret_hash(client.secret)
            scopes = sorted(set(client.scopes))
            if (
                stored is not None
                and not stored.disabled
                and stored.secret_hash == secret_hash
                and stored.scopes == scopes
            ):
                continue
            await auth.upsert_client(
                client_id=client.client_id,
                name=SERVICE_CLIENT_NAME,
                secret_hash=secret_hash,
                scopes=scopes,
            )
            await auth.audit(
                "client.registered" if stored is None else "client.updated",
                actor=SETTING,
                subject=client.client_id,
                source=None,
                scopes=scopes,
            )
        keep = [client.client_id for client in wanted]
        for client_id in await auth.disable_clients(named=SERVICE_CLIENT_NAME, keep=keep):
            await auth.audit("client.disabled", actor=SETTING, subject=client_id, source=None)
        await uow.commit()
