"""The signing key ring (platform-level: one ring signs tokens for every tenant)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_identity.db.tables import signing_keys


@dataclass(frozen=True, slots=True)
class SigningKeyRecord:
    kid: str
    algorithm: str
    private_sealed: bytes
    public_jwk: dict[str, Any]
    created_at: datetime
    activates_at: datetime
    retired_at: datetime | None
    published_until: datetime | None


def _key(row: Any) -> SigningKeyRecord:
    return SigningKeyRecord(**{name: row._mapping[name] for name in SigningKeyRecord.__slots__})


class KeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        kid: str,
        algorithm: str,
        private_sealed: bytes,
        public_jwk: dict[str, Any],
        activates_at: datetime,
    ) -> None:
        await self.session.execute(
            insert(signing_keys).values(
                kid=kid,
                algorithm=algorithm,
                private_sealed=private_sealed,
                public_jwk=public_jwk,
                activates_at=activates_at,
            )
        )

    async def newest(self) -> SigningKeyRecord | None:
        q = select(signing_keys).order_by(signing_keys.c.activates_at.desc()).limit(1)
        row = (await self.session.execute(q)).first()
        return _key(row) if row else None

    async def active(self, now: datetime) -> SigningKeyRecord | None:
        """The key to sign with: the most recently activated one."""
        q = (
            select(signing_keys)
            .where(signing_keys.c.activates_at <= now)
            .order_by(signing_keys.c.activates_at.desc())
            .limit(1)
        )
        row = (await self.session.execute(q)).first()
        return _key(row) if row else None

    async def published(self, now: datetime) -> list[SigningKeyRecord]:
        q = (
            select(signing_keys)
            .where(
                or_(signing_keys.c.published_until.is_(None), signing_keys.c.published_until > now)
            )
            .order_by(signing_keys.c.activates_at.desc())
        )
        return [_key(r) for r in await self.session.execute(q)]

    async def retire_all_but(
        self, kid: str, *, retired_at: datetime, published_until: datetime
    ) -> None:
        await self.session.execute(
            update(signing_keys)
            .where(signing_keys.c.kid != kid, signing_keys.c.retired_at.is_(None))
            .values(retired_at=retired_at, published_until=published_until)
        )
