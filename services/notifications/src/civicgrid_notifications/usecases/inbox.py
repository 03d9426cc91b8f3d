"""A person's in-app inbox: pages newest first, what arrived since a message, marking read."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from civicgrid_notifications.db.inbox_repo import InboxMessage, InboxRepository
from civicgrid_notifications.usecases.context import NotificationsContext, person_of
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Forbidden, NotFound


def owner_of(actor: Principal) -> UUID:
    person = person_of(actor)
    if person is None:
        raise Forbidden("an inbox belongs to a person; clients have none")
    return person


async def page(
    ctx: NotificationsContext,
    actor: Principal,
    *,
    unread_only: bool,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> tuple[list[InboxMessage], int]:
    """A page of the caller's messages and how many are unread."""
    person = owner_of(actor)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = InboxRepository(uow.session, actor.tenant_uuid, person)
        return await repo.page(
            unread_only=unread_only, after=after, limit=limit
        ), await repo.unread()


async def since(
    ctx: NotificationsContext, tenant_id: UUID, person: UUID, moment: datetime, limit: int = 200
) -> list[InboxMessage]:
    """Messages stored at or after `moment`, oldest first."""
    async with ctx.uow(tenant_id=tenant_id) as uow:
        return await InboxRepository(uow.session, tenant_id, person).since(moment, limit)


async def created_at(
    ctx: NotificationsContext, tenant_id: UUID, person: UUID, message_id: UUID
) -> datetime | None:
    async with ctx.uow(tenant_id=tenant_id) as uow:
        found = await InboxRepository(uow.session, tenant_id, person).get(message_id)
    return found.created_at if found else None


async def mark_read(ctx: NotificationsContext, actor: Principal, ids: list[UUID] | None) -> int:
    person = owner_of(actor)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = InboxRepository(uow.session, actor.tenant_uuid, person)
        if ids is not None:
            for message_id in ids:
                if await repo.get(message_id) is None:
                    raise NotFound("no such message", field="ids")
        changed = await repo.mark_read(ids, ctx.clock())
        await uow.commit()
    return changed
