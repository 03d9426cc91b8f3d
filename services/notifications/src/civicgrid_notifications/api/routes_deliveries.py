"""Deliveries: who was told what, on which channel, and every attempt."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query

from civicgrid_notifications.api import schemas_deliveries as schemas
from civicgrid_notifications.api.deps import Ctx
from civicgrid_notifications.db.deliveries_repo import Delivery
from civicgrid_notifications.usecases import deliveries
from civicgrid_platform.http import CurrentPrincipal, PageParams

router = APIRouter(tags=["deliveries"])
Status = Literal["queued", "sent", "delivered", "failed", "suppressed"]


def _read(d: Delivery) -> schemas.DeliveryRead:
    fields = asdict(d)
    fields.pop("address")
    fields.pop("provider_ref")
    return schemas.DeliveryRead(**fields)


@router.get("/v1/deliveries")
async def list_deliveries(
    ctx: Ctx,
    actor: CurrentPrincipal,
    page: PageParams,
    person_id: UUID | None = None,
    event_id: UUID | None = None,
    status: Annotated[Status | None, Query()] = None,
) -> schemas.DeliveryPage:
    """Newest first. Staff trace anyone's; a person sees their own."""
    after = None
    if page.after is not None:
        after = (datetime.fromisoformat(page.after["created_at"]), UUID(page.after["id"]))
    rows = await deliveries.listing(
        ctx,
        actor,
        person_id=person_id,
        event_id=event_id,
        status=status,
        after=after,
        limit=page.fetch_limit,
    )
    shaped = page.page(rows, lambda d: {"created_at": d.created_at.isoformat(), "id": str(d.id)})
    return schemas.DeliveryPage(
        items=[_read(d) for d in shaped.items], next_cursor=shaped.next_cursor
    )


@router.get("/v1/deliveries/{delivery_id}")
async def get_delivery(
    delivery_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.DeliveryDetail:
    found, attempts = await deliveries.one(ctx, actor, delivery_id)
    return schemas.DeliveryDetail(
        **_read(found).model_dump(),
        attempt_log=[schemas.AttemptRead(**asdict(a)) for a in attempts],
    )
