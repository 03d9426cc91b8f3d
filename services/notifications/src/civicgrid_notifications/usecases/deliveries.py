"""Deliveries as staff trace them (who was told what, on which channel, with which attempts),
and as a person sees their own."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from civicgrid_notifications.db.deliveries_repo import Attempt, DeliveriesRepository, Delivery
from civicgrid_notifications.usecases.context import NotificationsContext, is_staff, person_of
from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import Forbidden, NotFound


async def listing(
    ctx: NotificationsContext,
    actor: Principal,
    *,
    person_id: UUID | None,
    event_id: UUID | None,
    status: str | None,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[Delivery]:
    """Staff see the district's; anyone else only their own."""
    if not is_staff(actor):
        own = person_of(actor)
        if own is None or (person_id is not None and person_id != own):
            raise Forbidden("only staff trace other people's messages")
        person_id = own
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await DeliveriesRepository(uow.session, actor.tenant_uuid).listing(
            person_id=person_id, event_id=event_id, status=status, after=after, limit=limit
        )


async def one(
    ctx: NotificationsContext, actor: Principal, delivery_id: UUID
) -> tuple[Delivery, list[Attempt]]:
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        repo = DeliveriesRepository(uow.session, actor.tenant_uuid)
        found = await repo.get(delivery_id)
        if found is None or not (is_staff(actor) or found.person_id == person_of(actor)):
            raise NotFound("no such delivery")
        return found, await repo.attempts(delivery_id)
