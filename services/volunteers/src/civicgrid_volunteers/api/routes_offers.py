"""A volunteer's offers and places over HTTP: accept or decline; confirm or cancel after the
reminder; check in and out with where they are."""

from __future__ import annotations

from dataclasses import asdict
from typing import Literal
from uuid import UUID

from fastapi import APIRouter

from civicgrid_platform.http import CurrentPrincipal
from civicgrid_volunteers.api import schemas
from civicgrid_volunteers.api.deps import Ctx
from civicgrid_volunteers.api.routes_tasks import offer_read
from civicgrid_volunteers.db.offers_repo import AssignmentRecord
from civicgrid_volunteers.usecases import attendance, offering, offers_view

router = APIRouter(tags=["offers"])

OfferStatus = Literal["pending", "accepted", "declined", "expired", "withdrawn"]


def place_read(p: AssignmentRecord) -> schemas.AssignmentRead:
    fields = asdict(p)
    del fields["offer_id"], fields["client_person_id"]
    return schemas.AssignmentRead(**fields)


@router.get("/v1/me/offers")
async def my_offers(
    ctx: Ctx, actor: CurrentPrincipal, status: OfferStatus | None = None
) -> list[schemas.OfferRead]:
    return [offer_read(o) for o in await offers_view.my_offers(ctx, actor, status)]


@router.post("/v1/offers/{offer_id}/accept")
async def accept_offer(offer_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.OfferRead:
    return offer_read(await offering.accept(ctx, actor, offer_id))


@router.post("/v1/offers/{offer_id}/decline")
async def decline_offer(offer_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.OfferRead:
    return offer_read(await offering.decline(ctx, actor, offer_id))


@router.get("/v1/me/assignments")
async def my_assignments(ctx: Ctx, actor: CurrentPrincipal) -> list[schemas.AssignmentRead]:
    return [place_read(p) for p in await offers_view.my_places(ctx, actor)]


@router.post("/v1/assignments/{assignment_id}/confirm")
async def confirm(assignment_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.AssignmentRead:
    return place_read(await attendance.confirm(ctx, actor, assignment_id))


@router.post("/v1/assignments/{assignment_id}/cancel")
async def cancel(assignment_id: UUID, ctx: Ctx, actor: CurrentPrincipal) -> schemas.AssignmentRead:
    return place_read(await attendance.cancel(ctx, actor, assignment_id))


@router.post("/v1/assignments/{assignment_id}/check-in")
async def check_in(
    assignment_id: UUID, body: schemas.Position, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.AssignmentRead:
    return place_read(await attendance.check_in(ctx, actor, assignment_id, body.lat, body.lon))


@router.post("/v1/assignments/{assignment_id}/check-out")
async def check_out(
    assignment_id: UUID, body: schemas.Position, ctx: Ctx, actor: CurrentPrincipal
) -> schemas.AssignmentRead:
    return place_read(await attendance.check_out(ctx, actor, assignment_id, body.lat, body.lon))
