"""The signing key ring: sign with the newest key, publish every key whose tokens may still live.

Each replica caches the active key briefly; after a rotation other replicas keep signing with
the previous key for up to `cache_seconds`, which is safe because it stays in the JWKS.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import TextClause, text

from civicgrid_identity.db.keys_repo import KeyRepository
from civicgrid_identity.usecases.context import IdentityContext
from civicgrid_platform.auth import (
    SigningKey,
    generate_signing_key,
    load_signing_key,
    signing_key_to_pem,
)

# Advisory lock id serialising key creation/rotation across replicas.
_RING_LOCK = 7236101


@dataclass(frozen=True, slots=True)
class RotatedKey:
    kid: str
    activates_at: datetime


class KeyRing:
    def __init__(self, ctx: IdentityContext, *, cache_seconds: float = 30.0) -> None:
        self.ctx = ctx
        self.cache_seconds = cache_seconds
        self._active: SigningKey | None = None
        self._jwks: bytes | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def signing_key(self) -> SigningKey:
        await self._refresh_if_stale()
        assert self._active is not None
        return self._active

    async def jwks_json(self) -> bytes:
        await self._refresh_if_stale()
        assert self._jwks is not None
        return self._jwks

    def invalidate(self) -> None:
        self._loaded_at = 0.0

    async def ensure_key(self) -> None:
        """Create the first key when the ring is empty (many replicas may start at once).

        The very first key signs at once: no verifier can have cached a key set yet.
        """
        async with self.ctx.uow(tenant_id=None) as uow:
            await uow.session.execute(_advisory_lock())
            repo = KeyRepository(uow.session)
            if await repo.newest() is None:
                await self._add_new_key(repo, activates_at=self.ctx.clock())
            await uow.commit()
        self.invalidate()

    async def rotate(
        self, *, only_if_older_than: float | None = None, lead: timedelta | None = None
    ) -> RotatedKey | None:
        """Publish a new key now; it signs from `lead` later (default: the policy's publish lead).

        The previous keys stay published until their last tokens have expired. With
        only_if_older_than (seconds), rotate only when the newest key is that old: the timer on
        every replica calls this and at most one rotation happens.
        """
        now = self.ctx.clock()
        policy = self.ctx.tokens
        async with self.ctx.uow(tenant_id=None) as uow:
            await uow.session.execute(_advisory_lock())
            repo = KeyRepository(uow.session)
            newest = await repo.newest()
            if (
                only_if_older_than is not None
                and newest is not None
                and (now - newest.activates_at).total_seconds() < only_if_older_than
            ):
                return None
            activates_at = now + (policy.key_publish_lead if lead is None else lead)
            kid = await self._add_new_key(repo, activates_at=activates_at)
            await repo.retire_all_but(
                kid,
                retired_at=activates_at,
                published_until=activates_at + policy.access_ttl + policy.jwks_grace,
            )
            await uow.commit()
        self.invalidate()
        return RotatedKey(kid, activates_at)

    async def _add_new_key(self, repo: KeyRepository, *, activates_at: datetime) -> str:
        key = generate_signing_key()
        await repo.add(
            kid=key.kid,
            algorithm="RS256",
            private_sealed=self.ctx.key_sealer.seal(signing_key_to_pem(key)),
            public_jwk=key.public_jwk(),
            activates_at=activates_at,
        )
        return key.kid

    async def _refresh_if_stale(self) -> None:
        if self._active is not None and time.monotonic() - self._loaded_at < self.cache_seconds:
            return
        async with self._lock:
            if self._active is not None and time.monotonic() - self._loaded_at < self.cache_seconds:
                return
            async with self.ctx.uow(tenant_id=None) as uow:
                repo = KeyRepository(uow.session)
                now = self.ctx.clock()
                active = await repo.active(now)
                published = await repo.published(now)
            if active is None:
                raise RuntimeError("no signing key: run ensure_key() at start")
            if self._active is None or self._active.kid != active.kid:
                pem = self.ctx.key_sealer.unseal(active.private_sealed)
                self._active = load_signing_key(pem, kid=active.kid)
            keys: list[dict[str, Any]] = [k.public_jwk for k in published]
            self._jwks = json.dumps({"keys": keys}).encode()
            self._loaded_at = time.monotonic()


def _advisory_lock() -> TextClause:
    return text(f"SELECT pg_advisory_xact_lock({_RING_LOCK})")
