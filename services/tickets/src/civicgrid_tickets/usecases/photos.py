"""Photos on a ticket: the reporter and staff add them (five at most), whoever may see the
ticket sees them. Bytes go to the blob store first; a failed row write removes them again."""

from __future__ import annotations

import hashlib
from uuid import UUID

from civicgrid_platform.auth import Principal
from civicgrid_platform.errors import NotFound
from civicgrid_tickets.db.tickets_repo import TicketsRepository
from civicgrid_tickets.domain.photos import check_room, image_type
from civicgrid_tickets.domain.records import HistoryEntry, PhotoRecord
from civicgrid_tickets.usecases.context import TicketsContext
from civicgrid_tickets.usecases.ports import BlobStore
from civicgrid_tickets.usecases.reading import get_ticket


def _store(ctx: TicketsContext) -> BlobStore:
    if ctx.blobs is None:
        raise RuntimeError("this process was built without a blob store")
    return ctx.blobs


async def add_photo(
    ctx: TicketsContext, actor: Principal, ticket_id: UUID, data: bytes
) -> PhotoRecord:
    media_type = image_type(data)
    await get_ticket(ctx, actor, ticket_id)  # 404 unless the actor may see the ticket
    tenant_id = actor.tenant_uuid
    store = _store(ctx)
    async with ctx.uow(tenant_id=tenant_id) as uow:
        repo = TicketsRepository(uow.session, tenant_id)
        await repo.get(ticket_id, for_update=True)  # one upload at a time takes the next number
        existing = await repo.photos(ticket_id)
        check_room(len(existing))
        n = len(existing) + 1
        photo = PhotoRecord(
            n=n,
            blob_key=f"{tenant_id}/{ticket_id}/{n}",
            media_type=media_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor.subject,
            uploaded_at=ctx.clock(),
        )
        await store.put(photo.blob_key, data)
        try:
            await repo.add_photo(ticket_id, photo)
            await repo.record(
                ticket_id,
                HistoryEntry(photo.uploaded_at, actor.subject, "photo", None, None, None, {"n": n}),
            )
            await uow.commit()
        except BaseException:
            await store.delete(photo.blob_key)
            raise
    return photo


async def list_photos(ctx: TicketsContext, actor: Principal, ticket_id: UUID) -> list[PhotoRecord]:
    await get_ticket(ctx, actor, ticket_id)
    async with ctx.uow(tenant_id=actor.tenant_uuid) as uow:
        return await TicketsRepository(uow.session, actor.tenant_uuid).photos(ticket_id)


async def photo_bytes(
    ctx: TicketsContext, actor: Principal, ticket_id: UUID, n: int
) -> tuple[PhotoRecord, bytes]:
    found = {p.n: p for p in await list_photos(ctx, actor, ticket_id)}
    if n not in found:
        raise NotFound(f"no photo {n} on this ticket", field="n")
    return found[n], await _store(ctx).get(found[n].blob_key)
