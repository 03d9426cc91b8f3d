"""A provider's word on a message it took: delivered to the phone, or failed for good.

The provider finds us again through the `reference` we sent it, "<tenant id>:<delivery id>":
a delivery lives in its district's rows (row-level security), so the district must be known
before the delivery can be read. The callback is authenticated by the provider token at the
HTTP edge; it can only name deliveries whose reference it was given.

Which callbacks change a delivery:
- delivered: a delivery sent (or queued for a retry after an error, or failed) becomes
  delivered; the person has the message, whatever happened before.
- failed: a sent delivery becomes failed and delivery.failed is announced, as when the last
  attempt fails; a queued one keeps its planned retry.
- a callback naming another message than the one the delivery was sent as (its provider_ref;
  an earlier try through a provider that timed out), or repeating the status the delivery has,
  changes nothing; either way the provider is answered 200, so it stops calling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from civicgrid.notifications.v1 import events_pb2
from civicgrid_notifications.db.deliveries_callbacks_repo import (
    CallbackTarget,
    DeliveryCallbacksRepository,
)
from civicgrid_notifications.events.outgoing import notification_event
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_platform.errors import InvalidInput, NotFound
from civicgrid_platform.events.cloudevents import OutgoingEvent

# Where providers send status callbacks, below the service's public URL.
STATUS_PATH = "/v1/providers/status"
ProviderStatus = Literal["delivered", "failed"]

_MOVES: dict[str, frozenset[str]] = {
    "delivered": frozenset({"queued", "sent", "failed"}),
    "failed": frozenset({"sent"}),
}
_DETAIL_LENGTH = 500


@dataclass(frozen=True, slots=True)
class StatusRecorded:
    delivery_id: UUID
    status: str  # the delivery's status after the callback
    applied: bool  # False: the callback changed nothing (see the module's rules)


def delivery_reference(tenant_id: UUID, delivery_id: UUID) -> str:
    """What a provider is given to name the message in its callbacks."""
    return f"{tenant_id}:{delivery_id}"


def parse_delivery_reference(reference: str) -> tuple[UUID, UUID]:
    """(tenant id, delivery id), or InvalidInput naming `reference`."""
    tenant, _, delivery = reference.partition(":")
    try:
        return UUID(tenant), UUID(delivery)
    except ValueError:
        raise InvalidInput(
            "expected <tenant id>:<delivery id>, as sent to the provider", field="reference"
        ) from None


async def record_provider_status(
    ctx: NotificationsContext,
    reference: str,
    provider_ref: str,
    status: ProviderStatus,
    detail: str = "",
) -> StatusRecorded:
    """Applies the provider's status to the delivery and records it among its attempts.
    NotFound when the district has no such delivery."""
    tenant_id, delivery_id = parse_delivery_reference(reference)
    detail = detail[:_DETAIL_LENGTH]
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = DeliveryCallbacksRepository(uow.session, tenant_id)
        target = await repo.lock(delivery_id)
        if target is None:
            raise NotFound("no such delivery", field="reference")
        if not _moves(target, provider_ref, status):
            return StatusRecorded(delivery_id, target.status, applied=False)
        now = ctx.clock()
        await repo.settle(
            delivery_id,
            status=status,
            provider_ref=provider_ref,
            at=now,
            last_error=detail if status == "failed" else None,
        )
        await repo.add_attempt(
            delivery_id,
            # The try that took the message; the callback is its outcome, not a new try.
            number=max(target.attempts, 1),
            provider=target.provider or "callback",
            at=now,
            outcome=status,
            detail=detail,
        )
        if status == "failed":
            uow.add_event(_failed(tenant_id, target, detail))
        await uow.commit()
    return StatusRecorded(delivery_id, status, applied=True)


def _moves(target: CallbackTarget, provider_ref: str, status: ProviderStatus) -> bool:
    if target.provider_ref is not None and target.provider_ref != provider_ref:
        return False
    return target.status in _MOVES[status]


def _failed(tenant_id: UUID, target: CallbackTarget, detail: str) -> OutgoingEvent:
    return notification_event(
        tenant_id,
        target.id,
        events_pb2.DeliveryFailed(
            delivery_id=str(target.id),
            event_type=target.event_type,
            channel=target.channel,
            recipient=target.recipient,
            attempts=target.attempts,
            last_error=detail,
        ),
    )
