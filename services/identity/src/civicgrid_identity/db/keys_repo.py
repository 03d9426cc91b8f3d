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
    retired_at: datetime | None
    published_until: datetime | None


def _key(row: Any) -> SigningKeyRecord:
    m = row._mapping
    return SigningKeyRecord(
        m["kid"],
        m["algorithm"],
        m["private_sealed"],
        m["public_jwk"],
        m["created_at"],
        m["retired_at"],
        m["published_until"],
    )


class KeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, kid: str, algorithm: str, private_sealed: bytes, public_jwk: dict[str, Any]
    ) -> None:
        await self.session.execute(
            insert(signing_keys).values(
                kid=kid, algorithm=algorithm, private_sealed=private_sealed, public_jwk=public_jwk
            )
        )

    async def lock_ring(self) -> None:
        """Serialise rotations across replicas for this transaction."""
        await self.session.execute(select(signing_keys.c.kid).with_for_update())

    async def active(self) -> SigningKeyRecord | None:
        q = (
            select(signing_keys)
            .where(signing_keys.c.retired_at.is_(None))
            .order_by(signing_keys.c.created_at.desc())
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
            .order_by(signing_keys.c.created_at.desc())
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
