"""The delivery log of one subscription: its messages (newest first), each message's attempts,
and replays, which put a delivered or failed message back in line under the same id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables_webhooks import webhook_attempts, webhook_messages
from civicgrid_notifications.domain.webhooks import FAILED, PENDING


@dataclass(frozen=True, slots=True)
class Message:
    id: UUID
    subscription_id: UUID
    event_id: UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    number: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None
    error: str
    response: str


_M = webhook_messages.c
_A = webhook_attempts.c
_MESSAGE = [_M[name] for name in Message.__slots__]
_ATTEMPT = [_A[name] for name in Attempt.__slots__]
# What a replay makes of a message: due now, a fresh round of attempts.
_REPLAYED = {"status": PENDING, "attempts": 0, "finished_at": None, "last_error": ""}


class WebhookLogRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def messages(
        self,
        subscription_id: UUID,
        status: str | None,
        before: tuple[datetime, UUID] | None,
        limit: int,
    ) -> list[Message]:
        query = select(*_MESSAGE).where(
            _M.tenant_id == self.tenant_id, _M.subscription_id == subscription_id
        )
        if status is not None:
            query = query.where(_M.status == status)
        if before is not None:
            query = query.where(tuple_(_M.created_at, _M.id) < tuple_(*map(literal, before)))
        rows = await self.session.execute(
            query.order_by(_M.created_at.desc(), _M.id.desc()).limit(limit)
        )
        return [Message(*r) for r in rows]

    async def message(self, subscription_id: UUID, message_id: UUID) -> tuple[Message, str] | None:
        """The message and its body."""
        query = select(*_MESSAGE, _M.body).where(
            _M.tenant_id == self.tenant_id,
            _M.subscription_id == subscription_id,
            _M.id == message_id,
        )
        row = (await self.session.execute(query)).first()
        return (Message(*row[:-1]), row[-1]) if row else None

    async def attempts(self, message_id: UUID, before: int | None, limit: int) -> list[Attempt]:
        query = select(*_ATTEMPT).where(_A.tenant_id == self.tenant_id, _A.message_id == message_id)
        if before is not None:
            query = query.where(_A.id < before)
        rows = await self.session.execute(query.order_by(_A.id.desc()).limit(limit))
        return [Attempt(*r) for r in rows]

    async def replay(self, subscription_id: UUID, message_id: UUID, now: datetime) -> bool:
        """A delivered or failed message due again now; False when it is still waiting."""
        statement = (
            update(webhook_messages)
            .where(
                _M.tenant_id == self.tenant_id,
                _M.subscription_id == subscription_id,
                _M.id == message_id,
                _M.status != PENDING,
            )
            .values(**_REPLAYED, next_attempt_at=now)
            .returning(_M.id)
        )
        return bool((await self.session.execute(statement)).first())

    async def replay_failed(
        self, subscription_id: UUID, since: datetime, now: datetime
    ) -> list[UUID]:
        """Every failed message queued since `since`, due again now."""
        statement = (
            update(webhook_messages)
            .where(
                _M.tenant_id == self.tenant_id,
                _M.subscription_id == subscription_id,
                _M.status == FAILED,
                _M.created_at >= since,
            )
            .values(**_REPLAYED, next_attempt_at=now)
            .returning(_M.id)
        )
        return list((await self.session.execute(statement)).scalars())
