"""Photos on a ticket over HTTP (multipart upload, one file per request)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Path, Response, UploadFile, status

from civicgrid_platform.http import CurrentPrincipal
from civicgrid_tickets.api import schemas
from civicgrid_tickets.api.deps import Ctx
from civicgrid_tickets.domain.photos import MAX_BYTES
from civicgrid_tickets.domain.records import PhotoRecord
from civicgrid_tickets.usecases import photos

router = APIRouter(tags=["photos"])


def _view(ticket_id: UUID, p: PhotoRecord) -> schemas.PhotoRead:
    return schemas.PhotoRead(
        n=p.n,
        media_type=p.media_type,
        size=p.size,
        sha256=p.sha256,
        uploaded_at=p.uploaded_at,
        url=f"/v1/tickets/{ticket_id}/photos/{p.n}",
    )


@router.post("/v1/tickets/{ticket_id}/photos", status_code=status.HTTP_201_CREATED)
async def add_photo(
    ticket_id: UUID, ctx: Ctx, actor: CurrentPrincipal, photo: Annotated[UploadFile, File()]
) -> schemas.PhotoRead:
    data = await photo.read(MAX_BYTES + 1)  # one byte over is enough to refuse it
    return _view(ticket_id, await photos.add_photo(ctx, actor, ticket_id, data))


@router.get("/v1/tickets/{ticket_id}/photos")
async def list_photos(
    ticket_id: UUID, ctx: Ctx, actor: CurrentPrincipal
) -> list[schemas.PhotoRead]:
    return [_view(ticket_id, p) for p in await photos.list_photos(ctx, actor, ticket_id)]


@router.get("/v1/tickets/{ticket_id}/photos/{n}", response_class=Response)
async def get_photo(
    ticket_id: UUID, ctx: Ctx, actor: CurrentPrincipal, n: int = Path(ge=1, le=5)
) -> Response:
    photo, data = await photos.photo_bytes(ctx, actor, ticket_id, n)
    return Response(data, media_type=photo.media_type, headers={"ETag": f'"{photo.sha256}"'})
