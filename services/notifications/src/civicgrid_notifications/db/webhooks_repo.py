"""Webhook subscriptions, their secrets, the messages queued for them and the district's
internal-integration setting, always within one district (row-level security refuses the rest
anyway). The due time of a waiting message is its timer (kind WEBHOOK_TIMER)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, literal, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.metadata import timers
from civicgrid_notifications.db.tables import districts
from civicgrid_notifications.db.tables_webhooks import webhook_messages, webhook_subscriptions
from civicgrid_notifications.domain.webhooks import FAILED, PENDING, WEBHOOK_TIMER


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription as its admin reads it: never its secrets."""

    id: UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    failing_since: datetime | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoredSecrets:
    """A subscription's secrets as stored: sealed, or in plaintext as the release before
    sealing wrote them (see tables_webhooks). Opened by usecases.webhook_secrets."""

    subscription_id: UUID
    sealed: bytes | None
    previous_sealed: bytes | None
    previous_expires_at: datetime | None
    plaintext: str | None = None
    previous_plaintext: str | None = None


_S = webhook_subscriptions.c
_M = webhook_messages.c
_T = timers.c
_SUBSCRIPTION = [_S[name] for name in Subscription.__slots__]
_TIMERS_PER_STATEMENT = 1000
# StoredSecrets' columns, in its fields' order.
STORED_SECRETS = (
    _S.id,
    _S.secret_sealed,
    _S.previous_secret_sealed,
    _S.previous_secret_expires_at,
    _S.secret,
    _S.previous_secret,
)


class WebhooksRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # The district's setting

    async def internal_allowed(self) -> bool:
        """Whether the district may target internal addresses; no row yet: it may not."""
        query = select(districts.c.internal_webhooks).where(districts.c.tenant_id == self.tenant_id)
        return bool(await self.session.scalar(query))

    async def set_internal_allowed(self, allowed: bool, timezone: str, locale: str) -> None:
        """Upsert: the district's row may not exist yet (identity's tenant.created fills it);
        a new row gets the service's default zone and language."""
        statement = insert(districts).values(
            tenant_id=self.tenant_id, timezone=timezone, locale=locale, internal_webhooks=allowed
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[districts.c.tenant_id],
                set_={"internal_webhooks": statement.excluded.internal_webhooks},
            )
        )

    # Subscriptions

    async def count(self) -> int:
        query = select(func.count()).where(_S.tenant_id == self.tenant_id)
        return int(await self.session.scalar(query) or 0)

    async def add(self, values: Mapping[str, Any]) -> Subscription:
        statement = webhook_subscriptions.insert().values(tenant_id=self.tenant_id, **values)
        return Subscription(
            *(await self.session.execute(statement.returning(*_SUBSCRIPTION))).one()
        )

    async def get(self, subscription_id: UUID, *, lock: bool = False) -> Subscription | None:
        query = select(*_SUBSCRIPTION).where(
            _S.tenant_id == self.tenant_id, _S.id == subscription_id
        )
        row = (await self.session.execute(query.with_for_update() if lock else query)).first()
        return Subscription(*row) if row else None

    async def page(self, after: tuple[datetime, UUID] | None, limit: int) -> list[Subscription]:
        query = select(*_SUBSCRIPTION).where(_S.tenant_id == self.tenant_id)
        if after is not None:
            query = query.where(tuple_(_S.created_at, _S.id) > tuple_(*map(literal, after)))
        rows = await self.session.execute(query.order_by(_S.created_at, _S.id).limit(limit))
        return [Subscription(*r) for r in rows]

    async def change(
        self, subscription_id: UUID, changes: Mapping[str, Any], now: datetime
    ) -> Subscription | None:
        statement = (
            update(webhook_subscriptions)
            .where(_S.tenant_id == self.tenant_id, _S.id == subscription_id)
            .values(**changes, updated_at=now)
            .returning(*_SUBSCRIPTION)
        )
        row = (await self.session.execute(statement)).first()
        return Subscription(*row) if row else None

    async def remove(self, subscription_id: UUID) -> bool:
        """Deletes the subscription with its messages and attempts, and their timers."""
        await self.session.execute(
            delete(timers).where(
                _T.kind == WEBHOOK_TIMER,
                _T.subject_id.in_(
                    select(_M.id).where(
                        _M.tenant_id == self.tenant_id,
                        _M.subscription_id == subscription_id,
                        _M.status == PENDING,
                    )
                ),
            )
        )
        statement = delete(webhook_subscriptions).where(
            _S.tenant_id == self.tenant_id, _S.id == subscription_id
        )
        return bool((await self.session.execute(statement.returning(_S.id))).first())

    async def secrets(self, subscription_id: UUID) -> StoredSecrets | None:
        """The secrets as stored, locked for a rotation."""
        query = (
            select(*STORED_SECRETS)
            .where(_S.tenant_id == self.tenant_id, _S.id == subscription_id)
            .with_for_update()
        )
        row = (await self.session.execute(query)).first()
        return StoredSecrets(*row) if row else None

    async def set_secrets(
        self, subscription_id: UUID, sealed: Mapping[str, Any], now: datetime
    ) -> None:
        """Stores sealed secrets (webhook_secrets.sealed_columns), clearing any plaintext."""
        await self.change(subscription_id, sealed, now)

    async def plaintext_secrets(self, limit: int) -> list[StoredSecrets]:
        """Subscriptions still holding a plaintext secret, locked (others' locked ones are
        left for the next pass)."""
        query = (
            select(*STORED_SECRETS)
            .where(_S.tenant_id == self.tenant_id, _S.secret.is_not(None))
            .order_by(_S.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [StoredSecrets(*row) for row in await self.session.execute(query)]

    async def seal_plaintext(self, subscription_id: UUID, sealed: Mapping[str, Any]) -> None:
        """Replaces a plaintext secret by its sealed form (not a change the admin made:
        updated_at stays)."""
        await self.session.execute(
            update(webhook_subscriptions)
            .where(_S.tenant_id == self.tenant_id, _S.id == subscription_id)
            .values(**sealed)
        )

    async def disable(self, subscription_id: UUID, reason: str, now: datetime) -> None:
        """Switches the endpoint off, unless it is already, and fails its waiting messages
        (replayable later)."""
        switched = await self.session.execute(
            update(webhook_subscriptions)
            .where(_S.tenant_id == self.tenant_id, _S.id == subscription_id, _S.enabled)
            .values(enabled=False, disabled_reason=reason, disabled_at=now, updated_at=now)
            .returning(_S.id)
        )
        if switched.first() is None:
            return
        failed = await self.session.execute(
            update(webhook_messages)
            .where(
                _M.tenant_id == self.tenant_id,
                _M.subscription_id == subscription_id,
                _M.status == PENDING,
            )
            .values(
                status=FAILED,
                next_attempt_at=None,
                finished_at=now,
                last_error=f"endpoint disabled ({reason})",
            )
            .returning(_M.id)
        )
        await self.cancel(list(failed.scalars()))

    # Messages and their timers

    async def enabled_filters(self) -> list[tuple[UUID, list[str]]]:
        query = select(_S.id, _S.event_types).where(_S.tenant_id == self.tenant_id, _S.enabled)
        return [(r.id, list(r.event_types)) for r in await self.session.execute(query)]

    async def add_messages(self, rows: Sequence[Mapping[str, Any]]) -> list[UUID]:
        """Inserts the messages not queued before (unique on subscription and event); the ids
        of those inserted now."""
        if not rows:
            return []
        statement = (
            insert(webhook_messages)
            .values([{"tenant_id": self.tenant_id, **row} for row in rows])
            .on_conflict_do_nothing(constraint="uq_webhook_messages_once")
            .returning(_M.id)
        )
        return list((await self.session.execute(statement)).scalars())

    async def schedule(self, due: Iterable[tuple[UUID, datetime]]) -> None:
        """(message, when) timers, set or moved."""
        rows = [
            {"tenant_id": self.tenant_id, "kind": WEBHOOK_TIMER, "subject_id": m, "due_at": at}
            for m, at in due
        ]
        # In slices: one statement carries at most 32767 parameters.
        for start in range(0, len(rows), _TIMERS_PER_STATEMENT):
            statement = insert(timers).values(rows[start : start + _TIMERS_PER_STATEMENT])
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=[_T.kind, _T.subject_id],
                    set_={"due_at": statement.excluded.due_at},
                )
            )

    async def cancel(self, message_ids: Sequence[UUID]) -> None:
        if message_ids:
            await self.session.execute(
                delete(timers).where(_T.kind == WEBHOOK_TIMER, _T.subject_id.in_(message_ids))
            )
