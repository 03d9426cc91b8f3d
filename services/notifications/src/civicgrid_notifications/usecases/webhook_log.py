"""A subscription's delivery log, for its district's admin: the messages, each one's attempts,
and replays. A replay sends the same message again under the same webhook-id (receivers that
saw it before can tell), through a fresh round of the retry schedule."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from civicgrid_notifications.db.webhook_log_repo import Attempt, Message, WebhookLogRepository
from civicgrid_notifications.db.webhooks_repo import Subscription, WebhooksRepository
from civicgrid_notifications.usecases.context import NotificationsContext, require_admin
from civicgrid_notifications.usecases.webhooks import find_subscription
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True, slots=True)
class MessageDetail:
    message: Message
    payload: dict[str, Any]


def _repos(uow: UnitOfWork, actor: Principal) -> tuple[WebhooksRepository, WebhookLogRepository]:
    tenant = actor.tenant_uuid
    return WebhooksRepository(uow.session, tenant), WebhookLogRepository(uow.session, tenant)


def _replayable(subscription: Subscription) -> None:
    if not subscription.enabled:
        raise Conflict("the endpoint is disabled: enable it before replaying", field="enabled")


async def list_messages(
    ctx: NotificationsContext,
    actor: Principal,
    subscription_id: UUID,
    status: str | None,
    before: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Message]:
    require_admin(actor, "reads the webhook log")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        subscriptions, log = _repos(uow, actor)
        await find_subscription(subscriptions, subscription_id)
        return await log.messages(subscription_id, status, before, limit)


async def get_message(
    ctx: NotificationsContext, actor: Principal, subscription_id: UUID, message_id: UUID
) -> MessageDetail:
    require_admin(actor, "reads the webhook log")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        found = await _repos(uow, actor)[1].message(subscription_id, message_id)
    if found is None:
        raise NotFound("no such message of this subscription", field="message_id")
    message, body = found
    return MessageDetail(message, json.loads(body))


async def list_attempts(
    ctx: NotificationsContext,
    actor: Principal,
    subscription_id: UUID,
    message_id: UUID,
    before: int | None,
    limit: int,
) -> list[Attempt]:
    require_admin(actor, "reads the webhook log")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        log = _repos(uow, actor)[1]
        if await log.message(subscription_id, message_id) is None:
            raise NotFound("no such message of this subscription", field="message_id")
        return await log.attempts(message_id, before, limit)


async def replay_message(
    ctx: NotificationsContext, actor: Principal, subscription_id: UUID, message_id: UUID
) -> Message:
    require_admin(actor, "replays webhooks")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        subscriptions, log = _repos(uow, actor)
        _replayable(await find_subscription(subscriptions, subscription_id))
        now = ctx.clock()
        if not await log.replay(subscription_id, message_id, now):
            if await log.message(subscription_id, message_id) is None:
                raise NotFound("no such message of this subscription", field="message_id")
            raise Conflict("the message is still waiting for its next attempt", field="message_id")
        await subscriptions.schedule([(message_id, now)])
        found = await log.message(subscription_id, message_id)
        await uow.commit()
    assert found is not None  # replayed above
    return found[0]


async def replay_failed(
    ctx: NotificationsContext, actor: Principal, subscription_id: UUID, since: datetime
) -> int:
    """Every failed message queued since `since`, sent again; how many."""
    require_admin(actor, "replays webhooks")
    now = ctx.clock()
    if since > now:
        raise InvalidInput("a time in the past", field="since")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        subscriptions, log = _repos(uow, actor)
        _replayable(await find_subscription(subscriptions, subscription_id))
        replayed = await log.replay_failed(subscription_id, since, now)
        await subscriptions.schedule((m, now) for m in replayed)
        await uow.commit()
    return len(replayed)
