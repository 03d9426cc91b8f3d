"""What the webhook dispatcher reads and writes in one district: due messages with their
endpoint, the attempts made, each message's next state and the endpoint's health."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from uuid import UUID

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.metadata import timers
from civicgrid_notifications.db.tables_webhooks import (
    webhook_attempts,
    webhook_messages,
    webhook_subscriptions,
)
from civicgrid_notifications.db.webhooks_repo import STORED_SECRETS, StoredSecrets
from civicgrid_notifications.domain.webhooks import FAILED, PENDING, WEBHOOK_TIMER


@dataclass(frozen=True, slots=True)
class DueMessage:
    id: UUID
    subscription_id: UUID
    body: str
    attempt: int  # the number of the attempt about to be made, in this round
    url: str
    secrets: StoredSecrets  # as stored: opened just before signing


@dataclass(frozen=True, slots=True)
class AttemptRow:
    message_id: UUID
    number: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None
    error: str
    response: str


@dataclass(frozen=True, slots=True)
class MessageState:
    id: UUID
    status: str
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    finished_at: datetime | None


_ATTEMPT_FIELDS = tuple(f.name for f in fields(AttemptRow))
_M = webhook_messages.c
_S = webhook_subscriptions.c
_T = timers.c
_CHANGE_STATE = (
    update(webhook_messages)
    .where(_M.id == bindparam("m_id"))
    .values(
        status=bindparam("m_status"),
        next_attempt_at=bindparam("m_next"),
        last_status_code=bindparam("m_code"),
        last_error=bindparam("m_error"),
        finished_at=bindparam("m_finished"),
    )
)


class WebhookDispatchRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def take(self, message_ids: Sequence[UUID]) -> list[DueMessage]:
        """The waiting messages among `message_ids` whose endpoint is enabled, each counting
        the attempt about to be made (a crash mid-send spends it: retries stay bounded)."""
        statement = (
            update(webhook_messages)
            .where(
                _M.tenant_id == self.tenant_id,
                _M.id.in_(message_ids),
                _M.status == PENDING,
                _S.tenant_id == self.tenant_id,
                _S.id == _M.subscription_id,
                _S.enabled,
            )
            .values(attempts=_M.attempts + 1)
            .returning(
                _M.id,
                _M.subscription_id,
                _M.body,
                _M.attempts,
                _S.url,
                *STORED_SECRETS,
            )
        )
        return [
            DueMessage(r[0], r[1], r[2], r[3], r[4], StoredSecrets(*r[5:]))
            for r in await self.session.execute(statement)
        ]

    async def fail_waiting(self, message_ids: Sequence[UUID], reason: str, now: datetime) -> None:
        """Fails those of `message_ids` still waiting (their endpoint was disabled meanwhile)."""
        await self.session.execute(
            update(webhook_messages)
            .where(_M.tenant_id == self.tenant_id, _M.id.in_(message_ids), _M.status == PENDING)
            .values(status=FAILED, next_attempt_at=None, finished_at=now, last_error=reason)
        )

    async def still_leased(self, message_ids: Sequence[UUID], lease_end: datetime) -> set[UUID]:
        """Those of `message_ids` whose timer still carries this batch's lease, locked: another
        dispatcher cannot have taken them over (that happens only after the lease ran out)."""
        query = (
            select(_T.subject_id)
            .where(
                _T.kind == WEBHOOK_TIMER,
                _T.subject_id.in_(message_ids),
                _T.due_at == lease_end,
            )
            .with_for_update()
        )
        return set((await self.session.execute(query)).scalars())

    async def existing(self, message_ids: Sequence[UUID]) -> set[UUID]:
        """Those of `message_ids` not deleted meanwhile (with their subscription), locked."""
        query = (
            select(_M.id)
            .where(_M.tenant_id == self.tenant_id, _M.id.in_(message_ids))
            .with_for_update()
        )
        return set((await self.session.execute(query)).scalars())

    async def add_attempts(self, rows: Sequence[AttemptRow]) -> None:
        if rows:
            await self.session.execute(
                webhook_attempts.insert(),
                # Field by field: dataclasses.asdict deep-copies every value.
                [
                    {"tenant_id": self.tenant_id, **{f: getattr(row, f) for f in _ATTEMPT_FIELDS}}
                    for row in rows
                ],
            )

    async def set_states(self, states: Sequence[MessageState]) -> None:
        if states:
            await self.session.execute(
                _CHANGE_STATE,
                [
                    {
                        "m_id": s.id,
                        "m_status": s.status,
                        "m_next": s.next_attempt_at,
                        "m_code": s.last_status_code,
                        "m_error": s.last_error,
                        "m_finished": s.finished_at,
                    }
                    for s in states
                ],
            )

    async def answered(self, subscription_ids: Sequence[UUID]) -> None:
        """The endpoints delivered: no longer failing."""
        await self.session.execute(
            update(webhook_subscriptions)
            .where(
                _S.tenant_id == self.tenant_id,
                _S.id.in_(subscription_ids),
                _S.failing_since.is_not(None),
            )
            .values(failing_since=None)
        )

    async def failing(
        self, subscription_ids: Sequence[UUID], now: datetime
    ) -> dict[UUID, datetime]:
        """The enabled ones of the endpoints that failed, with the start of their failures."""
        rows = await self.session.execute(
            update(webhook_subscriptions)
            .where(_S.tenant_id == self.tenant_id, _S.id.in_(subscription_ids), _S.enabled)
            .values(failing_since=func.coalesce(_S.failing_since, now))
            .returning(_S.id, _S.failing_since)
        )
        return {r.id: r.failing_since for r in rows}
