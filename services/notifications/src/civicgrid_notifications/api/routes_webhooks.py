"""HTTP routes: integrators' webhooks. A district's admin subscribes endpoints, rotates their
secrets, reads the delivery log and replays; a platform admin configures a district for an
internal integration (targets on private addresses)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from civicgrid_notifications.api import schemas_webhooks as schemas
from civicgrid_notifications.api.deps import Ctx
from civicgrid_notifications.db.webhook_log_repo import Attempt, Message
from civicgrid_notifications.db.webhooks_repo import Subscription
from civicgrid_notifications.usecases import webhook_log, webhooks
from civicgrid_platform.errors import InvalidInput
from civicgrid_platform.http import CurrentPrincipal, CursorPage, Idempotent, PageParams

router = APIRouter(tags=["webhooks"])
ONE = "/v1/webhooks/{subscription_id}"
MESSAGE = ONE + "/messages/{message_id}"


def _read(s: Subscription) -> schemas.WebhookRead:
    return schemas.WebhookRead(**asdict(s))


def _message(m: Message) -> schemas.MessageRead:
    return schemas.MessageRead(**asdict(m))


def _at(after: dict[str, Any] | None) -> tuple[datetime, UUID] | None:
    """Where the previous page ended; a cursor of another list is refused, naming it."""
    if not after:
        return None
    try:
        return datetime.fromisoformat(str(after["at"])), UUID(str(after["id"]))
    except (KeyError, ValueError):
        raise InvalidInput("not a cursor of this list", field="cursor") from None


def _position(when: datetime, row_id: UUID) -> dict[str, str]:
    return {"at": when.isoformat(), "id": str(row_id)}


# Subscriptions


@router.post("/v1/webhooks", status_code=status.HTTP_201_CREATED, dependencies=[Idempotent])
async def subscribe(
    body: schemas.WebhookCreate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.WebhookCreated:
    """The secret is in this answer only."""
    made = await webhooks.subscribe(ctx, actor, webhooks.SubscriptionInput(**body.model_dump()))
    return schemas.WebhookCreated(**asdict(made.subscription), secret=made.secret)


@router.get("/v1/webhooks")
async def list_subscriptions(
    ctx: Ctx, actor: CurrentPrincipal, page: PageParams
) -> CursorPage[schemas.WebhookRead]:
    rows = await webhooks.list_subscriptions(ctx, actor, _at(page.after), page.fetch_limit)
    return page.page([_read(s) for s in rows], lambda s: _position(s.created_at, s.id))


@router.get(ONE)
async def get_subscription(
    subscription_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.WebhookRead:
    return _read(await webhooks.get_subscription(ctx, actor, subscription_id))


@router.patch(ONE)
async def change_subscription(
    subscription_id: UUID, body: schemas.WebhookUpdate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.WebhookRead:
    changes = body.model_dump(exclude_unset=True)
    return _read(await webhooks.change_subscription(ctx, actor, subscription_id, changes))


@router.delete(ONE, status_code=status.HTTP_204_NO_CONTENT)
async def delete_subscription(subscription_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> Response:
    await webhooks.delete_subscription(ctx, actor, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(ONE + "/secret/rotate", dependencies=[Idempotent])
async def rotate_secret(
    subscription_id: UUID, body: schemas.SecretRotate, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.SecretRotated:
    """The new secret signs from now on, the previous one beside it until it expires; the new
    secret is in this answer only."""
    rotated = await webhooks.rotate_secret(
        ctx, actor, subscription_id, body.secret, body.previous_valid_seconds
    )
    return schemas.SecretRotated(**asdict(rotated))


# The delivery log


@router.get(ONE + "/messages")
async def list_messages(
    subscription_id: UUID,
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    state: Annotated[schemas.MessageStatus | None, Query(alias="status")] = None,
) -> CursorPage[schemas.MessageRead]:
    """Newest first; `status` keeps only pending, delivered or failed ones."""
    rows = await webhook_log.list_messages(
        ctx, actor, subscription_id, state, _at(page.after), page.fetch_limit
    )
    return page.page([_message(m) for m in rows], lambda m: _position(m.created_at, m.id))


@router.get(MESSAGE)
async def get_message(
    subscription_id: UUID, message_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.MessageDetail:
    found = await webhook_log.get_message(ctx, actor, subscription_id, message_id)
    return schemas.MessageDetail(**asdict(found.message), payload=found.payload)


def _before_id(after: dict[str, Any] | None) -> int | None:
    if not after:
        return None
    value = after.get("attempt")
    if not isinstance(value, int):
        raise InvalidInput("not a cursor of this list", field="cursor")
    return value


@router.get(MESSAGE + "/attempts")
async def list_attempts(
    subscription_id: UUID,
    message_id: UUID,
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
) -> CursorPage[schemas.AttemptRead]:
    """Newest first."""
    rows: list[Attempt] = await webhook_log.list_attempts(
        ctx, actor, subscription_id, message_id, _before_id(page.after), page.fetch_limit
    )
    return page.page([schemas.AttemptRead(**asdict(a)) for a in rows], lambda a: {"attempt": a.id})


@router.post(MESSAGE + "/replay", status_code=status.HTTP_202_ACCEPTED)
async def replay_message(
    subscription_id: UUID, message_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.MessageRead:
    """Sends a delivered or failed message again, under the same webhook-id."""
    return _message(await webhook_log.replay_message(ctx, actor, subscription_id, message_id))


@router.post(ONE + "/replay", status_code=status.HTTP_202_ACCEPTED)
async def replay_failed(
    subscription_id: UUID, body: schemas.ReplayFailed, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.Replayed:
    """Sends again every failed message queued since a time."""
    count = await webhook_log.replay_failed(ctx, actor, subscription_id, body.since)
    return schemas.Replayed(replayed=count)


# The district's setting


@router.get("/v1/districts/{tenant_id}/webhook-settings")
async def get_webhook_settings(
    tenant_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.WebhookSettings:
    allowed = await webhooks.internal_targets_allowed(ctx, actor, tenant_id)
    return schemas.WebhookSettings(internal_targets=allowed)


@router.put("/v1/districts/{tenant_id}/webhook-settings")
async def put_webhook_settings(
    tenant_id: UUID, body: schemas.WebhookSettings, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.WebhookSettings:
    """Platform admins only: internal targets lift the SSRF guard for the district."""
    allowed = await webhooks.allow_internal_targets(ctx, actor, tenant_id, body.internal_targets)
    return schemas.WebhookSettings(internal_targets=allowed)
