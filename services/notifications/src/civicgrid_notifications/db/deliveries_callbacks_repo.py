"""What a provider's status callback changes on a delivery, always within one district."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from civicgrid_notifications.db.tables import deliveries, delivery_attempts

_D = deliveries.c


@dataclass(frozen=True, slots=True)
class CallbackTarget:
    """The delivery a callback is about, as far as the callback needs it."""

    id: UUID
    event_type: str
    channel: str
    recipient: str
    status: str
    attempts: int
    provider: str | None
    provider_ref: str | None


class DeliveryCallbacksRepository:
    def __init__(self, session: AsyncSession, tenant_id: UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def lock(self, delivery_id: UUID) -> CallbackTarget | None:
        """The delivery, locked until the transaction ends: the dispatcher holds the same lock
        while a provider answers, so a callback waits for the send to be recorded."""
        query = (
            select(
                _D.id,
                _D.event_type,
                _D.channel,
                _D.recipient,
                _D.status,
                _D.attempts,
                _D.provider,
                _D.provider_ref,
            )
            .where(_D.tenant_id == self.tenant_id, _D.id == delivery_id)
            .with_for_update()
        )
        row = (await self.session.execute(query)).first()
        return CallbackTarget(*row) if row is not None else None

    async def settle(
        self,
        delivery_id: UUID,
        *,
        status: str,
        provider_ref: str,
        at: datetime,
        last_error: str | None,
    ) -> None:
        """Ends the delivery (delivered or failed): no further attempt is due."""
        values: dict[str, object] = {
            "status": status,
            "provider_ref": func.coalesce(_D.provider_ref, provider_ref),
            "finished_at": at,
            "next_attempt_at": None,
        }
        if last_error is not None:
            values["last_error"] = last_error
        await self.session.execute(
            update(deliveries)
            .where(_D.tenant_id == self.tenant_id, _D.id == delivery_id)
            .values(values)
        )

    async def add_attempt(
        self,
        delivery_id: UUID,
        *,
        number: int,
        provider: str,
        at: datetime,
        outcome: str,
        detail: str,
    ) -> None:
        await self.session.execute(
            insert(delivery_attempts).values(
                tenant_id=self.tenant_id,
                delivery_id=delivery_id,
                number=number,
                provider=provider,
                started_at=at,
                finished_at=at,
                outcome=outcome,
                detail=detail,
            )
        )
