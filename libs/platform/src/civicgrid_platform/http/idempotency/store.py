"""IdempotencyStore: claim a key atomically, then record the answer or give the key back.

Each call is its own short transaction on the service's engine, apart from the handler's
own unit of work. Times come from the database clock, so replicas agree on expiry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Interval,
    MetaData,
    and_,
    delete,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from civicgrid_platform.http.idempotency.table import (
    COMPLETED,
    DEFAULT_TABLE_NAME,
    IN_PROGRESS,
    idempotency_table,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IdempotencyOptions:
    table_name: str = DEFAULT_TABLE_NAME
    ttl: timedelta = timedelta(hours=24)
    # A claim this old whose request never finished (the replica died) may be taken over by a
    # retry with the same body; before that, retries get 409.
    in_progress_timeout: timedelta = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Claim:
    scope: str
    key: str
    claimed_at: datetime  # identifies this claim, so a superseded owner cannot touch the row


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Claimed:
    claim: Claim


@dataclass(frozen=True, slots=True)
class Replay:
    response: StoredResponse


@dataclass(frozen=True, slots=True)
class InProgress:
    pass


@dataclass(frozen=True, slots=True)
class KeyReused:
    pass


ClaimOutcome = Claimed | Replay | InProgress | KeyReused


class IdempotencyStore:
    def __init__(self, engine: AsyncEngine, options: IdempotencyOptions) -> None:
        self.engine = engine
        self.options = options
        self.table = idempotency_table(MetaData(), options.table_name)

    async def claim(self, scope: str, key: str, fingerprint: str) -> ClaimOutcome:
        t = self.table
        now = func.now()
        expires_at = now + literal(self.options.ttl, Interval())
        # A concurrent release can delete the row between our statements; looking again
        # settles it, and two rounds are enough for that race.
        for _ in range(3):
            async with self.engine.begin() as conn:
                claimed_at = await conn.scalar(
                    insert(t)
                    .values(
                        scope=scope,
                        key=key,
                        fingerprint=fingerprint,
                        state=IN_PROGRESS,
                        created_at=now,
                        expires_at=expires_at,
                    )
                    .on_conflict_do_nothing(index_elements=[t.c.scope, t.c.key])
                    .returning(t.c.created_at)
                )
                if claimed_at is not None:
                    return Claimed(Claim(scope, key, claimed_at))
                abandoned_before = now - literal(self.options.in_progress_timeout, Interval())
                claimed_at = await conn.scalar(
                    update(t)
                    .where(
                        t.c.scope == scope,
                        t.c.key == key,
                        or_(
                            t.c.expires_at <= now,
                            and_(
                                t.c.state == IN_PROGRESS,
                                t.c.fingerprint == fingerprint,
                                t.c.created_at <= abandoned_before,
                            ),
                        ),
                    )
                    .values(
                        fingerprint=fingerprint,
                        state=IN_PROGRESS,
                        status_code=None,
                        response_body=None,
                        response_headers=None,
                        created_at=now,
                        expires_at=expires_at,
                    )
                    .returning(t.c.created_at)
                )
                if claimed_at is not None:
                    return Claimed(Claim(scope, key, claimed_at))
                row = (
                    await conn.execute(
                        select(
                            t.c.fingerprint,
                            t.c.state,
                            t.c.status_code,
                            t.c.response_body,
                            t.c.response_headers,
                        ).where(t.c.scope == scope, t.c.key == key)
                    )
                ).one_or_none()
            if row is None:
                continue
            if row.fingerprint != fingerprint:
                return KeyReused()
            if row.state != COMPLETED:
                return InProgress()
            return Replay(
                StoredResponse(row.status_code, row.response_body, dict(row.response_headers))
            )
        raise RuntimeError(f"idempotency key {key!r} kept changing under us")

    async def complete(self, claim: Claim, response: StoredResponse) -> bool:
        """Record the answer; False if the claim was lost (expired and taken over)."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(self.table)
                .where(*self._owned(claim))
                .values(
                    state=COMPLETED,
                    status_code=response.status_code,
                    response_body=response.body,
                    response_headers=response.headers,
                )
            )
        return bool(result.rowcount)

    async def release(self, claim: Claim) -> None:
        """Give the key back after a failed request, so the client may retry with it."""
        async with self.engine.begin() as conn:
            await conn.execute(delete(self.table).where(*self._owned(claim)))

    async def purge_expired(self, *, batch_size: int = 1000) -> int:
        """Delete up to `batch_size` expired keys (for a periodic job); returns how many."""
        t = self.table
        doomed = (
            select(t.c.scope, t.c.key)
            .where(t.c.expires_at <= func.now())
            .limit(batch_size)
            .with_for_update(skip_locked=True)
        )
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(t).where(tuple_(t.c.scope, t.c.key).in_(doomed)))
        return int(result.rowcount)

    def _owned(self, claim: Claim) -> tuple[Any, ...]:
        t = self.table
        return (
            t.c.scope == claim.scope,
            t.c.key == claim.key,
            t.c.state == IN_PROGRESS,
            t.c.created_at == claim.claimed_at,
        )
