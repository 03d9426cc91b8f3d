"""Events notifications consume: every domain's facts that someone must hear about, and every
event integrators may subscribe to (notifications' own alert events included). Each handler
works in the same transaction as the inbox row: read models, deliveries and webhook messages
commit together with the record that the event was handled."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from civicgrid_notifications.domain.catalog import short_type
from civicgrid_notifications.events.incoming import identity_grid, tickets, volunteers
from civicgrid_notifications.events.incoming.notice_kit import event_uuid
from civicgrid_notifications.events.incoming.published import PUBLISHED
from civicgrid_notifications.usecases.context import NotificationsContext
from civicgrid_notifications.usecases.fanout import PendingNotices
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.events.cloudevents import IncomingEvent
from civicgrid_platform.events.handling import Handler

TOPICS = (
    "civicgrid.identity.v1",
    "civicgrid.grid.v1",
    "civicgrid.tickets.v1",
    "civicgrid.volunteers.v1",
    "civicgrid.notifications.v1",
)
CONSUMER_GROUP = "civicgrid-notifications"
RULES = {**identity_grid.RULES, **tickets.RULES, **volunteers.RULES}

# (uow, tenant, event id, CloudEvent type, payload as JSON) -> webhook messages queued
WebhookFanout = Callable[[UnitOfWork, UUID, UUID, str, dict[str, object]], Awaitable[int]]


def build_handlers(
    ctx: NotificationsContext, webhooks: WebhookFanout | None = None
) -> dict[str, Handler]:
    def handler_for(full_type: str, message_type: type[Message]) -> Handler:
        rule = RULES.get(short_type(full_type))

        async def handle(event: IncomingEvent, uow: UnitOfWork) -> None:
            if rule is not None:
                notices = await rule(event, uow)
                if notices:
                    pending = uow.deferred(PendingNotices.KEY, lambda: PendingNotices(ctx))
                    pending.notices.extend(notices)
            if webhooks is not None:
                payload = MessageToDict(event.decode(message_type))
                await webhooks(uow, event.tenant_id, event_uuid(event), event.type, payload)

        return handle

    return {t: handler_for(t, m) for t, m in PUBLISHED.items()}
