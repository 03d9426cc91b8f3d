"""Login (with lockout), refresh-token rotation with reuse detection, logout."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from civicgrid_identity.db.auth_repo import AuthRepository
from civicgrid_identity.db.people_repo import PeopleRepository, PersonRecord
from civicgrid_identity.db.tenants_repo import DirectoryRepository, TenantRepository
from civicgrid_identity.domain import lockout
from civicgrid_identity.domain.errors import AccountLocked, InvalidCredentials, RefreshTokenInvalid
from civicgrid_identity.domain.model import PersonStatus, normalise_username
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_identity.usecases.keyring import KeyRing
from civicgrid_identity.usecases.tokens import (
    IssuedTokens,
    access_token_for_person,
    new_refresh_token,
    token_hash,
)
from civicgrid_platform.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    tenant_slug: str
    username: str
    password: str
    source: str  # client address, for the per-source throttle


async def login(ctx: IdentityContext, keyring: KeyRing, attempt: LoginAttempt) -> IssuedTokens:
    try:
        username = normalise_username(attempt.username)
    except InvalidInput:
        raise InvalidCredentials() from None
    async with ctx.uow(tenant_id=None) as uow:
        tenant = await TenantRepository(uow.session).by_slug(attempt.tenant_slug)
    if tenant is None:
        await asyncio.to_thread(ctx.passwords.verify, None, attempt.password)  # same cost as a miss
        raise InvalidCredentials()

    now = ctx.clock()
    async with ctx.uow(tenant_id=tenant.id) as uow:
        auth = AuthRepository(uow.session, tenant.id)
        for scope, key in (("source", attempt.source), ("account", username)):
            until = lockout.locked_until(await auth.throttle_for_update(scope, key), now)
            if until is not None:
                raise AccountLocked(
                    "too many failed logins; try again later",
                    retry_after_seconds=max(1, int((until - now).total_seconds())),
                )
        person = await PeopleRepository(uow.session, tenant.id).by_username(username)

    usable = person is not None and person.status == PersonStatus.ACTIVE.value
    ok = await asyncio.to_thread(
        ctx.passwords.verify, person.password_hash if usable and person else None, attempt.password
    )
    if not ok or person is None:
        await _record_failure(ctx, tenant.id, attempt.source, username, person)
        raise InvalidCredentials()
    return await _start_session(ctx, keyring, person, attempt.source, username)


async def _record_failure(
    ctx: IdentityContext,
    tenant_id: uuid.UUID,
    source: str,
    username: str,
    person: PersonRecord | None,
) -> None:
    now = ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        auth = AuthRepository(uow.session, tenant_id)
        locked = False
        for scope, key, policy in (
            ("source", source, lockout.SOURCE_POLICY),
            ("account", username, lockout.ACCOUNT_POLICY),
        ):
            state = lockout.after_failure(policy, await auth.throttle_for_update(scope, key), now)
            await auth.save_throttle(scope, key, state)
            locked = locked or state.locked_until is not None
        subject = str(person.id) if person else None
        await auth.audit("login.failed", actor=subject, subject=username, source=source)
        if locked:
            await auth.audit("login.locked", actor=subject, subject=username, source=source)
        await uow.commit()


async def _start_session(
    ctx: IdentityContext, keyring: KeyRing, person: PersonRecord, source: str, username: str
) -> IssuedTokens:
    tenant_id = person.tenant_id
    async with ctx.uow(tenant_id=tenant_id) as uow:
        auth = AuthRepository(uow.session, tenant_id)
        await auth.clear_throttle("account", username)
        bindings = (await PeopleRepository(uow.session, tenant_id).bindings_of([person.id]))[
            person.id
        ]
        refresh, refresh_expires = await new_refresh_token(
            ctx, uow, tenant_id, person.id, uuid.uuid4()
        )
        await auth.audit("login.succeeded", actor=str(person.id), subject=username, source=source)
        await uow.commit()
    access = await access_token_for_person(ctx, keyring, tenant_id, person.id, bindings)
    return IssuedTokens(
        access, int(ctx.tokens.access_ttl.total_seconds()), refresh, refresh_expires
    )


async def refresh(
    ctx: IdentityContext, keyring: KeyRing, refresh_token: str, source: str
) -> IssuedTokens:
    """Rotate: the presented token is spent and a new one of the same family is issued.

    A spent token presented again means it was stolen (or the client is broken): the whole
    family is revoked, so the thief's newer token dies too.
    """
    hashed = token_hash(refresh_token)
    async with ctx.uow(tenant_id=None) as uow:
        tenant_id = await DirectoryRepository(uow.session).tenant_of_refresh_token(hashed)
    if tenant_id is None:
        raise RefreshTokenInvalid("unknown refresh token")
    now = ctx.clock()
    async with ctx.uow(tenant_id=tenant_id) as uow:
        auth = AuthRepository(uow.session, tenant_id)
        record = await auth.refresh_token_for_update(hashed)
        if record is None or record.revoked_at is not None or record.expires_at <= now:
            raise RefreshTokenInvalid("refresh token expired or revoked")
        if record.used_at is not None:
            revoked = await auth.revoke_family(record.family_id)
            await auth.audit(
                "refresh.reused",
                actor=str(record.person_id),
                subject=str(record.family_id),
                source=source,
                revoked=revoked,
            )
            await uow.commit()
            raise RefreshTokenInvalid("refresh token was already used; the session is revoked")
        people = PeopleRepository(uow.session, tenant_id)
        person = await people.get(record.person_id)
        if person is None or person.status != PersonStatus.ACTIVE.value:
            raise RefreshTokenInvalid("account is not active")
        await auth.mark_used(record.id)
        token, expires = await new_refresh_token(ctx, uow, tenant_id, person.id, record.family_id)
        bindings = (await people.bindings_of([person.id]))[person.id]
        await uow.commit()
    access = await access_token_for_person(ctx, keyring, tenant_id, person.id, bindings)
    return IssuedTokens(access, int(ctx.tokens.access_ttl.total_seconds()), token, expires)


async def logout(ctx: IdentityContext, refresh_token: str, source: str) -> None:
    """Revoke the session (the refresh-token family); unknown tokens are ignored (idempotent)."""
    hashed = token_hash(refresh_token)
    async with ctx.uow(tenant_id=None) as uow:
        tenant_id = await DirectoryRepository(uow.session).tenant_of_refresh_token(hashed)
    if tenant_id is None:
        return
    async with ctx.uow(tenant_id=tenant_id) as uow:
        auth = AuthRepository(uow.session, tenant_id)
        record = await auth.refresh_token_for_update(hashed)
        if record is not None:
            await auth.revoke_family(record.family_id)
            await auth.audit(
                "logout", actor=str(record.person_id), subject=str(record.family_id), source=source
            )
            await uow.commit()
