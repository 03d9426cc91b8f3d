"""Integrators' webhook subscriptions: a district's admin subscribes an endpoint to event types,
changes or deletes it and rotates its secret; events become one message per matching endpoint
(enqueue_for_event, called by the event consumer). A target URL must not reach internal
addresses unless a platform admin configured the district for an internal integration: that
lifts the SSRF guard, so a district's own admin cannot set it."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from civicgrid_notifications.db.webhooks_repo import Subscription, WebhooksRepository
from civicgrid_notifications.domain import webhook_targets as targets
from civicgrid_notifications.domain import webhooks as rules
from civicgrid_notifications.usecases.context import NotificationsContext, require_admin
from civicgrid_notifications.usecases.webhook_ports import HostResolver, SystemResolver
from civicgrid_notifications.usecases.webhook_secrets import (
    SecretUnreadable,
    opened,
    sealed_columns,
    webhook_sealer,
)
from civicgrid_platform.auth import Principal
from civicgrid_platform.db.uow import UnitOfWork
from civicgrid_platform.errors import Conflict, Forbidden, NotFound

MAX_SUBSCRIPTIONS = 100
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SubscriptionInput:
    url: str
    description: str = ""
    event_types: Sequence[str] = ()
    # The integrator's own `whsec_` secret; None: one is made.
    secret: str | None = None


@dataclass(frozen=True, slots=True)
class Subscribed:
    subscription: Subscription
    secret: str  # shown this once


@dataclass(frozen=True, slots=True)
class Rotated:
    secret: str  # shown this once
    previous_expires_at: datetime | None


def _repo(uow: UnitOfWork, actor: Principal) -> WebhooksRepository:
    return WebhooksRepository(uow.session, actor.tenant_uuid)


async def find_subscription(repo: WebhooksRepository, subscription_id: UUID) -> Subscription:
    found = await repo.get(subscription_id)
    if found is None:
        raise NotFound("no such webhook subscription", field="subscription_id")
    return found


async def _resolved(url: str, resolver: HostResolver | None) -> list[targets.IPAddress]:
    """The URL's addresses (the operating system's resolver unless told otherwise)."""
    target = targets.parse_target(url)
    return await (resolver or SystemResolver()).addresses(target.host, target.port)


async def subscribe(
    ctx: NotificationsContext,
    actor: Principal,
    data: SubscriptionInput,
    resolver: HostResolver | None = None,
) -> Subscribed:
    require_admin(actor, "manages webhooks")
    filters = rules.checked_filters(data.event_types)
    secret = data.secret or rules.new_secret()
    rules.secret_key(secret)
    sealer = webhook_sealer(ctx)
    addresses = await _resolved(data.url, resolver)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        targets.check_addresses(addresses, await repo.internal_allowed())
        if await repo.count() >= MAX_SUBSCRIPTIONS:
            raise Conflict(f"a district has at most {MAX_SUBSCRIPTIONS} webhook subscriptions")
        now = ctx.clock()
        subscription_id = uuid.uuid4()
        subscription = await repo.add(
            {
                "id": subscription_id,
                "url": data.url,
                "description": data.description,
                "event_types": list(filters),
                **sealed_columns(sealer, subscription_id, rules.SigningSecrets(secret)),
                "created_at": now,
                "updated_at": now,
            }
        )
        await uow.commit()
    return Subscribed(subscription, secret)


async def list_subscriptions(
    ctx: NotificationsContext, actor: Principal, after: tuple[datetime, UUID] | None, limit: int
) -> list[Subscription]:
    require_admin(actor, "manages webhooks")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await _repo(uow, actor).page(after, limit)


async def get_subscription(
    ctx: NotificationsContext, actor: Principal, subscription_id: UUID
) -> Subscription:
    require_admin(actor, "manages webhooks")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await find_subscription(_repo(uow, actor), subscription_id)


async def change_subscription(
    ctx: NotificationsContext,
    actor: Principal,
    subscription_id: UUID,
    changes: Mapping[str, Any],
    resolver: HostResolver | None = None,
) -> Subscription:
    """Any of url, description, event_types, enabled. A new URL, or enabling a disabled
    endpoint, checks the target again (its addresses may have changed since)."""
    require_admin(actor, "manages webhooks")
    values = dict(changes)
    if "event_types" in values:
        values["event_types"] = list(rules.checked_filters(values["event_types"]))
    current = await get_subscription(ctx, actor, subscription_id)
    url = values.get("url", current.url)
    enabling = values.get("enabled") is True and not current.enabled
    addresses = await _resolved(url, resolver) if "url" in values or enabling else None
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        locked = await repo.get(subscription_id, lock=True)
        if locked is None:
            raise NotFound("no such webhook subscription", field="subscription_id")
        if values.get("enabled") is True and not locked.enabled:
            if addresses is None:  # disabled by the dispatcher since it was read above
                addresses = await _resolved(url, resolver)
            values.update(disabled_reason=None, disabled_at=None, failing_since=None)
        if addresses is not None:
            targets.check_addresses(addresses, await repo.internal_allowed())
        now = ctx.clock()
        if values.get("enabled") is False and locked.enabled:
            del values["enabled"]
            await repo.disable(subscription_id, rules.BY_ADMIN, now)
        changed = await repo.change(subscription_id, values, now)
        await uow.commit()
    assert changed is not None  # locked above
    return changed


async def delete_subscription(
    ctx: NotificationsContext, actor: Principal, subscription_id: UUID
) -> None:
    require_admin(actor, "manages webhooks")
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        if not await _repo(uow, actor).remove(subscription_id):
            raise NotFound("no such webhook subscription", field="subscription_id")
        await uow.commit()


async def rotate_secret(
    ctx: NotificationsContext,
    actor: Principal,
    subscription_id: UUID,
    secret: str | None = None,
    previous_valid_seconds: int | None = None,
) -> Rotated:
    """A new secret signs from now on; the previous one beside it for a while (24 h unless
    told otherwise), so receivers switch without missing a message. Both are stored sealed.
    Secrets in use that do not open with the service key (it changed) cannot keep signing: such
    a rotation is refused unless the previous secret stops at once (previous_valid_seconds 0),
    which replaces them outright, the way back after a key change."""
    require_admin(actor, "manages webhooks")
    overlap = rules.rotation_overlap(previous_valid_seconds)
    new = secret or rules.new_secret()
    rules.secret_key(new)
    sealer = webhook_sealer(ctx)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = _repo(uow, actor)
        stored = await repo.secrets(subscription_id)
        if stored is None:
            raise NotFound("no such webhook subscription", field="subscription_id")
        now = ctx.clock()
        keys: rules.SigningSecrets | None
        try:
            keys = opened(sealer, stored)
        except SecretUnreadable:
            if overlap > timedelta(0):
                raise Conflict(
                    "the secrets in use do not open with the service's key, so they cannot "
                    "keep signing: rotate with previous_valid_seconds 0",
                    field="previous_valid_seconds",
                ) from None
            log.warning("webhook subscription %s: unreadable secrets replaced", subscription_id)
            keys = None
        if keys is not None and new in (keys.current, keys.previous):
            raise Conflict("the new secret must differ from the ones in use", field="secret")
        rotated = keys.rotated(new, now, overlap) if keys else rules.SigningSecrets(new)
        await repo.set_secrets(
            subscription_id, sealed_columns(sealer, subscription_id, rotated), now
        )
        await uow.commit()
    return Rotated(new, rotated.previous_expires_at)


# The district's internal-integration setting (platform admins set it; see the module doc).


async def internal_targets_allowed(
    ctx: NotificationsContext, actor: Principal, tenant_id: UUID
) -> bool:
    if not actor.is_platform_admin:
        if tenant_id != actor.tenant_uuid:
            raise NotFound("no such district", field="tenant_id")
        require_admin(actor, "reads the district's webhook settings")
    async with ctx.uow(tenant_id=tenant_id) as uow:
        return await WebhooksRepository(uow.session, tenant_id).internal_allowed()


async def allow_internal_targets(
    ctx: NotificationsContext, actor: Principal, tenant_id: UUID, allowed: bool
) -> bool:
    if not actor.is_platform_admin:
        raise Forbidden("only a platform admin configures a district for internal integrations")
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = WebhooksRepository(uow.session, tenant_id)
        await repo.set_internal_allowed(allowed, ctx.default_timezone, ctx.default_locale)
        await uow.commit()
    return allowed


# Events into messages


async def enqueue_for_event(
    uow: UnitOfWork,
    tenant_id: UUID,
    event_id: UUID,
    event_type: str,
    payload: dict[str, Any],
    *,
    occurred_at: datetime | None = None,
    now: datetime | None = None,
) -> int:
    """Queues one message per enabled subscription of the district whose filters match the
    CloudEvent type, in the caller's transaction; returns how many were queued now. A
    redelivered event queues nothing again (unique on subscription and event)."""
    repo = WebhooksRepository(uow.session, tenant_id)
    chosen = [
        s for s, filters in await repo.enabled_filters() if rules.matches(filters, event_type)
    ]
    if not chosen:
        return 0
    now = now or datetime.now(UTC)
    body = rules.message_body(event_type, occurred_at or now, payload)
    queued = await repo.add_messages(
        [
            {
                "id": uuid.uuid4(),
                "subscription_id": subscription_id,
                "event_id": event_id,
                "event_type": event_type,
                "body": body,
                "status": rules.PENDING,
                "next_attempt_at": now,
                "created_at": now,
            }
            for subscription_id in chosen
        ]
    )
    await repo.schedule((message_id, now) for message_id in queued)
    return len(queued)
