"""Acknowledging an alert from the phone: a reply to the alert's SMS, or a key pressed during
its voice call, reported by the provider with the reference of the message it answers."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from civicgrid_notifications.db.deliveries_repo import DeliveriesRepository
from civicgrid_notifications.usecases import alert_responses
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.provider_status import parse_delivery_reference
from civicgrid_platform.errors import NotFound

# What counts as "I'm on it" in a reply (compared trimmed and case-folded) and on the keypad.
YES_WORDS = frozenset({"1", "ok", "yes", "y", "收到", "确认", "好", "是", "我去"})
YES_KEY = "1"


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    alert_id: UUID | None
    acknowledged: bool
    status: str


def means_yes(kind: str, answer: str) -> bool:
    given = answer.strip().casefold()
    return given == YES_KEY if kind == "key_press" else given in YES_WORDS


async def reply(ctx: NotificationsContext, reference: str, kind: str, answer: str) -> ReplyOutcome:
    tenant_id, delivery_id = parse_delivery_reference(reference)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        delivery = await DeliveriesRepository(uow.session, tenant_id).get(delivery_id)
        if delivery is None:
            raise NotFound("no such message", field="reference")
        if delivery.alert_id is None or not means_yes(kind, answer):
            return ReplyOutcome(delivery.alert_id, False, "ignored")
        via = "voice" if kind == "key_press" else "sms"
        alert = await alert_responses.acknowledge(
            ctx, uow, tenant_id, delivery.alert_id, delivery.recipient, "", via
        )
        await uow.commit()
    return ReplyOutcome(alert.id, alert.acknowledged_by == delivery.recipient, alert.status)
